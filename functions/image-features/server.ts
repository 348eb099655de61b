/**
 * The HTTP server: Open Inference Protocol (KServe v2 REST) routes, auth, /metrics, and graceful
 * shutdown. `startServer` is what main.ts and the tests call.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BearerAuth } from "./auth.js";
import type { Config } from "./config.js";
import type { Provider } from "./encoder.js";
import { handleInfer, type InferContext } from "./infer.js";
import { Metrics } from "./metrics.js";
import { configureSharp } from "./preprocess/image.js";
import { Limiter } from "./preprocess/index.js";
import { errorBody, ProtocolError, toProtocolError } from "./protocol.js";
import { loadRepository } from "./repository/load.js";
import { type ServedModel, startServedModel } from "./served-model.js";

export const SERVER_NAME = "edgefuse-image-features";
export const SERVER_VERSION = "0.2.0";

export interface RunningServer {
  url: string;
  port: number;
  /** Execution provider of each served model. */
  providers: Record<string, Provider>;
  /** Names of the served models. */
  models: string[];
  /** Stop accepting, finish in-flight and queued work, release the models. Idempotent. */
  close(): Promise<void>;
}

export type Log = (message: string) => void;

const defaultLog: Log = (m) => process.stderr.write(`${new Date().toISOString()} feature-function ${m}\n`);

function send(res: ServerResponse, status: number, body: Buffer | string | object, headers: Record<string, string> = {}): void {
  const payload = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const contentType = typeof body === "string" ? "text/plain; version=0.0.4; charset=utf-8" : "application/json";
  res.writeHead(status, { "content-type": contentType, ...headers, "content-length": String(payload.length) });
  res.end(payload);
}

export async function startServer(config: Config, log: Log = defaultLog): Promise<RunningServer> {
  configureSharp();
  const repository = await loadRepository(config.repositories, config.models);
  const metrics = new Metrics();
  const served: ServedModel[] = [];
  try {
    // One at a time: each load reads and hashes a model file and starts a worker thread.
    for (const repo of repository) {
      const model = await startServedModel(repo, config, metrics);
      served.push(model);
      const e = model.encoder;
      log(`model ${model.name} version ${model.version} (${repo.served.humanVersion}) loaded from ${repo.file} on ${e.provider}${e.fallbackReason ? ` (${e.fallbackReason})` : ""}`);
    }
  } catch (err) {
    await Promise.all(served.map((m) => m.encoder.close()));
    throw err;
  }
  const byRoute = new Map<string, ServedModel>();
  for (const m of served) for (const n of [m.name, ...m.repo.config.aliases]) byRoute.set(n, m);

  const ctx: InferContext = { config, decodeLimiter: new Limiter(config.decodeConcurrency), metrics };
  const auth = config.auth.enabled && config.auth.token ? new BearerAuth(config.auth.token) : undefined;
  let shuttingDown = false;
  let active = 0;
  let onIdle: (() => void) | undefined;

  async function route(req: IncomingMessage, res: ServerResponse, labels: { route: string; model: string }): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    const only = (m: string) => {
      if (method !== m && !(m === "GET" && method === "HEAD")) throw new ProtocolError(405, "method_not_allowed", `${method} is not allowed on ${path}`);
    };
    if (path === "/v2/health/live") {
      only("GET");
      labels.route = "health";
      send(res, 200, { live: true });
      return;
    }
    if (path === "/v2/health/ready") {
      only("GET");
      labels.route = "health";
      const ready = !shuttingDown && served.every((m) => m.encoder.healthy);
      send(res, ready ? 200 : 503, { ready });
      return;
    }
    auth?.check(req.headers.authorization);
    if (shuttingDown) throw new ProtocolError(503, "shutting_down", "server is shutting down");
    if (path === "/metrics") {
      only("GET");
      labels.route = "metrics";
      send(res, 200, metrics.render());
      return;
    }
    if (path === "/v2") {
      only("GET");
      labels.route = "server_metadata";
      send(res, 200, { name: SERVER_NAME, version: SERVER_VERSION, extensions: ["binary_tensor_data"] });
      return;
    }
    if (path === "/v2/repository/index") {
      only("POST");
      labels.route = "repository_index";
      send(res, 200, served.map((m) => ({ name: m.name, version: m.version, state: m.encoder.healthy ? "READY" : "UNAVAILABLE" })));
      return;
    }
    const m = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(path);
    if (!m) throw new ProtocolError(404, "not_found", `no route ${path}`);
    const [, rawName, version, action] = m;
    if (action === "/infer") labels.route = "infer";
    const name = decodeURIComponent(rawName ?? "");
    const model = byRoute.get(name);
    if (!model) throw new ProtocolError(404, "unknown_model", `unknown model "${name}"; this server serves ${served.map((s) => `"${s.name}"`).join(", ")}`);
    labels.model = model.name;
    // Integer versions, as in Triton (the human version is in the metadata parameters).
    if (version !== undefined && decodeURIComponent(version) !== model.version) {
      throw new ProtocolError(404, "unknown_model_version", `unknown version "${version}" of ${model.name}; available: ${model.version}`);
    }
    if (action === "/ready") {
      only("GET");
      labels.route = "model_ready";
      send(res, model.encoder.healthy ? 200 : 503, { name: model.name, ready: model.encoder.healthy });
      return;
    }
    if (action === "/infer") {
      only("POST");
      if (!model.encoder.healthy) throw new ProtocolError(503, "not_ready", `model ${model.name} is not ready (its encoder stopped); retry on another replica`);
      const encoded = await handleInfer(ctx, model, req, res);
      send(res, 200, encoded.body, encoded.headers);
      return;
    }
    only("GET");
    labels.route = "model_metadata";
    send(res, 200, model.metadata());
  }

  const server = createServer((req, res) => {
    active++;
    if (shuttingDown) res.setHeader("connection", "close");
    const labels = { route: "other", model: "" };
    route(req, res, labels)
      .catch((err: unknown) => {
        const pe = toProtocolError(err);
        if (pe.status >= 500 && pe.code === "internal") log(`internal error on ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
        if (res.headersSent || res.destroyed) return;
        const headers: Record<string, string> = {};
        if (pe.status === 401) headers["www-authenticate"] = 'Bearer realm="image-features"';
        // The rest of an oversized body is not read: close so it cannot be taken as a next request.
        if (pe.code === "body_too_large") headers.connection = "close";
        if (pe.status === 429 || pe.status === 503) headers["retry-after"] = "1";
        send(res, pe.status === 499 ? 400 : pe.status, errorBody(pe), headers);
      })
      .finally(() => {
        metrics.requests.inc({ route: labels.route, model: labels.model, code: String(res.statusCode) });
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
      await Promise.all(served.map((m) => m.batcher.drain()));
      if (active > 0) await new Promise<void>((resolve) => (onIdle = resolve));
      server.closeIdleConnections();
      await closed;
      clearTimeout(force);
      await Promise.all(served.map((m) => m.encoder.close()));
      log("shutdown complete");
    })());

  const providers = Object.fromEntries(served.map((m) => [m.name, m.encoder.provider]));
  return { url: `http://${host}:${address.port}`, port: address.port, providers, models: served.map((m) => m.name), close };
}
