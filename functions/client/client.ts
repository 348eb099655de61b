/**
 * The typed client of the edge API. One method per route; bodies and responses are the server's
 * own types (see types.ts), every failure is an EdgefuseError.
 */
import { encodeAnswerBody, encodePredictBody } from "./body";
import { send, type TransportConfig } from "./transport";
import type {
  AnswerBatchInput,
  AnswerBatchResponse,
  AnswerInput,
  AnswerResponse,
  CallOptions,
  HealthResponse,
  ImageEncoding,
  ModelsResponse,
  PredictInputs,
  PredictOptions,
  PredictResponse,
  SuiteSummary,
  SuitesResponse,
  TextFeaturesResponse,
  WithMeta,
} from "./types";

export interface ClientOptions {
  /** The edge's origin, e.g. https://edgefuse.example.workers.dev. Defaults to the page's origin in a browser, else http://127.0.0.1:8787 (npm start). */
  readonly baseUrl?: string;
  /** Sent as `Authorization: Bearer <apiKey>`; needed where the edge runs with AUTH_MODE=required. */
  readonly apiKey?: string;
  /** Per-call deadline in ms, covering the response body too (default 30 000; 0 disables). */
  readonly timeoutMs?: number;
  /** How image bytes are sent (default "multipart"). */
  readonly imageEncoding?: ImageEncoding;
  /** A fetch to use instead of the global one (tests, instrumentation). */
  readonly fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function defaultBaseUrl(): string {
  const loc = (globalThis as { location?: { origin?: string } }).location;
  return loc?.origin && loc.origin !== "null" ? loc.origin : "http://127.0.0.1:8787";
}

export class EdgefuseClient {
  private readonly cfg: TransportConfig;
  private readonly imageEncoding: ImageEncoding;

  constructor(options: ClientOptions = {}) {
    // Wrapped, not stored bare: browsers throw "Illegal invocation" when fetch is called off window.
    const f = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
    this.cfg = { baseUrl: (options.baseUrl ?? defaultBaseUrl()).replace(/\/+$/, ""), apiKey: options.apiKey, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, fetch: f };
    this.imageEncoding = options.imageEncoding ?? "multipart";
  }

  /** GET /healthz: liveness, no model loaded. */
  health(opts?: CallOptions): Promise<WithMeta<HealthResponse>> {
    return send(this.cfg, { method: "GET", path: "/healthz" }, opts);
  }

  /** GET /v1/models: served models, fusion methods, labels. */
  models(opts?: CallOptions): Promise<WithMeta<ModelsResponse>> {
    return send(this.cfg, { method: "GET", path: "/v1/models" }, opts);
  }

  /** POST /v1/features/text: one feature vector per text (1 to 64 texts). */
  textFeatures(texts: readonly string[], opts?: CallOptions): Promise<WithMeta<TextFeaturesResponse>> {
    return send(this.cfg, { method: "POST", path: "/v1/features/text", body: JSON.stringify({ texts }), contentType: "application/json" }, opts);
  }

  /** POST /v1/answer: ranked answers to one question about one image. */
  async answer(input: AnswerInput, opts?: CallOptions): Promise<WithMeta<AnswerResponse>> {
    const fields = { questions: [input.question], batch: false, fusion: input.fusion, topK: input.topK, allowDegraded: input.allowDegraded, explain: input.explain };
    const { body, contentType } = await encodeAnswerBody(fields, input.image, opts?.imageEncoding ?? this.imageEncoding);
    return send(this.cfg, { method: "POST", path: "/v1/answer", body, contentType }, opts);
  }

  /** POST /v1/answer/batch: several questions about one image, which is featurised once. */
  async answerBatch(input: AnswerBatchInput, opts?: CallOptions): Promise<WithMeta<AnswerBatchResponse>> {
    const fields = { questions: input.questions, batch: true, fusion: input.fusion, topK: input.topK, allowDegraded: input.allowDegraded, explain: input.explain };
    const { body, contentType } = await encodeAnswerBody(fields, input.image, opts?.imageEncoding ?? this.imageEncoding);
    return send(this.cfg, { method: "POST", path: "/v1/answer/batch", body, contentType }, opts);
  }

  /** GET /v1/suites: every suite the edge serves (modalities, encoders, fusion methods, labels). */
  suites(opts?: CallOptions): Promise<WithMeta<SuitesResponse>> {
    return send(this.cfg, { method: "GET", path: "/v1/suites" }, opts);
  }

  /** GET /v1/suites/{suite}. */
  suite(suite: string, opts?: CallOptions): Promise<WithMeta<SuiteSummary>> {
    return send(this.cfg, { method: "GET", path: `/v1/suites/${encodeURIComponent(suite)}` }, opts);
  }

  /**
   * POST /v1/suites/{suite}/predict: `inputs` maps modality names to text (text modalities) or an
   * ImageSource-like value (image and audio: bytes, Blob, { url }, { base64 }); null leaves an
   * optional modality out.
   */
  async predict(suite: string, inputs: PredictInputs, options: PredictOptions = {}, opts?: CallOptions): Promise<WithMeta<PredictResponse>> {
    const { body, contentType } = await encodePredictBody(inputs, options, opts?.imageEncoding ?? this.imageEncoding);
    return send(this.cfg, { method: "POST", path: `/v1/suites/${encodeURIComponent(suite)}/predict`, body, contentType }, opts);
  }
}

export function createClient(options?: ClientOptions): EdgefuseClient {
  return new EdgefuseClient(options);
}
