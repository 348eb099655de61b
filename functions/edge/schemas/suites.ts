/** GET /v1/suites, GET /v1/suites/{suite} and POST /v1/suites/{suite}/predict requests and responses. */
import { z } from "zod";
import { Answer, Timings } from "./common";
import { Explanation } from "./explanation";

const Tensor = z.object({ name: z.string(), shape: z.array(z.number().int()) });

export const SuiteModality = z
  .object({
    name: z.string().describe("the key of this modality in `inputs` (and its multipart part name)"),
    kind: z.enum(["text", "image", "audio"]),
    required: z.boolean(),
    limits: z.record(z.string(), z.number()).describe("text: maxChars, maxTokens; image: maxBytes, maxPixels; audio: maxBytes, maxSeconds, minSeconds"),
    encoder: z.object({
      runs: z.enum(["edge", "remote"]).describe("edge: ONNX in the Worker; remote: a named model of the feature function"),
      id: z.string(),
      version: z.string().describe("version+sha256 prefix: what cache keys carry"),
      model: z.string().optional(),
      modelVersion: z.number().int().optional(),
      quantization: z.string().optional(),
      outputs: z.array(Tensor),
    }),
  })
  .meta({ id: "SuiteModality" });

export const SuiteSummary = z
  .object({
    id: z.string(),
    version: z.string(),
    title: z.string(),
    description: z.string(),
    task: z.object({
      kind: z.literal("classification"),
      labels: z.array(z.string()),
      regression: z.object({ name: z.string(), min: z.number(), max: z.number(), output: z.string() }).nullable(),
    }),
    labels: z.array(z.string()),
    modalities: z.array(SuiteModality),
    heads: z.array(
      z.object({
        id: z.string(),
        version: z.string(),
        fusion: z.string(),
        modalities: z.array(z.string()),
        absent: z.enum(["zeros"]).nullable().describe('"zeros": trained with modality dropout; missing optional modalities are fed as zeros'),
        explain: z.object({ attention: z.boolean() }),
      }),
    ),
    fusionMethods: z.array(z.string()),
    defaultFusion: z.string(),
    answerability: z.object({ grammar: z.string() }).nullable(),
  })
  .meta({ id: "SuiteSummary" });
export type SuiteSummary = z.infer<typeof SuiteSummary>;

export const SuitesResponse = z.object({ suites: z.array(SuiteSummary) }).meta({ id: "SuitesResponse" });
export type SuitesResponse = z.infer<typeof SuitesResponse>;

export const ModalityInputValue = z
  .union([
    z.string().describe("text modalities"),
    z.object({ base64: z.string().describe("image (PNG, JPEG, WebP) or audio (WAV) bytes, base64; a data: URL prefix is accepted") }).strict(),
    z.object({ url: z.url().describe("http(s) URL of an image; private and local addresses are refused") }).strict(),
    z.null().describe("explicitly absent (optional modalities)"),
  ])
  .meta({ id: "ModalityInput" });

export const PredictRequest = z
  .object({
    inputs: z.record(z.string(), ModalityInputValue).describe("one entry per modality, keyed by the suite's modality names (GET /v1/suites)"),
    fusion: z.string().optional().describe("one of the suite's fusionMethods; default: its defaultFusion"),
    topK: z.number().int().min(1).optional().describe("predictions to return (1 to the number of labels), default 3"),
    allowDegraded: z.boolean().optional().describe("when a remote modality's service fails, answer from the others (flagged degraded) instead of a 502/504"),
    explain: z.boolean().optional().describe("add `explanation`: attention weights (attention heads) and per-modality attribution"),
  })
  .strict()
  .meta({ id: "PredictRequest" });
export type PredictRequest = z.infer<typeof PredictRequest>;

export const PredictResponse = z
  .object({
    suite: z.string(),
    predictions: z.array(Answer),
    score: z.number().optional().describe("the regression output, for suites with task.regression"),
    answerable: z.boolean().optional().describe("suites with a question grammar: whether the question is one the model was built for"),
    fusion: z.string(),
    modalitiesUsed: z.array(z.string()).describe("the modalities whose features the chosen head consumed"),
    models: z.record(z.string(), z.string()).describe("id@version+hash per modality encoder used, and `head`"),
    cache: z.record(z.string(), z.enum(["hit", "miss", "none"])).describe('per modality of the suite; "none" when not used'),
    degraded: z.literal(true).optional(),
    explanation: Explanation.optional(),
    timings: Timings,
  })
  .meta({ id: "PredictResponse" });
export type PredictResponse = z.infer<typeof PredictResponse>;
