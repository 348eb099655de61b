/**
 * Bearer-token check for every endpoint except the health probes. Compares SHA-256 digests with
 * timingSafeEqual so neither the token's content nor its length leaks through response timing.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { ProtocolError } from "./protocol.js";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

export class BearerAuth {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  /** Throws a 401 ProtocolError unless `authorization` is `Bearer <token>`. */
  check(authorization: string | undefined): void {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!match?.[1]) throw new ProtocolError(401, "missing_token", "missing bearer token (Authorization: Bearer <token>)");
    if (!timingSafeEqual(digest(match[1]), this.expected)) throw new ProtocolError(401, "invalid_token", "invalid bearer token");
  }
}
