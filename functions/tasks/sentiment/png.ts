/**
 * PNG writer for RGB images that runs anywhere: zlib framing with stored (uncompressed) deflate
 * blocks by default, or the caller's deflate (Node's zlib.deflateSync, CompressionStream output).
 */
import { concatBytes, ihdr, PNG_SIGNATURE, pngChunk } from "../png-chunks";
import type { RgbImage } from "./image";

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; i++) {
    a = (a + data[i]!) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib stream of stored blocks (valid for every inflater, no compression). */
export function zlibStored(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = new Uint8Array(2 + data.length + blocks * 5 + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let o = 2;
  for (let b = 0; b < blocks; b++) {
    const start = b * 65535;
    const len = Math.min(65535, data.length - start);
    out[o++] = b === blocks - 1 ? 1 : 0;
    out[o++] = len & 0xff;
    out[o++] = len >>> 8;
    out[o++] = ~len & 0xff;
    out[o++] = (~len >>> 8) & 0xff;
    out.set(data.subarray(start, start + len), o);
    o += len;
  }
  const ad = adler32(data);
  out[o++] = ad >>> 24;
  out[o++] = (ad >>> 16) & 0xff;
  out[o++] = (ad >>> 8) & 0xff;
  out[o++] = ad & 0xff;
  return out;
}

/** Encode an RGB image as PNG (colour type 2, 8 bit, filter 0). `deflate` must produce a zlib stream. */
export function encodePng(img: RgbImage, deflate: (raw: Uint8Array) => Uint8Array = zlibStored): Uint8Array {
  const { width, height, data } = img;
  if (data.length !== width * height * 3) throw new Error(`expected ${width * height * 3} bytes, got ${data.length}`);
  const stride = width * 3;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return concatBytes([PNG_SIGNATURE, pngChunk("IHDR", ihdr(width, height, 2)), pngChunk("IDAT", deflate(raw)), pngChunk("IEND", new Uint8Array(0))]);
}
