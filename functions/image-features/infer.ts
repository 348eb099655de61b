/**
 * The infer endpoint's pipeline: admit -> read body -> parse -> decode images -> batch queue ->
 * encoder -> response. Every stage honours one per-request deadline and the client going away.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Batcher } from "./batcher.js";
import { encodeInferResponse, type EncodedResponse, parseInferRequest, type Signature } from "./codec.js";
import type { Config } from "./config.js";
import type { Admission } from "./limits.js";
import { readBody } from "./limits.js";
import type { Metrics } from "./metrics.js";
import { type Limiter, preprocessImages } from "./preprocess.js";
import { BINARY_HEADER, ProtocolError } from "./protocol.js";

export interface InferContext {
  config: Config;
  signature: Signature;
  modelName: string;
  modelVersion: string;
  admission: Admission;
  /** Requests admitted but not yet in the batch queue (being received or decoded). */
  arriving: { count: number };
  batcher: Batcher;
  decodeLimiter: Limiter;
  metrics: Metrics;
}

/** Reject with the signal's reason as soon as it aborts, whatever `work` is doing. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export async function handleInfer(ctx: InferContext, req: IncomingMessage, res: ServerResponse): Promise<EncodedResponse> {
  const release = ctx.admission.acquire();
  ctx.arriving.count++;
  let arrived = false;
  const arrive = () => {
    if (!arrived) ctx.arriving.count--;
    arrived = true;
  };
  const started = performance.now();
  const controller = new AbortController();
  const timeoutMs = ctx.config.limits.requestTimeoutMs;
  const timer = setTimeout(
    () => controller.abort(new ProtocolError(504, "timeout", `request did not finish within ${timeoutMs} ms`)),
    timeoutMs,
  );
  // A client that hangs up should not keep its images in the batch queue.
  const onClose = () => {
    if (!res.writableFinished) controller.abort(new ProtocolError(499, "bad_request", "client closed the connection"));
  };
  res.on("close", onClose);
  const signal = controller.signal;
  try {
    const body = await raceAbort(readBody(req, ctx.config.limits.maxBodyBytes), signal);
    const header = req.headers[BINARY_HEADER];
    const parsed = parseInferRequest(body, Array.isArray(header) ? header[0] : header, ctx.signature, ctx.config.limits.maxImages);

    const decodeStart = performance.now();
    const input = parsed.input;
    const count = input.kind === "tensor" ? input.count : input.images.length;
    const tensor =
      input.kind === "tensor"
        ? input.data
        : await raceAbort(
            preprocessImages(input.images, { width: ctx.signature.width, height: ctx.signature.height, maxPixels: ctx.config.limits.maxPixels }, ctx.decodeLimiter),
            signal,
          );
    const decodeMs = performance.now() - decodeStart;
    ctx.metrics.preprocessSeconds.observe(decodeMs / 1000);

    arrive();
    const result = await ctx.batcher.submit(tensor, count, signal);
    signal.throwIfAborted(); // timed out while its batch was running: the answer is too late
    ctx.metrics.images.inc({}, count);
    const byName = new Map(result.outputs.map((o) => [o.name, o]));
    const encoded = encodeInferResponse(
      { modelName: ctx.modelName, modelVersion: ctx.modelVersion, id: parsed.id },
      parsed.outputs.map((o) => {
        const out = byName.get(o.name);
        if (!out) throw new Error(`encoder returned no ${o.name}`);
        return { name: o.name, binary: o.binary, shape: [count, ...out.shape], data: out.data };
      }),
    );
    const inferMs = performance.now() - decodeStart - decodeMs - result.queueMs;
    encoded.headers["server-timing"] = [
      `preprocess;dur=${decodeMs.toFixed(2)}`,
      `queue;dur=${result.queueMs.toFixed(2)}`,
      `infer;dur=${inferMs.toFixed(2)}`,
      `total;dur=${(performance.now() - started).toFixed(2)}`,
    ].join(", ");
    encoded.headers["x-batch-size"] = String(result.batchSize);
    return encoded;
  } finally {
    if (!arrived) {
      arrive();
      ctx.batcher.poke(); // a batch may have been waiting for this request
    }
    clearTimeout(timer);
    res.off("close", onClose);
    release();
    ctx.metrics.requestSeconds.observe((performance.now() - started) / 1000);
  }
}
