/** POST /v1/features/text request and response. */
import { z } from "zod";
import { MAX_TEXT_CHARS, MAX_TEXTS } from "../limits";
import { CacheStatus } from "./common";

export const TextFeaturesRequest = z
  .object({ texts: z.array(z.string().min(1).max(MAX_TEXT_CHARS)).min(1).max(MAX_TEXTS) })
  .meta({ id: "TextFeaturesRequest" });
export type TextFeaturesRequest = z.infer<typeof TextFeaturesRequest>;

export const TextFeaturesResponse = z
  .object({
    dim: z.number().int(),
    features: z.array(z.array(z.number())),
    model: z.object({ id: z.string(), version: z.string(), quantization: z.string() }),
    cache: z.array(CacheStatus),
  })
  .meta({ id: "TextFeaturesResponse" });
export type TextFeaturesResponse = z.infer<typeof TextFeaturesResponse>;
