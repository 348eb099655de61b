/**
 * What an error answer of the feature function (ours, Triton or KServe) means for the edge. Only an
 * explicit rejection of the input, named by one of the feature function's stable input codes, is the
 * caller's fault (422). Every other 4xx says the edge and the upstream disagree about the contract
 * (datatype, shape, tensor or model name, version: Triton answers 400 for all of those, with only a
 * message) or about credentials: that is an outage of the feature path, a 502 that counts against
 * the circuit breaker. 429 and 5xx are transient: retried, then 502/504.
 */

/** Input-rejection codes of the feature function (docs/image-features.md), per modality kind. */
const INPUT_REJECTIONS: Record<string, ReadonlySet<string>> = {
  image: new Set(["unsupported_image_format", "corrupt_image", "image_too_large"]),
  audio: new Set(["unsupported_audio_format", "unsupported_audio_encoding", "corrupt_audio", "unsupported_sample_rate", "audio_too_short", "audio_too_long"]),
};

export type UpstreamVerdict =
  | { readonly kind: "retry" } // 429, 5xx
  | { readonly kind: "input-rejected"; readonly code: string } // 422 to the caller; the upstream is healthy
  | { readonly kind: "auth" } // 401/403: the edge's token is wrong
  | { readonly kind: "contract" }; // any other 4xx: a deployment mismatch

/**
 * The stable code an error body carries: `{ "code": "corrupt_image" }` (this project's function), or an
 * `error` message that starts with `corrupt_image:` (the Triton preprocessing model raises them so).
 */
export function upstreamErrorCode(body: Uint8Array): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const { code, error } = parsed as { code?: unknown; error?: unknown };
  if (typeof code === "string" && /^[a-z][a-z0-9_]{0,63}$/.test(code)) return code;
  const prefix = typeof error === "string" ? error.match(/^\s*\[?([a-z][a-z0-9_]{0,63})\]?:/) : null;
  return prefix ? prefix[1]! : null;
}

export function classifyUpstreamError(status: number, body: Uint8Array, modalityKind: string): UpstreamVerdict {
  if (status === 429 || status >= 500) return { kind: "retry" };
  if (status === 401 || status === 403) return { kind: "auth" };
  const code = upstreamErrorCode(body);
  if (code !== null && INPUT_REJECTIONS[modalityKind]?.has(code)) return { kind: "input-rejected", code };
  return { kind: "contract" };
}
