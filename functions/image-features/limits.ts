/**
 * Request-size and admission limits: the body is read with a byte cap (413 past it, checked from
 * Content-Length first and again while streaming), and at most maxQueue infer requests are admitted
 * at once (503 queue_full past it, as Triton), so a burst cannot queue unbounded memory.
 */
import type { IncomingMessage } from "node:http";
import { ProtocolError } from "./protocol.js";

export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(new ProtocolError(413, "body_too_large", `request body is ${declared} bytes; the limit is ${maxBytes}`));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off("data", onData);
        req.resume(); // discard the rest so the response can still be written
        reject(new ProtocolError(413, "body_too_large", `request body exceeds the ${maxBytes}-byte limit`));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks, size)));
    req.on("error", reject);
  });
}

/** Counts admitted infer requests (decoding, queued or running). */
export class Admission {
  private active = 0;
  constructor(private readonly max: number) {}

  get inflight(): number {
    return this.active;
  }

  /** Admit one request or throw 429; call the returned function exactly once when done. */
  acquire(): () => void {
    if (this.active >= this.max) {
      // 503, as Triton answers "exceeds maximum queue size" (UNAVAILABLE); Retry-After is set.
      throw new ProtocolError(503, "queue_full", `server is at its limit of ${this.max} queued requests for this model; retry later`);
    }
    this.active++;
    let released = false;
    return () => {
      if (!released) this.active--;
      released = true;
    };
  }
}
