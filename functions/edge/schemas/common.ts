/** Schemas shared by several routes: the error body and a ranked answer. Types derive from them. */
import { z } from "zod";

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().describe("stable machine-readable code, e.g. invalid_json, unknown_fusion, image_features_timeout"),
      message: z.string(),
      requestId: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: "ErrorBody" });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Answer = z.object({ label: z.string(), score: z.number().min(0).max(1) }).meta({ id: "Answer" });
export type Answer = z.infer<typeof Answer>;

export const CacheStatus = z.enum(["hit", "miss"]);
export type CacheStatus = z.infer<typeof CacheStatus>;

export const Timings = z.record(z.string(), z.number()).describe("stage durations in ms (also in the Server-Timing header)");
