/** Cache keys for per-modality features: `{modality}:{modelId}@{modelVersion}:{sha256}`. */

export type Modality = "text" | "image" | "audio";

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function featureKey(modality: Modality, model: { id: string; version: string }, contentSha256: string): string {
  return `${modality}:${model.id}@${model.version}:${contentSha256}`;
}
