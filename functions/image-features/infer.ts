/**
 * The infer endpoint's pipeline: admit -> read body -> parse -> preprocess items -> the model's
 * batch queue -> encoder -> response. Every stage honours one per-request deadline and the client
 * going away.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { encodeInferResponse, type EncodedResponse, parseInferRequest } from "./codec.js";
import type { Config } from "./config.js";
import { readBody } from "./limits.js";
import type { Metrics } from "./metrics.js";
import { type Limiter, preprocessItems } from "./preprocess/index.js";
import { BINARY_HEADER, ProtocolError } from "./protocol.js";
import type { ServedModel } from "./served-model.js";

/** What every infer request shares, whichever model it is for. */
export interface InferContext {
  config: Config;
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

export async function handleInfer(ctx: InferContext, model: ServedModel, req: IncomingMessage, res: ServerResponse): Promise<EncodedResponse> {
  const release = model.admission.acquire();
  model.arriving.count++;
  let arrived = false;
  const arrive = () => {
    if (!arrived) model.arriving.count--;
    arrived = true;
  };
  const started = performance.now();
  const controller = new AbortController();
  const timeoutMs = ctx.config.limits.requestTimeoutMs;
  const timer = setTimeout(
    // 503, as Triton answers a request whose queue timeout expired (UNAVAILABLE).
    () => controller.abort(new ProtocolError(503, "timeout", `request did not finish within ${timeoutMs} ms`)),
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
    const parsed = parseInferRequest(body, Array.isArray(header) ? header[0] : header, model.signature, ctx.config.limits.maxImages);

    const decodeStart = performance.now();
    const input = parsed.input;
    const count = input.kind === "tensor" ? input.count : input.items.length;
    const tensor = input.kind === "tensor" ? input.data : await raceAbort(preprocessItems(model.preprocessor, input.items, ctx.decodeLimiter), signal);
    const decodeMs = performance.now() - decodeStart;
    ctx.metrics.preprocessSeconds.observe(decodeMs / 1000, model.labels);

    arrive();
    const result = await model.batcher.submit(tensor, count, signal);
    signal.throwIfAborted(); // timed out while its batch was running: the answer is too late
    ctx.metrics.images.inc(model.labels, count);
    const byName = new Map(result.outputs.map((o) => [o.name, o]));
    const encoded = encodeInferResponse(
      { modelName: model.name, modelVersion: model.version, id: parsed.id },
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
      model.batcher.poke(); // a batch may have been waiting for this request
    }
    clearTimeout(timer);
    res.off("close", onClose);
    release();
    ctx.metrics.requestSeconds.observe((performance.now() - started) / 1000, model.labels);
  }
}
