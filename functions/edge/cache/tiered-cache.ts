/**
 * The per-modality feature cache: a bounded in-isolate LRU of decoded vectors, then remote tiers
 * holding the binary form (Cache API, then Workers KV when bound). Reads stop at the first hit and
 * copy the entry into the faster tiers; writes go through `waitUntil`, so the response never waits
 * for them. KV is written according to its write policy (kv-write-policy.ts). Concurrent misses of
 * one key share one computation (single-flight.ts). Only successful, validated features are ever
 * put here: a failed computation throws to every waiter and leaves nothing behind.
 */
import { KvWritePolicy } from "./kv-write-policy";
import { LruCache } from "./lru";
import { SingleFlight } from "./single-flight";
import { decodeVectors, encodeVectors, type NamedVectors } from "./tensor-codec";

export type CacheTier = "memory" | "cache-api" | "kv";

export interface RemoteStore {
  readonly tier: Exclude<CacheTier, "memory">;
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

export type WaitUntil = (promise: Promise<unknown>) => void;

/** What getOrCompute found: the tier it came from (null: computed now), and whether it waited on another request's computation. */
export interface Lookup {
  readonly value: NamedVectors;
  readonly tier: CacheTier | null;
  readonly shared: boolean;
}

const always = () => true;

export class TieredFeatureCache {
  private readonly flights = new SingleFlight<NamedVectors>();
  /** How many computations getOrCompute/getOrComputeMany started (a benchmark and test figure). */
  computations = 0;

  constructor(
    readonly memory: LruCache<NamedVectors>,
    private readonly remotes: readonly RemoteStore[],
    readonly kvPolicy: KvWritePolicy = new KvWritePolicy(),
  ) {}

  async get(key: string, waitUntil: WaitUntil): Promise<{ value: NamedVectors; tier: CacheTier } | null> {
    const local = this.memory.get(key);
    if (local) {
      this.writeKvOnReuse(key, local, null, waitUntil);
      return { value: local, tier: "memory" };
    }
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
      const faster = this.remotes.slice(0, i).filter((s) => s.tier !== "kv");
      if (faster.length) waitUntil(Promise.allSettled(faster.map((s) => s.put(key, bytes!))));
      if (store.tier === "kv") this.kvPolicy.onKvHit(key);
      else this.writeKvOnReuse(key, value, bytes, waitUntil);
      return { value, tier: store.tier };
    }
    return null;
  }

  put(key: string, value: NamedVectors, waitUntil: WaitUntil): void {
    this.memory.set(key, value);
    if (this.remotes.length === 0) return;
    const bytes = encodeVectors(value);
    const targets = this.remotes.filter((s) => s.tier !== "kv" || this.kvPolicy.onFresh(key, bytes.byteLength));
    if (targets.length) waitUntil(Promise.allSettled(targets.map((s) => s.put(key, bytes))));
  }

  /**
   * The entry for `key` (when `accept` takes it), else `compute()`'s result, cached. Concurrent
   * calls for one key while it is being looked up or computed share that work.
   */
  async getOrCompute(key: string, compute: () => Promise<NamedVectors>, waitUntil: WaitUntil, accept: (v: NamedVectors) => boolean = always): Promise<Lookup> {
    const local = this.memory.get(key);
    if (local && accept(local)) {
      this.writeKvOnReuse(key, local, null, waitUntil);
      return { value: local, tier: "memory", shared: false };
    }
    let tier: CacheTier | null = null;
    const { promise, shared } = this.flights.run(key, async () => {
      const hit = await this.get(key, waitUntil);
      if (hit && accept(hit.value)) {
        tier = hit.tier;
        return hit.value;
      }
      this.computations++;
      const value = await compute();
      this.put(key, value, waitUntil);
      return value;
    });
    const value = await promise;
    return { value, tier: shared ? null : tier, shared };
  }

  /**
   * getOrCompute for a batch (text encoders run many texts at once): cached entries are read, keys
   * another request is computing are joined, and the rest go to one `computeMany` call.
   */
  async getOrComputeMany(
    keys: readonly string[],
    computeMany: (missing: readonly string[]) => Promise<readonly NamedVectors[]>,
    waitUntil: WaitUntil,
    accept: (v: NamedVectors) => boolean = always,
  ): Promise<Lookup[]> {
    const found = await Promise.all(keys.map((k) => this.get(k, waitUntil)));
    const results: (Lookup | undefined)[] = found.map((f) => (f && accept(f.value) ? { value: f.value, tier: f.tier, shared: false } : undefined));
    const missing = [...new Set(keys.filter((_, i) => !results[i]))];
    if (missing.length) {
      const { promises, shared } = this.flights.runMany(missing, async (own) => {
        this.computations++;
        const values = await computeMany(own);
        own.forEach((k, i) => this.put(k, values[i]!, waitUntil));
        return values;
      });
      const values = await Promise.all(promises);
      const byKey = new Map(missing.map((k, i) => [k, { value: values[i]!, tier: null, shared: shared[i]! }]));
      keys.forEach((k, i) => {
        results[i] ??= byKey.get(k);
      });
    }
    return results as Lookup[];
  }

  /** KV's `on-reuse` policy: a hit in a faster tier writes the entry to KV once. */
  private writeKvOnReuse(key: string, value: NamedVectors, bytes: Uint8Array | null, waitUntil: WaitUntil): void {
    const kv = this.remotes.find((s) => s.tier === "kv");
    if (!kv || !this.kvPolicy.wantsReuseWrite(key)) return;
    const encoded = bytes ?? encodeVectors(value);
    if (this.kvPolicy.onReuse(key, encoded.byteLength)) waitUntil(Promise.allSettled([kv.put(key, encoded)]));
  }
}

export function vectorsBytes(v: NamedVectors): number {
  let n = 64;
  for (const x of Object.values(v)) n += x.byteLength + 32;
  return n;
}
