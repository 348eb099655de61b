/**
 * Client of the feature function (this project's, Triton or KServe) over the Open Inference Protocol,
 * for any remote encoder a suite names: one encoded input (image or WAV bytes) in as a BYTES tensor,
 * named FP32 outputs back. Per-attempt timeout, an overall deadline, retries with exponential backoff
 * and full jitter on network errors, 429 and 5xx only, and one circuit breaker per model name, so a
 * broken or mismatched model fails fast without taking the other models down. Every response is
 * checked against the shapes the suite manifest declares (wrong shapes, NaN or infinities are a bad
 * response, never features). Errors are AppErrors with stable codes (upstream-errors.ts).
 */
import { AppError } from "../errors";
import { CircuitBreaker } from "./circuit-breaker";
import { decodeInferResponse, encodeBytesInferRequest, OipProtocolError } from "./oip";
import { classifyUpstreamError } from "./upstream-errors";

export type RemoteModalityKind = "image" | "audio";

/** An output as the manifest declares it: batch dimension first (-1 or 1), -1 elsewhere means "any". */
export interface RemoteOutput {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface RemoteFeaturesRequest {
  /** Model name on the feature function (manifest `encoder.model`). */
  readonly model: string;
  /** Integer model version (manifest `encoder.modelVersion`); unset: the version the server serves. */
  readonly version?: number;
  /** Picks the error codes: `<kind>_features_*`, `invalid_<kind>`. */
  readonly kind: RemoteModalityKind;
  /** Encoded image (PNG/JPEG/WebP) or audio (WAV) bytes. */
  readonly bytes: Uint8Array;
  /** Name of the BYTES input; default "input" (the feature function's and the Triton ensemble's). */
  readonly inputName?: string;
  readonly outputs: readonly RemoteOutput[];
}

/** One output of one item: the data and its dims without the batch dimension. */
export interface RemoteTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export type RemoteFeatures = Readonly<Record<string, RemoteTensor>>;

export interface FeatureClientOptions {
  readonly baseUrl: string;
  readonly token?: string;
  readonly attemptTimeoutMs: number;
  readonly deadlineMs: number;
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly breakerFailures: number;
  readonly breakerCooldownMs: number;
  readonly fetcher?: typeof fetch;
  readonly now?: () => number;
}

class RetryableError extends Error {}
class BreakerFailure extends AppError {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FeatureClient {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(private readonly opts: FeatureClientOptions) {}

  /** The breaker of one model (created closed on first use). */
  breaker(model: string): CircuitBreaker {
    let b = this.breakers.get(model);
    if (!b) {
      b = new CircuitBreaker(this.opts.breakerFailures, this.opts.breakerCooldownMs, this.opts.now);
      this.breakers.set(model, b);
    }
    return b;
  }

  /** Features of one input. Throws AppError 502/504 (`<kind>_features_*`) or 422 (`invalid_<kind>`). */
  async featurize(req: RemoteFeaturesRequest): Promise<RemoteFeatures> {
    const prefix = `${req.kind}_features`;
    const breaker = this.breaker(req.model);
    if (!breaker.tryAcquire()) {
      throw new AppError(502, `${prefix}_unavailable`, `the ${req.kind}-feature service is failing for model ${req.model}; retry later (circuit open)`);
    }
    const deadline = Date.now() + this.opts.deadlineMs;
    let lastError: unknown = null;
    for (let attempt = 0; attempt < this.opts.maxAttempts; attempt++) {
      if (attempt > 0) {
        const backoff = Math.random() * this.opts.backoffBaseMs * 2 ** attempt; // full jitter
        if (Date.now() + backoff >= deadline) break;
        await sleep(backoff);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        const features = await this.attempt(req, Math.min(this.opts.attemptTimeoutMs, remaining));
        breaker.onSuccess();
        return features;
      } catch (err) {
        lastError = err;
        if (err instanceof RetryableError) continue;
        // The service answered. Rejecting the input is a healthy answer; a contract mismatch,
        // refused credentials or a malformed response make the model unusable: breaker failure.
        if (err instanceof BreakerFailure || !(err instanceof AppError)) breaker.onFailure();
        else breaker.onSuccess();
        throw err;
      }
    }
    breaker.onFailure();
    if (Date.now() >= deadline || (lastError instanceof RetryableError && lastError.message.startsWith("timeout"))) {
      throw new AppError(504, `${prefix}_timeout`, `the ${req.kind}-feature service did not answer in time`);
    }
    throw new AppError(502, `${prefix}_unavailable`, `the ${req.kind}-feature service is unavailable`);
  }

  private url(req: RemoteFeaturesRequest): string {
    const version = req.version === undefined ? "" : `/versions/${encodeURIComponent(String(req.version))}`;
    return `${this.opts.baseUrl.replace(/\/$/, "")}/v2/models/${encodeURIComponent(req.model)}${version}/infer`;
  }

  private async attempt(req: RemoteFeaturesRequest, timeoutMs: number): Promise<RemoteFeatures> {
    const { body, headerLength } = encodeBytesInferRequest(req.inputName ?? "input", [req.bytes], req.outputs.map((o) => o.name));
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(headerLength),
    };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let res: Response;
    let payload: ArrayBuffer;
    try {
      res = await (this.opts.fetcher ?? fetch)(this.url(req), { method: "POST", headers, body, signal: controller.signal });
      payload = await res.arrayBuffer();
    } catch (err) {
      throw new RetryableError(controller.signal.aborted ? "timeout" : `network: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    const prefix = `${req.kind}_features`;
    if (res.status !== 200) {
      const verdict = classifyUpstreamError(res.status, new Uint8Array(payload), req.kind);
      switch (verdict.kind) {
        case "retry":
          throw new RetryableError(`status ${res.status}`);
        case "input-rejected":
          // Oversize is the sender's to fix like any size limit: 413, as the edge's own byte limits answer.
          if (verdict.code === "image_too_large") throw new AppError(413, "image_too_large", "the image is too large for the feature service: its pixels, or those of the square it is letterboxed to (longest side squared), exceed the suite's limits.maxPixels (GET /v1/suites)", { upstreamCode: verdict.code });
          throw new AppError(422, `invalid_${req.kind}`, req.kind === "image" ? "the image could not be decoded (PNG, JPEG or WebP within the size limits)" : "the audio could not be decoded (WAV within the length limits)", { upstreamCode: verdict.code });
        case "auth":
          throw new BreakerFailure(502, `${prefix}_rejected`, `the ${req.kind}-feature service refused the edge's credentials (${res.status})`);
        case "contract":
          throw new BreakerFailure(502, `${prefix}_bad_response`, `the ${req.kind}-feature service does not serve model ${req.model} as the suite describes it (${res.status})`);
      }
    }
    return this.validate(req, payload, res.headers.get("inference-header-content-length"));
  }

  private validate(req: RemoteFeaturesRequest, payload: ArrayBuffer, headerLength: string | null): RemoteFeatures {
    const bad = (why: string) => new BreakerFailure(502, `${req.kind}_features_bad_response`, `the ${req.kind}-feature service sent a bad response: ${why}`);
    let outputs;
    try {
      outputs = decodeInferResponse(payload, headerLength === null ? null : Number(headerLength));
    } catch (err) {
      throw bad(err instanceof OipProtocolError ? err.message : "unreadable");
    }
    const result: Record<string, RemoteTensor> = {};
    for (const spec of req.outputs) {
      const got = outputs.get(spec.name);
      if (!got) throw bad(`output ${spec.name} missing`);
      const [batch, ...dims] = got.shape;
      const expected = spec.shape.slice(1);
      const fits = batch === 1 && dims.length === expected.length && dims.every((d, i) => d >= 1 && (expected[i] === -1 || expected[i] === d));
      if (!fits) throw bad(`${spec.name} shape [${got.shape.join(", ")}], expected [1, ${expected.join(", ")}]`);
      if (!got.data.every(Number.isFinite)) throw bad(`${spec.name} has non-finite values`);
      result[spec.name] = { data: got.data, dims };
    }
    return result;
  }
}
