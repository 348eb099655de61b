/**
 * Request bodies for /v1/answer and /v1/answer/batch from an ImageSource. Bytes go as a multipart
 * file part by default (a third smaller than base64 and no encoding work in the browser); `{ url }`
 * and `{ base64 }` go as JSON because there are no bytes to upload.
 */
import type { ImageEncoding, ImageSource } from "./types";

export interface AnswerFields {
  readonly questions: readonly string[];
  readonly batch: boolean;
  readonly fusion?: string | undefined;
  readonly topK?: number | undefined;
  readonly allowDegraded?: boolean | undefined;
  readonly explain?: boolean | undefined;
}

export interface EncodedBody {
  readonly body: BodyInit;
  /** Absent for multipart: fetch sets the boundary itself. */
  readonly contentType?: string;
}

export async function encodeAnswerBody(fields: AnswerFields, image: ImageSource, encoding: ImageEncoding): Promise<EncodedBody> {
  if (isUrlOrBase64(image)) return jsonBody(fields, image);
  if (encoding === "json") return jsonBody(fields, { base64: toBase64(await toBytes(image)) });
  const form = new FormData();
  form.append("image", await toBlob(image), "image");
  for (const q of fields.questions) form.append("question", q);
  if (fields.fusion !== undefined) form.append("fusion", fields.fusion);
  if (fields.topK !== undefined) form.append("topK", String(fields.topK));
  if (fields.allowDegraded !== undefined) form.append("allowDegraded", String(fields.allowDegraded));
  if (fields.explain !== undefined) form.append("explain", String(fields.explain));
  return { body: form };
}

/** What predict sends besides the inputs. */
export interface PredictFields {
  readonly fusion?: string | undefined;
  readonly topK?: number | undefined;
  readonly allowDegraded?: boolean | undefined;
  readonly explain?: boolean | undefined;
}

/** A modality's input: text for text modalities, an ImageSource-like value for image and audio; null = absent. */
export type ModalityValue = string | ImageSource | null | undefined;

/**
 * POST /v1/suites/{suite}/predict: multipart (one part per modality, bytes as files) unless the
 * caller asks for JSON or an input is a URL or base64 already; then JSON with bytes as base64.
 */
export async function encodePredictBody(inputs: Readonly<Record<string, ModalityValue>>, fields: PredictFields, encoding: ImageEncoding): Promise<EncodedBody> {
  const entries = Object.entries(inputs).filter((e): e is [string, string | ImageSource] => e[1] !== null && e[1] !== undefined);
  const asJson = encoding === "json" || entries.some(([, v]) => typeof v !== "string" && isUrlOrBase64(v));
  const options = {
    ...(fields.fusion !== undefined ? { fusion: fields.fusion } : {}),
    ...(fields.topK !== undefined ? { topK: fields.topK } : {}),
    ...(fields.allowDegraded !== undefined ? { allowDegraded: fields.allowDegraded } : {}),
    ...(fields.explain !== undefined ? { explain: fields.explain } : {}),
  };
  if (asJson) {
    const json: Record<string, string | { readonly url: string } | { readonly base64: string }> = {};
    for (const [name, v] of entries) json[name] = typeof v === "string" || isUrlOrBase64(v) ? v : { base64: toBase64(await toBytes(v)) };
    return { body: JSON.stringify({ inputs: json, ...options }), contentType: "application/json" };
  }
  const form = new FormData();
  for (const [name, v] of entries) {
    if (typeof v === "string") form.append(name, v);
    else form.append(name, await toBlob(v as Blob | ArrayBuffer | ArrayBufferView), name);
  }
  for (const [k, v] of Object.entries(options)) form.append(k, String(v));
  return { body: form };
}

function jsonBody(fields: AnswerFields, image: { readonly url: string } | { readonly base64: string }): EncodedBody {
  const json = {
    ...(fields.batch ? { questions: fields.questions } : { question: fields.questions[0] }),
    image,
    ...(fields.fusion !== undefined ? { fusion: fields.fusion } : {}),
    ...(fields.topK !== undefined ? { topK: fields.topK } : {}),
    ...(fields.allowDegraded !== undefined ? { allowDegraded: fields.allowDegraded } : {}),
    ...(fields.explain !== undefined ? { explain: fields.explain } : {}),
  };
  return { body: JSON.stringify(json), contentType: "application/json" };
}

function isUrlOrBase64(image: ImageSource): image is { readonly url: string } | { readonly base64: string } {
  return !(image instanceof Blob) && !(image instanceof ArrayBuffer) && !ArrayBuffer.isView(image);
}

async function toBytes(image: Blob | ArrayBuffer | ArrayBufferView): Promise<Uint8Array<ArrayBuffer>> {
  if (image instanceof Blob) return new Uint8Array(await image.arrayBuffer());
  if (image instanceof ArrayBuffer) return new Uint8Array(image);
  // A copy: the view may sit on a SharedArrayBuffer or a larger buffer.
  return new Uint8Array(new Uint8Array(image.buffer, image.byteOffset, image.byteLength));
}

async function toBlob(image: Blob | ArrayBuffer | ArrayBufferView): Promise<Blob> {
  if (image instanceof Blob) return image;
  const bytes = await toBytes(image);
  return new Blob([bytes], { type: mimeType(bytes) });
}

/** A content type for the file part; the server sniffs the bytes anyway. */
function mimeType(b: Uint8Array): string {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "image/png";
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return "image/webp";
  if (b[8] === 0x57 && b[9] === 0x41 && b[10] === 0x56 && b[11] === 0x45) return "audio/wav";
  return "application/octet-stream";
}

/** btoa over chunks: works in browsers and Node ≥ 16 without Buffer, and avoids call-stack limits. */
function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
