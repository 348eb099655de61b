/** Cheap checks on image bytes before they leave the edge: size and a known container format. */
import { AppError } from "../errors";

import { MAX_IMAGE_BYTES } from "../limits";

export { MAX_IMAGE_BYTES };

export type ImageFormat = "png" | "jpeg" | "webp";

export function sniffImageFormat(b: Uint8Array): ImageFormat | null {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return "png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === "RIFF" && String.fromCharCode(...b.subarray(8, 12)) === "WEBP") return "webp";
  return null;
}

export function checkImageBytes(b: Uint8Array): ImageFormat {
  if (b.byteLength === 0) throw new AppError(400, "empty_image", "the image is empty");
  if (b.byteLength > MAX_IMAGE_BYTES) throw new AppError(413, "image_too_large", `the image is over ${MAX_IMAGE_BYTES} bytes`);
  const format = sniffImageFormat(b);
  if (!format) throw new AppError(415, "unsupported_image_type", "the image must be PNG, JPEG or WebP");
  return format;
}

/** Strict base64 (standard or URL alphabet, optional data: URL prefix) to bytes. */
export function decodeBase64Image(s: string): Uint8Array {
  const body = s.replace(/^data:image\/[a-z+.-]+;base64,/i, "").replace(/\s+/g, "");
  if (body.length > Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 4) throw new AppError(413, "image_too_large", `the image is over ${MAX_IMAGE_BYTES} bytes`);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(body) || body.length % 4 === 1) throw new AppError(400, "invalid_base64", "image.base64 is not valid base64");
  let binary: string;
  try {
    binary = atob(body.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    throw new AppError(400, "invalid_base64", "image.base64 is not valid base64");
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
