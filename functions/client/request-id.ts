/**
 * Request ids for x-request-id. crypto.randomUUID exists only in secure contexts (https or
 * localhost), and a demo opened over a LAN address is neither, so fall back to getRandomValues.
 */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
