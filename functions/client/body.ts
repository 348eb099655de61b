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
  return { body: form };
}

function jsonBody(fields: AnswerFields, image: { readonly url: string } | { readonly base64: string }): EncodedBody {
  const json = {
    ...(fields.batch ? { questions: fields.questions } : { question: fields.questions[0] }),
    image,
    ...(fields.fusion !== undefined ? { fusion: fields.fusion } : {}),
    ...(fields.topK !== undefined ? { topK: fields.topK } : {}),
    ...(fields.allowDegraded !== undefined ? { allowDegraded: fields.allowDegraded } : {}),
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
  return "application/octet-stream";
}

/** btoa over chunks: works in browsers and Node ≥ 16 without Buffer, and avoids call-stack limits. */
function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
