/**
 * The per-modality feature cache: a bounded in-isolate LRU of decoded vectors, then remote tiers
 * holding the binary form (Cache API, then Workers KV when bound). Reads stop at the first hit and
 * copy the entry into the faster tiers; writes go to every tier through `waitUntil`, so the
 * response never waits for them. Only successful, validated features are ever put here.
 */
import { LruCache } from "./lru";
import { decodeVectors, encodeVectors, type NamedVectors } from "./tensor-codec";

export type CacheTier = "memory" | "cache-api" | "kv";

export interface RemoteStore {
  readonly tier: Exclude<CacheTier, "memory">;
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

export type WaitUntil = (promise: Promise<unknown>) => void;

export class TieredFeatureCache {
  constructor(
    readonly memory: LruCache<NamedVectors>,
    private readonly remotes: readonly RemoteStore[],
  ) {}

  async get(key: string, waitUntil: WaitUntil): Promise<{ value: NamedVectors; tier: CacheTier } | null> {
    const local = this.memory.get(key);
    if (local) return { value: local, tier: "memory" };
    for (let i = 0; i < this.remotes.length; i++) {
      const store = this.remotes[i]!;
      let bytes: Uint8Array | null = null;
      try {
        bytes = await store.get(key);
      } catch {
        continue; // a failing tier is a miss, not an error
      }
      const value = bytes && decodeVectors(bytes);
      if (!value) continue;
      this.memory.set(key, value);
      const faster = this.remotes.slice(0, i);
      if (faster.length) waitUntil(Promise.allSettled(faster.map((s) => s.put(key, bytes!))));
      return { value, tier: store.tier };
    }
    return null;
  }

  put(key: string, value: NamedVectors, waitUntil: WaitUntil): void {
    this.memory.set(key, value);
    if (this.remotes.length === 0) return;
    const bytes = encodeVectors(value);
    waitUntil(Promise.allSettled(this.remotes.map((s) => s.put(key, bytes))));
  }
}

export function vectorsBytes(v: NamedVectors): number {
  let n = 64;
  for (const x of Object.values(v)) n += x.byteLength + 32;
  return n;
}
