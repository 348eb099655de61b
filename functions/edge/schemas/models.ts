/** GET /v1/models and GET /healthz responses. */
import { z } from "zod";
import { FusionMethod } from "./answer";

const TextModel = z.object({ id: z.string(), version: z.string(), dim: z.number().int(), quantization: z.string(), maxTokens: z.number().int() });

export const ModelsResponse = z
  .object({
    suite: z.object({ id: z.string(), version: z.string() }).loose(),
    text: TextModel.describe("the model behind /v1/features/text"),
    answerText: TextModel.describe("the text encoder the fusion heads were trained on"),
    image: z.object({ id: z.string(), version: z.string(), pooledDim: z.number().int(), gridCells: z.number().int(), gridDim: z.number().int(), served: z.string() }),
    heads: z.array(z.object({ id: z.string(), version: z.string(), fusion: FusionMethod, inputs: z.array(z.string()), modalities: z.array(z.string()) })),
    fusionMethods: z.array(FusionMethod),
    defaultFusion: FusionMethod,
    labels: z.array(z.string()),
    suites: z.array(z.object({ id: z.string(), version: z.string(), href: z.string() })).describe("every suite this edge serves (details: GET /v1/suites)"),
  })
  .meta({ id: "ModelsResponse" });
export type ModelsResponse = z.infer<typeof ModelsResponse>;

export const HealthResponse = z.object({ ok: z.literal(true) }).meta({ id: "HealthResponse" });
export type HealthResponse = z.infer<typeof HealthResponse>;
