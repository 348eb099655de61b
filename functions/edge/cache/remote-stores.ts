/** Remote tiers of the feature cache: the Cache API of the data centre, and Workers KV. */
import type { RemoteStore } from "./tiered-cache";

const CACHE_ORIGIN = "https://feature-cache.edgefuse.internal/";

export function cacheApiStore(cache: Cache, ttlSeconds: number): RemoteStore {
  const url = (key: string) => CACHE_ORIGIN + encodeURIComponent(key);
  return {
    tier: "cache-api",
    async get(key) {
      const res = await cache.match(url(key));
      return res ? new Uint8Array(await res.arrayBuffer()) : null;
    },
    async put(key, bytes) {
      await cache.put(
        url(key),
        new Response(bytes, { headers: { "content-type": "application/octet-stream", "cache-control": `max-age=${ttlSeconds}` } }),
      );
    },
  };
}

export function kvStore(kv: KVNamespace, ttlSeconds: number): RemoteStore {
  return {
    tier: "kv",
    async get(key) {
      const buf = await kv.get(key, "arrayBuffer");
      return buf ? new Uint8Array(buf) : null;
    },
    async put(key, bytes) {
      await kv.put(key, bytes, { expirationTtl: Math.max(60, ttlSeconds) });
    },
  };
}
