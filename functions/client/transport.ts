/**
 * One HTTP exchange: headers (auth, request id), the deadline, and the mapping of every failure to
 * an EdgefuseError, so callers handle one error type whatever went wrong.
 */
import { deadline } from "./deadline";
import { EdgefuseError } from "./errors";
import { newRequestId } from "./request-id";
import { parseServerTiming } from "./server-timing";
import type { CallOptions, ErrorBody, WithMeta } from "./types";

export interface TransportConfig {
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

export interface RequestSpec {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly body?: BodyInit | undefined;
  readonly contentType?: string | undefined;
}

export async function send<T extends object>(cfg: TransportConfig, spec: RequestSpec, opts: CallOptions = {}): Promise<WithMeta<T>> {
  const sentId = opts.requestId ?? newRequestId();
  const headers: Record<string, string> = { accept: "application/json", "x-request-id": sentId };
  if (spec.contentType) headers["content-type"] = spec.contentType;
  if (cfg.apiKey) headers.authorization = `Bearer ${cfg.apiKey}`;
  const dl = deadline(opts.signal, opts.timeoutMs ?? cfg.timeoutMs);
  const t0 = performance.now();
  let res: Response;
  let text: string;
  try {
    res = await cfg.fetch(cfg.baseUrl + spec.path, { method: spec.method, headers, body: spec.body ?? null, signal: dl.signal });
    text = await res.text();
  } catch (cause) {
    throw abortOrNetworkError(cause, dl.timedOut(), opts.signal, opts.timeoutMs ?? cfg.timeoutMs, sentId);
  } finally {
    dl.dispose();
  }
  const requestId = res.headers.get("x-request-id") ?? sentId;
  const parsed = parseJson(text);
  if (!res.ok) throw serverError(res.status, parsed, requestId);
  if (typeof parsed !== "object" || parsed === null) {
    throw new EdgefuseError("invalid_response", `expected a JSON object from ${spec.path} (HTTP ${res.status})`, res.status, requestId);
  }
  const meta = { status: res.status, requestId, serverTiming: parseServerTiming(res.headers.get("server-timing")), elapsedMs: performance.now() - t0 };
  return { ...(parsed as T), meta };
}

function abortOrNetworkError(cause: unknown, timedOut: boolean, signal: AbortSignal | undefined, timeoutMs: number, requestId: string): EdgefuseError {
  if (timedOut) return new EdgefuseError("timeout", `no answer within ${timeoutMs} ms`, 0, requestId, undefined, { cause });
  if (signal?.aborted) return new EdgefuseError("aborted", "the call was aborted", 0, requestId, undefined, { cause: signal.reason ?? cause });
  const why = cause instanceof Error ? cause.message : String(cause);
  return new EdgefuseError("network_error", `the request failed: ${why}`, 0, requestId, undefined, { cause });
}

function serverError(status: number, body: unknown, requestId: string): EdgefuseError {
  const e = (body as Partial<ErrorBody> | undefined)?.error;
  if (e && typeof e.code === "string" && typeof e.message === "string") {
    return new EdgefuseError(e.code, e.message, status, e.requestId || requestId, e.details);
  }
  // Not the edge's error shape: a proxy or platform page in front of it.
  return new EdgefuseError("invalid_response", `HTTP ${status} without an error body`, status, requestId);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
