/**
 * A minimal PNG encoder on web APIs (CompressionStream), so tests inside workerd can turn generated
 * Sort-of-CLEVR scenes into the bytes a client would upload.
 */
import { concatBytes, ihdr, PNG_SIGNATURE, pngChunk } from "../../functions/tasks/png-chunks";

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([new Uint8Array(data)]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function encodePngWeb(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  return concatBytes([PNG_SIGNATURE, pngChunk("IHDR", ihdr(width, height, 2)), pngChunk("IDAT", await deflate(raw)), pngChunk("IEND", new Uint8Array(0))]);
}

export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
