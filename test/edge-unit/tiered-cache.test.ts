import { describe, expect, it } from "vitest";
import { LruCache } from "../../functions/edge/cache/lru";
import { decodeVectors, encodeVectors } from "../../functions/edge/cache/tensor-codec";
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
