/**
 * Client of the image-feature function over the Open Inference Protocol: per-attempt timeout, an
 * overall deadline, retries with exponential backoff and full jitter on network errors and 5xx
 * only, a circuit breaker, and validation of every response against the manifest's dims (wrong
 * shapes, NaN or infinities are a bad response, never features).
 */
import { AppError } from "../errors";
import { CircuitBreaker } from "./circuit-breaker";
import { decodeInferResponse, encodeImageInferRequest, OipProtocolError } from "./oip";

export interface ImageFeatures {
  readonly pooled: Float32Array; // [D_pooled]
  readonly grid: Float32Array; // [cells * D_grid]
}

export interface ImageFeaturesClientOptions {
  readonly baseUrl: string;
  readonly modelName: string;
  readonly token?: string;
  readonly inputName: string;
  readonly pooledDim: number;
  readonly gridCells: number;
  readonly gridDim: number;
  readonly attemptTimeoutMs: number;
  readonly deadlineMs: number;
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly fetcher?: typeof fetch;
}

class RetryableError extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ImageFeaturesClient {
  constructor(
    private readonly opts: ImageFeaturesClientOptions,
    readonly breaker: CircuitBreaker,
  ) {}

  /** Features for one encoded image. Throws AppError 502/504/422 with a stable code. */
  async featurize(image: Uint8Array): Promise<ImageFeatures> {
    if (!this.breaker.tryAcquire()) {
      throw new AppError(502, "image_features_unavailable", "the image-feature service is failing; retry later (circuit open)");
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
        const features = await this.attempt(image, Math.min(this.opts.attemptTimeoutMs, remaining));
        this.breaker.onSuccess();
        return features;
      } catch (err) {
        lastError = err;
        if (!(err instanceof RetryableError)) {
          // The service answered, so it is up: a client fault is not a breaker failure,
          // a malformed response is.
          if (err instanceof AppError && err.status === 422) this.breaker.onSuccess();
          else this.breaker.onFailure();
          throw err;
        }
      }
    }
    this.breaker.onFailure();
    if (Date.now() >= deadline || (lastError instanceof RetryableError && lastError.message.startsWith("timeout"))) {
      throw new AppError(504, "image_features_timeout", "the image-feature service did not answer in time");
    }
    throw new AppError(502, "image_features_unavailable", "the image-feature service is unavailable");
  }

  private async attempt(image: Uint8Array, timeoutMs: number): Promise<ImageFeatures> {
    const { body, headerLength } = encodeImageInferRequest(this.opts.inputName, [image], ["pooled", "grid"]);
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(headerLength),
    };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    const url = `${this.opts.baseUrl.replace(/\/$/, "")}/v2/models/${encodeURIComponent(this.opts.modelName)}/infer`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let res: Response;
    let payload: ArrayBuffer;
    try {
      res = await (this.opts.fetcher ?? fetch)(url, { method: "POST", headers, body, signal: controller.signal });
      payload = await res.arrayBuffer();
    } catch (err) {
      throw new RetryableError(controller.signal.aborted ? "timeout" : `network: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    if (res.status >= 500 || res.status === 429) throw new RetryableError(`status ${res.status}`);
    if (res.status === 400 || res.status === 413 || res.status === 422) {
      throw new AppError(422, "invalid_image", "the image could not be decoded (PNG, JPEG or WebP within the size limits)");
    }
    if (res.status !== 200) {
      throw new AppError(502, "image_features_rejected", `the image-feature service refused the request (${res.status})`);
    }
    return this.validate(payload, res.headers.get("inference-header-content-length"));
  }

  private validate(payload: ArrayBuffer, headerLength: string | null): ImageFeatures {
    const bad = (why: string) => new AppError(502, "image_features_bad_response", `the image-feature service sent a bad response: ${why}`);
    let outputs;
    try {
      outputs = decodeInferResponse(payload, headerLength === null ? null : Number(headerLength));
    } catch (err) {
      throw bad(err instanceof OipProtocolError ? err.message : "unreadable");
    }
    const pooled = outputs.get("pooled");
    const grid = outputs.get("grid");
    const { pooledDim, gridCells, gridDim } = this.opts;
    if (!pooled || pooled.shape.join() !== `1,${pooledDim}`) throw bad(`pooled shape [${pooled?.shape.join(", ") ?? "missing"}], expected [1, ${pooledDim}]`);
    if (!grid || grid.shape.join() !== `1,${gridCells},${gridDim}`) throw bad(`grid shape [${grid?.shape.join(", ") ?? "missing"}], expected [1, ${gridCells}, ${gridDim}]`);
    if (!pooled.data.every(Number.isFinite) || !grid.data.every(Number.isFinite)) throw bad("non-finite values");
    return { pooled: pooled.data, grid: grid.data };
  }
}
