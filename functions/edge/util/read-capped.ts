/**
 * Reads a body stream into bytes, stopping (and cancelling the stream) as soon as it passes `cap`:
 * an oversized upload or download is refused without first being buffered whole.
 */
import { AppError } from "../errors";

export async function readCapped(body: ReadableStream<Uint8Array> | null, cap: number, tooLarge: () => AppError): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
