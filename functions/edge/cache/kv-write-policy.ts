/**
 * When the KV tier is written. KV bills per write and per GB stored (the free plan allows 1,000
 * writes a day), while most inputs are seen once. So by default (`on-reuse`) a fresh entry goes to
 * the in-isolate LRU and the Cache API only, and is written to KV the first time it is read again
 * (a hit in a faster tier proves reuse). `always` writes every new entry, `never` none; entries over
 * `maxEntryBytes` never go to KV. An isolate remembers which keys it already wrote, so a hot key is
 * one write per isolate, not one per hit.
 */
import { LruCache } from "./lru";

export type KvWrites = "on-reuse" | "always" | "never";

export interface KvWritePolicyOptions {
  readonly writes: KvWrites;
  readonly maxEntryBytes: number;
}

export class KvWritePolicy {
  /** Keys this isolate has decided about (written, found in KV, or too large). */
  private readonly written = new LruCache<true>(20_000, Number.MAX_SAFE_INTEGER, () => 1);
  /** Writes and bytes this isolate sent to KV (for benchmarks and tests). */
  writes = 0;
  bytes = 0;
  /** Fresh entries and reuses that did not lead to a KV write (policy, size cap, or already written). */
  skipped = 0;

  constructor(readonly options: KvWritePolicyOptions = { writes: "always", maxEntryBytes: Number.MAX_SAFE_INTEGER }) {}

  /** On a fresh entry (just computed). */
  onFresh(key: string, byteLength: number): boolean {
    const write = this.options.writes === "always" && this.admit(key, byteLength);
    if (!write) this.skipped++;
    return write;
  }

  /** Whether a hit in a faster tier could still lead to a KV write (cheap: no encoding needed to ask). */
  wantsReuseWrite(key: string): boolean {
    return this.options.writes === "on-reuse" && !this.written.has(key);
  }

  /** On a hit in a tier faster than KV. */
  onReuse(key: string, byteLength: number): boolean {
    const write = this.options.writes === "on-reuse" && this.admit(key, byteLength);
    if (!write) this.skipped++;
    return write;
  }

  /** A KV hit: the entry is there already. */
  onKvHit(key: string): void {
    this.written.set(key, true);
  }

  private admit(key: string, byteLength: number): boolean {
    if (this.written.has(key)) return false;
    this.written.set(key, true); // decided once: written now, or too large for KV for good
    if (byteLength > this.options.maxEntryBytes) return false;
    this.writes++;
    this.bytes += byteLength;
    return true;
  }
}
