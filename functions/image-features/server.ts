/**
 * The HTTP server: Open Inference Protocol (KServe v2 REST) routes, auth, /metrics, and graceful
 * shutdown. `startServer` is what main.ts and the tests call.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BearerAuth } from "./auth.js";
import { Batcher } from "./batcher.js";
import type { Signature } from "./codec.js";
import type { Config } from "./config.js";
import { createEncoder, type Provider } from "./encoder.js";
import { handleInfer, type InferContext } from "./infer.js";
import { Admission } from "./limits.js";
import { type ImageModelSpec, loadImageModelSpec } from "./manifest.js";
import { Metrics } from "./metrics.js";
import { configureSharp, Limiter } from "./preprocess.js";
import { errorBody, type ModelMetadata, ProtocolError, toProtocolError } from "./protocol.js";

export const SERVER_NAME = "edgefuse-image-features";
export const SERVER_VERSION = "0.1.0";

export interface RunningServer {
  url: string;
  port: number;
  provider: Provider;
  modelName: string;
  /** Stop accepting, finish in-flight and queued work, release the model. Idempotent. */
  close(): Promise<void>;
}

export type Log = (message: string) => void;

const defaultLog: Log = (m) => process.stderr.write(`${new Date().toISOString()} image-features ${m}\n`);

function send(res: ServerResponse, status: number, body: Buffer | string | object, headers: Record<string, string> = {}): void {
  const payload = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const contentType = typeof body === "string" ? "text/plain; version=0.0.4; charset=utf-8" : "application/json";
  res.writeHead(status, { "content-type": contentType, ...headers, "content-length": String(payload.length) });
  res.end(payload);
}

function metadata(name: string, spec: ImageModelSpec, config: Config, provider: Provider, fallback: string | undefined): ModelMetadata {
  const { channels, height, width } = spec.input;
  return {
    name,
    versions: [spec.version],
    platform: "onnxruntime_onnx",
    inputs: [{ name: spec.input.name, datatype: "BYTES", shape: [-1] }],
    outputs: spec.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.shape })),
    parameters: {
      model_id: spec.id,
      model_version: spec.version,
      execution_provider: provider,
      ...(fallback ? { execution_provider_note: fallback } : {}),
      max_batch_size: config.batching.maxBatchSize,
      max_queue_delay_ms: config.batching.maxQueueDelayMs,
      adaptive_delay: config.batching.adaptiveDelay,
      max_images_per_request: config.limits.maxImages,
      accepted_inputs: [
        { name: spec.input.name, datatype: "BYTES", shape: [-1], content: "PNG, JPEG or WebP; base64 strings in JSON, raw bytes with the binary extension" },
        { name: spec.input.name, datatype: "FP32", shape: [-1, channels, height, width], content: "preprocessed RGB, NCHW, x/255" },
      ],
      preprocessing: { width, height, channels: "RGB", scale: "x/255", layout: "NCHW", alpha: "flattened onto white", resize: "lanczos3, fit contain (white padding); no resize when already the right size" },
    },
  };
}

export async function startServer(config: Config, log: Log = defaultLog): Promise<RunningServer> {
  configureSharp();
  const spec = await loadImageModelSpec(config.manifestPath);
  const encoder = await createEncoder(spec, config.provider, config.intraOpThreads);
  log(`model ${spec.id}@${spec.version} loaded from ${spec.file} on execution provider ${encoder.provider}${encoder.fallbackReason ? ` (${encoder.fallbackReason})` : ""}`);

  const metrics = new Metrics(config.batching.maxBatchSize);
  const arriving = { count: 0 };
  const batchOptions = { ...config.batching, ...(config.batching.adaptiveDelay ? { arriving: () => arriving.count } : {}) };
  const batcher = new Batcher(batchOptions, (batch, count) => encoder.run(batch, count), {
    onBatch: (size, seconds) => {
      metrics.batchSize.observe(size);
      metrics.inferenceSeconds.observe(seconds);
    },
    onDequeue: (seconds) => metrics.queueSeconds.observe(seconds),
  });
  const admission = new Admission(config.batching.maxQueue);
  metrics.setGauges({ queueDepthRequests: () => batcher.depthRequests, queueDepthImages: () => batcher.depthImages, inflightRequests: () => admission.inflight });
  metrics.setInfo({ provider: encoder.provider, model: config.modelName, model_id: spec.id, version: spec.version });

  const signature: Signature = { inputName: spec.input.name, channels: 3, height: spec.input.height, width: spec.input.width, outputs: spec.outputs };
  const ctx: InferContext = {
    config,
    signature,
    modelName: config.modelName,
    modelVersion: spec.version,
    admission,
    arriving,
    batcher,
    decodeLimiter: new Limiter(config.decodeConcurrency),
    metrics,
  };
  const meta = metadata(config.modelName, spec, config, encoder.provider, encoder.fallbackReason);
  const auth = config.auth.enabled && config.auth.token ? new BearerAuth(config.auth.token) : undefined;
  let shuttingDown = false;
  let active = 0;
  let onIdle: (() => void) | undefined;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    const only = (m: string) => {
      if (method !== m && !(m === "GET" && method === "HEAD")) throw new ProtocolError(405, "method_not_allowed", `${method} is not allowed on ${path}`);
    };
    if (path === "/v2/health/live") {
      only("GET");
      send(res, 200, { live: true });
      return "health";
    }
    if (path === "/v2/health/ready") {
      only("GET");
      const ready = !shuttingDown && encoder.healthy;
      send(res, ready ? 200 : 503, { ready });
      return "health";
    }
    auth?.check(req.headers.authorization);
    if (shuttingDown) throw new ProtocolError(503, "shutting_down", "server is shutting down");
    if (path === "/metrics") {
      only("GET");
      send(res, 200, metrics.render());
      return "metrics";
    }
    if (path === "/v2") {
      only("GET");
      send(res, 200, { name: SERVER_NAME, version: SERVER_VERSION, extensions: ["binary_tensor_data"] });
      return "server_metadata";
    }
    const m = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(path);
    if (!m) throw new ProtocolError(404, "not_found", `no route ${path}`);
    const [, name, version, action] = m;
    if (decodeURIComponent(name ?? "") !== config.modelName) throw new ProtocolError(404, "unknown_model", `unknown model "${name}"; this server serves "${config.modelName}"`);
    if (version !== undefined && decodeURIComponent(version) !== spec.version) {
      throw new ProtocolError(404, "unknown_model_version", `unknown version "${version}" of ${config.modelName}; available: ${spec.version}`);
    }
    if (action === "/ready") {
      only("GET");
      send(res, encoder.healthy ? 200 : 503, { name: config.modelName, ready: encoder.healthy });
      return "model_ready";
    }
    if (action === "/infer") {
      only("POST");
      const encoded = await handleInfer(ctx, req, res);
      send(res, 200, encoded.body, encoded.headers);
      return "infer";
    }
    only("GET");
    send(res, 200, meta);
    return "model_metadata";
  }

  const server = createServer((req, res) => {
    active++;
    if (shuttingDown) res.setHeader("connection", "close");
    let routeName = "other";
    route(req, res)
      .then((r) => {
        routeName = r;
      })
      .catch((err: unknown) => {
        const pe = toProtocolError(err);
        if (pe.status >= 500 && pe.code === "internal") log(`internal error on ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
        if (req.url?.includes("/infer")) routeName = "infer";
        if (res.headersSent || res.destroyed) return;
        const headers: Record<string, string> = {};
        if (pe.status === 401) headers["www-authenticate"] = 'Bearer realm="image-features"';
        // The rest of an oversized body is not read: close so it cannot be taken as a next request.
        if (pe.code === "body_too_large") headers.connection = "close";
        if (pe.status === 429 || pe.status === 503) headers["retry-after"] = "1";
        send(res, pe.status === 499 ? 400 : pe.status, errorBody(pe), headers);
      })
      .finally(() => {
        metrics.requests.inc({ route: routeName, code: String(res.statusCode) });
        active--;
        if (active === 0) onIdle?.();
      });
  });
  server.requestTimeout = config.limits.requestTimeoutMs + 5_000; // slow uploads; handleInfer's deadline is the main one
  server.headersTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      shuttingDown = true;
      log("shutting down: not accepting new connections, finishing in-flight and queued requests");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => {
        log(`shutdown grace of ${config.shutdownGraceMs} ms passed; closing remaining connections`);
        server.closeAllConnections();
      }, config.shutdownGraceMs);
      await batcher.drain();
      if (active > 0) await new Promise<void>((resolve) => (onIdle = resolve));
      server.closeIdleConnections();
      await closed;
      clearTimeout(force);
      await encoder.close();
      log("shutdown complete");
    })());

  return { url: `http://${host}:${address.port}`, port: address.port, provider: encoder.provider, modelName: config.modelName, close };
}
