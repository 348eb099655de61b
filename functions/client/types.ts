/**
 * The wire types, imported from the server's zod schemas (type-only, so nothing of zod or the
 * Worker reaches a bundle), plus the shapes that exist only on the client side.
 */
import type { AnswerBatchRequest, AnswerBatchResponse, AnswerRequest, AnswerResponse, FusionMethod } from "../edge/schemas/answer";
import type { Answer, CacheStatus, ErrorBody } from "../edge/schemas/common";
import type { HealthResponse, ModelsResponse } from "../edge/schemas/models";
import type { Explanation } from "../edge/schemas/explanation";
import type { PredictRequest, PredictResponse, SuiteSummary, SuitesResponse } from "../edge/schemas/suites";
import type { TextFeaturesResponse } from "../edge/schemas/text-features";
import type { ModalityValue } from "./body";

export type { Answer, AnswerBatchResponse, AnswerResponse, CacheStatus, ErrorBody, Explanation, FusionMethod, HealthResponse, ModalityValue, ModelsResponse, PredictResponse, SuiteSummary, SuitesResponse, TextFeaturesResponse };

/** POST /v1/suites/{suite}/predict: one value per modality name (GET /v1/suites lists them). */
export type PredictInputs = Readonly<Record<string, ModalityValue>>;
/** Options of predict: the server's request fields besides `inputs`. */
export type PredictOptions = Omit<PredictRequest, "inputs">;

/**
 * An image as the caller has it. Bytes and blobs are uploaded (multipart by default); `{ url }` is
 * fetched by the edge; `{ base64 }` is passed through as JSON.
 */
export type ImageSource = Blob | ArrayBuffer | ArrayBufferView | { readonly url: string } | { readonly base64: string };

/** How bytes travel: multipart (no base64 overhead, the default) or base64 inside JSON. */
export type ImageEncoding = "multipart" | "json";

/** POST /v1/answer: the server's request, with any ImageSource in place of the wire image. */
export type AnswerInput = Omit<AnswerRequest, "image"> & { readonly image: ImageSource };
/** POST /v1/answer/batch: several questions about one image (featurised once). */
export type AnswerBatchInput = Omit<AnswerBatchRequest, "image"> & { readonly image: ImageSource };

/** Per-call options. */
export interface CallOptions {
  /** Cancels the call; it then rejects with EdgefuseError code "aborted". */
  readonly signal?: AbortSignal;
  /** Overrides the client's timeout (ms) for this call; 0 disables it. */
  readonly timeoutMs?: number;
  /** Sent as x-request-id, so client and server logs can be joined; generated when absent. */
  readonly requestId?: string;
  /** Overrides the client's image encoding for this call (answer, answerBatch and predict). */
  readonly imageEncoding?: ImageEncoding;
}

/** What the HTTP exchange said besides the body. */
export interface ResponseMeta {
  readonly status: number;
  readonly requestId: string;
  /** Stage durations in ms from the Server-Timing header (empty when the header is absent). */
  readonly serverTiming: Readonly<Record<string, number>>;
  /** Wall time of the call as seen by the client, in ms. */
  readonly elapsedMs: number;
}

/** A response body as the server typed it, plus `meta`. */
export type WithMeta<T> = T & { readonly meta: ResponseMeta };
