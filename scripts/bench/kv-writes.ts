/**
 * KV writes and bytes of the load mix (load-mix.ts: warm-up + measured run, as load.ts sends them)
 * under each KV write policy, replayed through the edge's own TieredFeatureCache and KvWritePolicy
 * (functions/edge/cache) with entries of the real sizes (text 64 floats; image pooled 64 + grid
 * 225 × 66 floats), the in-isolate LRU at the configured caps, and in-memory Cache API and KV
 * stores that count what they are sent. One isolate; a real deployment has one LRU per isolate and
 * one Cache API per data centre, so it writes more: the ratio between policies is the figure.
 *   npx tsx scripts/bench/kv-writes.ts [--requests 10000] [--warmup 30000] [--out f.json]
 */
import { KvWritePolicy, type KvWrites } from "../../functions/edge/cache/kv-write-policy";
import { LruCache } from "../../functions/edge/cache/lru";
import { type RemoteStore, TieredFeatureCache, vectorsBytes } from "../../functions/edge/cache/tiered-cache";
import type { NamedVectors } from "../../functions/edge/cache/tensor-codec";
import { runAsScript } from "./lib";
import { MIX_DESCRIPTION, mixRequest, primingRequests } from "./load-mix";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const REQUESTS = opt("--requests", 10_000);
const WARMUP = opt("--warmup", 30_000);
const MiB = 2 ** 20;
/** wrangler.toml's defaults (TEXT_/IMAGE_CACHE_MAX_*) and the KV entry cap (FEATURE_KV_MAX_ENTRY_BYTES). */
const CAPS = { textEntries: 10_000, textBytes: 8 * MiB, imageEntries: 500, imageBytes: 32 * MiB, kvMaxEntryBytes: 1 * MiB };

class CountingStore implements RemoteStore {
  readonly entries = new Map<string, Uint8Array>();
  puts = 0;
  bytes = 0;
  constructor(readonly tier: "cache-api" | "kv") {}
  async get(key: string) {
    return this.entries.get(key) ?? null;
  }
  async put(key: string, bytes: Uint8Array) {
    this.puts++;
    this.bytes += bytes.byteLength;
    this.entries.set(key, bytes);
  }
}

const textFeatures = (): NamedVectors => ({ text_features: new Float32Array(64) });
const imageFeatures = (): NamedVectors => ({ pooled: new Float32Array(64), grid: new Float32Array(225 * 66) });

/**
 * "load mix": exactly what load.ts sends (its 150 "new" images recur, so nearly every input is
 * reused). "one-off images": the same, except that each of those 10% is an image never seen again,
 * the long tail a public endpoint gets.
 */
type Scenario = "load mix" | "one-off images";

async function replay(writes: KvWrites, scenario: Scenario) {
  const stores = { cacheApi: new CountingStore("cache-api"), kv: new CountingStore("kv") };
  const policy = () => new KvWritePolicy({ writes, maxEntryBytes: CAPS.kvMaxEntryBytes });
  const text = new TieredFeatureCache(new LruCache(CAPS.textEntries, CAPS.textBytes, vectorsBytes), [stores.cacheApi, stores.kv], policy());
  const image = new TieredFeatureCache(new LruCache(CAPS.imageEntries, CAPS.imageBytes, vectorsBytes), [stores.cacheApi, stores.kv], policy());
  const pending: Promise<unknown>[] = [];
  const waitUntil = (p: Promise<unknown>) => void pending.push(p);
  const encodes = { text: 0, image: 0 };
  let oneOff = 0;
  const requests = [...primingRequests(), ...Array.from({ length: WARMUP + REQUESTS }, (_, i) => mixRequest(i))];
  for (const m of requests) {
    const image_ = scenario === "one-off images" && m.pool === "cold" ? `once-${oneOff++}` : `${m.pool}-${m.image}`;
    const imageKey = `image:soc-image@1:${image_}`;
    const textKey = `text:soc-text@1:${image_}-q${m.question}-p${m.padding}`;
    await text.getOrCompute(textKey, async () => (encodes.text++, textFeatures()), waitUntil);
    await image.getOrCompute(imageKey, async () => (encodes.image++, imageFeatures()), waitUntil);
  }
  await Promise.all(pending);
  return {
    scenario,
    policy: writes,
    requests: requests.length,
    encodes,
    cacheApi: { puts: stores.cacheApi.puts, bytes: stores.cacheApi.bytes },
    kv: { puts: stores.kv.puts, bytes: stores.kv.bytes, storedEntries: stores.kv.entries.size, storedBytes: [...stores.kv.entries.values()].reduce((n, b) => n + b.byteLength, 0) },
  };
}

export async function benchKvWrites() {
  const results = [];
  for (const scenario of ["load mix", "one-off images"] as const) for (const w of ["always", "on-reuse", "never"] as const) {
    const r = await replay(w, scenario);
    results.push(r);
    console.log(`${scenario}, ${w.padEnd(9)} ${r.requests} requests: encodes text ${r.encodes.text}, image ${r.encodes.image}; Cache API puts ${r.cacheApi.puts} (${(r.cacheApi.bytes / MiB).toFixed(1)} MiB); KV puts ${r.kv.puts} (${(r.kv.bytes / MiB).toFixed(1)} MiB), stored ${r.kv.storedEntries} entries`);
  }
  return { mix: MIX_DESCRIPTION, warmup: WARMUP, requests: REQUESTS, caps: CAPS, results };
}

await runAsScript(import.meta.url, benchKvWrites);
