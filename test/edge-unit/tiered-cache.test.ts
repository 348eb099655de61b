import { describe, expect, it } from "vitest";
import { LruCache } from "../../functions/edge/cache/lru";
import { decodeVectors, encodeVectors } from "../../functions/edge/cache/tensor-codec";
import { KvWritePolicy } from "../../functions/edge/cache/kv-write-policy";
import { type RemoteStore, TieredFeatureCache, vectorsBytes } from "../../functions/edge/cache/tiered-cache";

function memoryStore(tier: RemoteStore["tier"], fail = false): RemoteStore & { data: Map<string, Uint8Array> } {
  const data = new Map<string, Uint8Array>();
  return {
    tier,
    data,
    async get(k) {
      if (fail) throw new Error("down");
      return data.get(k) ?? null;
    },
    async put(k, v) {
      if (fail) throw new Error("down");
      data.set(k, v);
    },
  };
}

describe("tensor codec", () => {
  it("round-trips named vectors exactly and compactly", () => {
    const v = { pooled: Float32Array.from([1.5, -2, Math.PI]), grid: new Float32Array(225 * 66).map((_, i) => i / 7) };
    const bytes = encodeVectors(v);
    expect(bytes.byteLength).toBeLessThan((3 + 225 * 66) * 4 + 128);
    expect(decodeVectors(bytes)).toEqual(v);
  });
  it("treats corrupt or truncated entries as misses", () => {
    const bytes = encodeVectors({ a: Float32Array.from([1, 2]) });
    expect(decodeVectors(bytes.subarray(0, bytes.length - 1))).toBeNull();
    expect(decodeVectors(new TextEncoder().encode("not a cache entry"))).toBeNull();
    const wrongMagic = bytes.slice();
    wrongMagic[0] = 0;
    expect(decodeVectors(wrongMagic)).toBeNull();
  });
});

describe("TieredFeatureCache", () => {
  const waits: Promise<unknown>[] = [];
  const waitUntil = (p: Promise<unknown>) => void waits.push(p);

  it("writes every tier and reads the fastest hit first", async () => {
    const cacheApi = memoryStore("cache-api");
    const kv = memoryStore("kv");
    const c = new TieredFeatureCache(new LruCache(10, 1e6, vectorsBytes), [cacheApi, kv]);
    c.put("k", { text: Float32Array.from([1, 2]) }, waitUntil);
    await Promise.all(waits);
    expect(cacheApi.data.has("k") && kv.data.has("k")).toBe(true);
    expect((await c.get("k", waitUntil))?.tier).toBe("memory");
  });

  it("promotes a KV hit into memory and the Cache API", async () => {
    const cacheApi = memoryStore("cache-api");
    const kv = memoryStore("kv");
    kv.data.set("k", encodeVectors({ text: Float32Array.from([3]) }));
    const c = new TieredFeatureCache(new LruCache(10, 1e6, vectorsBytes), [cacheApi, kv]);
    const hit = await c.get("k", waitUntil);
    expect(hit?.tier).toBe("kv");
    await Promise.all(waits);
    expect(cacheApi.data.has("k")).toBe(true);
    expect((await c.get("k", waitUntil))?.tier).toBe("memory");
  });

  it("a failing tier is a miss, not an error", async () => {
    const c = new TieredFeatureCache(new LruCache(10, 1e6, vectorsBytes), [memoryStore("cache-api", true)]);
    expect(await c.get("k", waitUntil)).toBeNull();
    c.put("k", { text: Float32Array.from([1]) }, waitUntil);
    await Promise.all(waits); // rejected puts are settled, not thrown
    expect((await c.get("k", waitUntil))?.tier).toBe("memory");
  });
});

describe("TieredFeatureCache.getOrCompute (single-flight)", () => {
  const waits: Promise<unknown>[] = [];
  const waitUntil = (p: Promise<unknown>) => void waits.push(p);

  it("ten concurrent misses of one key: one computation, one write per tier", async () => {
    const cacheApi = memoryStore("cache-api");
    const c = new TieredFeatureCache(new LruCache(10, 1e6, vectorsBytes), [cacheApi]);
    let calls = 0;
    let release!: () => void;
    const compute = () => {
      calls++;
      return new Promise<{ v: Float32Array }>((r) => (release = () => r({ v: Float32Array.from([7]) })));
    };
    const all = Array.from({ length: 10 }, () => c.getOrCompute("img", compute, waitUntil));
    await new Promise((r) => setTimeout(r, 5));
    release();
    const results = await Promise.all(all);
    expect(calls).toBe(1);
    expect(c.computations).toBe(1);
    expect(results.filter((r) => !r.shared).length).toBe(1);
    expect(results.every((r) => r.tier === null && r.value.v![0] === 7)).toBe(true);
    await Promise.all(waits);
    expect(cacheApi.data.size).toBe(1);
    expect((await c.getOrCompute("img", compute, waitUntil)).tier).toBe("memory");
    expect(calls).toBe(1);
  });

  it("a failed computation reaches every waiter, caches nothing, and the next call computes again", async () => {
    const cacheApi = memoryStore("cache-api");
    const c = new TieredFeatureCache(new LruCache(10, 1e6, vectorsBytes), [cacheApi]);
    let calls = 0;
    const failing = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 2));
      throw new Error("502 from upstream");
    };
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => c.getOrCompute("img", failing, waitUntil)));
    expect(calls).toBe(1);
    expect(settled.every((s) => s.status === "rejected")).toBe(true);
    await Promise.all(waits);
    expect(cacheApi.data.size).toBe(0);
    expect(c.memory.size).toBe(0);
    const ok = await c.getOrCompute("img", async () => ({ v: Float32Array.from([1]) }), waitUntil);
    expect(ok.tier).toBeNull();
    expect(calls).toBe(1);
  });

  it("an entry `accept` refuses (wrong dims) is recomputed", async () => {
    const c = new TieredFeatureCache(new LruCache(10, 1e6, vectorsBytes), []);
    c.put("k", { v: Float32Array.from([1]) }, waitUntil);
    const r = await c.getOrCompute("k", async () => ({ v: Float32Array.from([1, 2]) }), waitUntil, (v) => v.v?.length === 2);
    expect(r.tier).toBeNull();
    expect(r.value.v!.length).toBe(2);
  });

  it("getOrComputeMany encodes each distinct miss once, joining keys already in flight", async () => {
    const c = new TieredFeatureCache(new LruCache(100, 1e6, vectorsBytes), []);
    c.put("a", { t: Float32Array.from([1]) }, waitUntil);
    const batches: (readonly string[])[] = [];
    const computeMany = async (keys: readonly string[]) => {
      batches.push(keys);
      await new Promise((r) => setTimeout(r, 2));
      return keys.map((k) => ({ t: Float32Array.from([k.charCodeAt(0)]) }));
    };
    const [first, second] = await Promise.all([c.getOrComputeMany(["a", "b", "c", "b"], computeMany, waitUntil), c.getOrComputeMany(["c", "d"], computeMany, waitUntil)]);
    expect(batches).toEqual([["b", "c"], ["d"]]);
    expect(first.map((r) => r.tier)).toEqual(["memory", null, null, null]);
    expect(second.map((r) => r.shared)).toEqual([true, false]);
    expect(second[0]!.value.t![0]).toBe("c".charCodeAt(0));
  });
});

describe("KV write policy", () => {
  const waits: Promise<unknown>[] = [];
  const waitUntil = (p: Promise<unknown>) => void waits.push(p);
  const setup = (writes: "on-reuse" | "always" | "never", maxEntryBytes = 1e9) => {
    const cacheApi = memoryStore("cache-api");
    const kv = memoryStore("kv");
    let kvPuts = 0;
    const countingKv: RemoteStore = { tier: "kv", get: kv.get, put: async (k, v) => void (kvPuts++, await kv.put(k, v)) };
    const c = new TieredFeatureCache(new LruCache(10, 1e6, vectorsBytes), [cacheApi, countingKv], new KvWritePolicy({ writes, maxEntryBytes }));
    return { c, cacheApi, kv, puts: () => kvPuts };
  };
  const value = () => ({ grid: new Float32Array(1000).fill(0.5) });

  it("on-reuse: a new entry skips KV; its first reuse writes it once; later hits write nothing", async () => {
    const { c, cacheApi, kv, puts } = setup("on-reuse");
    await c.getOrCompute("img", async () => value(), waitUntil);
    await Promise.all(waits);
    expect(cacheApi.data.has("img")).toBe(true);
    expect(puts()).toBe(0);
    for (let i = 0; i < 3; i++) await c.getOrCompute("img", async () => value(), waitUntil);
    await Promise.all(waits);
    expect(puts()).toBe(1);
    expect(kv.data.has("img")).toBe(true);
    expect(c.kvPolicy.writes).toBe(1);
    expect(c.kvPolicy.bytes).toBe(kv.data.get("img")!.byteLength);
  });

  it("on-reuse: a hit from the Cache API (another isolate computed it) counts as reuse", async () => {
    const { c, cacheApi, puts } = setup("on-reuse");
    cacheApi.data.set("img", encodeVectors(value()));
    expect((await c.get("img", waitUntil))?.tier).toBe("cache-api");
    await Promise.all(waits);
    expect(puts()).toBe(1);
  });

  it("on-reuse: an entry read from KV is never written back", async () => {
    const { c, kv, puts } = setup("on-reuse");
    kv.data.set("img", encodeVectors(value()));
    await c.get("img", waitUntil);
    await c.get("img", waitUntil);
    await Promise.all(waits);
    expect(puts()).toBe(0);
  });

  it("always writes each new entry; never writes none; entries over the size cap never go to KV", async () => {
    const always = setup("always");
    await always.c.getOrCompute("a", async () => value(), waitUntil);
    await always.c.getOrCompute("a", async () => value(), waitUntil);
    const never = setup("never");
    await never.c.getOrCompute("a", async () => value(), waitUntil);
    await never.c.getOrCompute("a", async () => value(), waitUntil);
    const capped = setup("on-reuse", 1000);
    for (let i = 0; i < 3; i++) await capped.c.getOrCompute("a", async () => value(), waitUntil);
    await Promise.all(waits);
    expect([always.puts(), never.puts(), capped.puts()]).toEqual([1, 0, 0]);
    expect(never.cacheApi.data.has("a") && capped.cacheApi.data.has("a")).toBe(true);
  });
});
