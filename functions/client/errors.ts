/**
 * The one error type the client throws. Server errors keep the server's `code`, HTTP `status` and
 * `requestId`; failures that never got an answer use client codes with status 0.
 */

/** Codes the client produces itself; any other code comes from the server (see the README's error table). */
export type ClientErrorCode = "timeout" | "aborted" | "network_error" | "invalid_response";

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

export class EdgefuseError extends Error {
  override readonly name = "EdgefuseError";

  constructor(
    /** The server's stable code (e.g. "unknown_fusion", "image_features_timeout") or a ClientErrorCode. */
    readonly code: string,
    message: string,
    /** HTTP status, or 0 when no response arrived. */
    readonly status: number,
    /** The x-request-id of the call: quote it when reporting a problem. */
    readonly requestId: string,
    readonly details?: Readonly<Record<string, unknown>>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Whether trying again later may succeed (rate limits, upstream trouble, timeouts, network). */
  get retryable(): boolean {
    return RETRYABLE_STATUS.has(this.status) || this.code === "timeout" || this.code === "network_error";
  }
}

/** `instanceof` fails across bundles or realms, so check the shape too. */
export function isEdgefuseError(e: unknown): e is EdgefuseError {
  return e instanceof EdgefuseError || (e instanceof Error && e.name === "EdgefuseError" && typeof (e as { code?: unknown }).code === "string");
}
