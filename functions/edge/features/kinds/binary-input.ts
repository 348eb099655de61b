/** The JSON and multipart forms shared by byte-valued kinds (image, audio): { base64 } | { url } | a file part. */
import { AppError } from "../../errors";
import type { Modality } from "../../../suites/manifest";
import { decodeBase64 } from "../../validation/base64";
import { type ModalityInput, maxInputBytes } from "./kind";

export function binaryFromJson(value: unknown, mod: Modality, where: string): ModalityInput {
  const v = value as Record<string, unknown> | null;
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new AppError(400, "invalid_input", `${where} must be { "base64": "..." } or { "url": "https://..." } (${mod.kind})`, { modality: mod.name });
  }
  const keys = Object.keys(v);
  if (keys.length === 1 && typeof v.base64 === "string") return { form: "bytes", bytes: decodeBase64(v.base64, maxInputBytes(mod), `${where}.base64`, `${mod.kind}_too_large`) };
  if (keys.length === 1 && typeof v.url === "string") return { form: "url", url: v.url };
  throw new AppError(400, "invalid_input", `${where} needs exactly one of base64 (string) or url (string)`, { modality: mod.name });
}

export async function binaryFromPart(part: File | string, mod: Modality, where: string): Promise<ModalityInput> {
  if (typeof part === "string") {
    // A text field: a URL (a file part is the way to send bytes).
    if (/^https?:\/\//i.test(part.trim())) return { form: "url", url: part.trim() };
    throw new AppError(400, "invalid_input", `${where} must be a file part (or a field holding an http(s) URL)`, { modality: mod.name });
  }
  if (part.size > maxInputBytes(mod)) throw new AppError(413, `${mod.kind}_too_large`, `${where} is over ${maxInputBytes(mod)} bytes`, { modality: mod.name });
  return { form: "bytes", bytes: new Uint8Array(await part.arrayBuffer()) };
}
