/**
 * The one error model of the edge: throw an AppError anywhere; `onError` turns it into
 * `{ "error": { "code", "message", "requestId" } }`. Anything else becomes a 500 without details.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./env";

export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function errorResponse(c: Context<AppEnv>, err: AppError): Response {
  const requestId = c.get("requestId") ?? "unknown";
  return c.json({ error: { code: err.code, message: err.message, requestId, ...(err.details ? { details: err.details } : {}) } }, err.status);
}

export function handleError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof AppError) return errorResponse(c, err);
  // Hono's own HTTPExceptions (e.g. from body limits) carry a status we keep.
  const status = (err as { status?: unknown }).status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return errorResponse(c, new AppError(status as ContentfulStatusCode, "bad_request", err.message || "bad request"));
  }
  console.error(JSON.stringify({ level: "error", requestId: c.get("requestId"), message: err.message, stack: err.stack }));
  return errorResponse(c, new AppError(500, "internal_error", "internal error"));
}

export function notFound(c: Context<AppEnv>): Response {
  return errorResponse(c, new AppError(404, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));
}
