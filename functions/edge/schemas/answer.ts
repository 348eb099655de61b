/** /v1/answer and /v1/answer/batch requests and responses. */
import { z } from "zod";
import { FUSION_METHODS, MAX_BATCH_QUESTIONS, MAX_TEXT_CHARS, MAX_TOP_K } from "../limits";
import { Answer, CacheStatus, Timings } from "./common";
import { Explanation } from "./explanation";

/** A fusion method: the sort-of-clevr suite's heads (GET /v1/suites/sort-of-clevr lists them). */
export const FusionMethod = z.string().describe(`a fusion method of the suite, e.g. ${FUSION_METHODS.join(", ")}`);
export type FusionMethod = z.infer<typeof FusionMethod>;

export const ImageInput = z
  .union([
    z.object({ base64: z.string().describe("PNG, JPEG or WebP bytes, base64 (a data: URL prefix is accepted)") }).strict(),
    z.object({ url: z.url().describe("http(s) URL of a PNG, JPEG or WebP image; private and local addresses are refused") }).strict(),
  ])
  .meta({ id: "ImageInput" });
export type ImageInput = z.infer<typeof ImageInput>;

const options = {
  image: ImageInput,
  fusion: FusionMethod.optional().describe("defaults to the manifest's defaultFusion"),
  topK: z.number().int().min(1).max(MAX_TOP_K).optional().describe("answers to return, default 3"),
  allowDegraded: z.boolean().optional().describe("answer from the question alone (flagged degraded) when the image side fails"),
  explain: z.boolean().optional().describe("add `explanation`: attention weights (attention head) and per-modality attribution"),
};

export const AnswerRequest = z.object({ question: z.string().min(1).max(MAX_TEXT_CHARS), ...options }).meta({ id: "AnswerRequest" });
export type AnswerRequest = z.infer<typeof AnswerRequest>;

export const AnswerBatchRequest = z
  .object({ questions: z.array(z.string().min(1).max(MAX_TEXT_CHARS)).min(1).max(MAX_BATCH_QUESTIONS), ...options })
  .meta({ id: "AnswerBatchRequest" });
export type AnswerBatchRequest = z.infer<typeof AnswerBatchRequest>;

const ModelVersions = z.object({ text: z.string(), image: z.string(), head: z.string() });
const ImageCacheStatus = z.enum(["hit", "miss", "none"]).describe('"none" when the answer is degraded');

export const AnswerResponse = z
  .object({
    answers: z.array(Answer),
    answerable: z.boolean().describe("false for questions outside the task (other colours, attributes or forms, chat, empty words); the answers are kept"),
    fusion: FusionMethod,
    modalitiesUsed: z.array(z.string()).describe('the modalities the chosen head read: ["question", "image"], or ["question"] for the text-only head and degraded answers'),
    models: ModelVersions,
    cache: z.object({ text: CacheStatus, image: ImageCacheStatus }),
    degraded: z.literal(true).optional(),
    explanation: Explanation.optional(),
    timings: Timings,
  })
  .meta({ id: "AnswerResponse" });
export type AnswerResponse = z.infer<typeof AnswerResponse>;

export const AnswerBatchResponse = z
  .object({
    results: z.array(z.object({ question: z.string(), answers: z.array(Answer), answerable: z.boolean(), cache: z.object({ text: CacheStatus }), explanation: Explanation.optional() })),
    fusion: FusionMethod,
    modalitiesUsed: z.array(z.string()).describe('the modalities the chosen head read: ["question", "image"], or ["question"] for the text-only head and degraded answers'),
    models: ModelVersions,
    cache: z.object({ image: ImageCacheStatus }),
    degraded: z.literal(true).optional(),
    timings: Timings,
  })
  .meta({ id: "AnswerBatchResponse" });
export type AnswerBatchResponse = z.infer<typeof AnswerBatchResponse>;
