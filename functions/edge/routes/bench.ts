/**
 * Benchmark-only routes, answering only when BENCH_ROUTES is on (config.ts) (set by `npm run bench` through
 * `wrangler dev --var`, never in wrangler.toml). workerd's clock moves in 1 ms steps at best, so
 * in-worker latency is measured over many repetitions inside one request.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { answer } from "../features/answer";
import { wasmMemoryBytes } from "../inference/ort";
import { readJsonBody } from "../middleware/json-body";
import { manifest } from "../models/manifest";
import { getServices } from "../services";
import { parseJsonAnswerRequest } from "../validation/answer-request";

function iterationsOf(body: { iterations?: unknown }): number {
  return Math.min(Math.max(Number(body.iterations) || 100, 1), 5000);
}

async function benchBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  if (!c.get("config").benchRoutes) throw new AppError(404, "not_found", "benchmark routes are off");
  return (await readJsonBody(c, 8 * 1024 * 1024)) as Record<string, unknown>;
}

async function perCall(iterations: number, work: () => Promise<unknown>) {
  await work(); // warm: sessions loaded, caches filled
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await work();
  const totalMs = performance.now() - t0;
  return { iterations, totalMs, perCallMs: totalMs / iterations };
}

/** Counters of one bounded cache: what it holds and its caps. */
function lruFigures(cache: { size: number; bytes: number; maxEntries: number; maxBytes: number }) {
  return { entries: cache.size, bytes: cache.bytes, maxEntries: cache.maxEntries, maxBytes: cache.maxBytes };
}

export const bench = new Hono<AppEnv>()
  .get("/_bench/memory", (c) => {
    // The isolate's footprint as far as it can be observed from inside: ORT's wasm linear memory and the bounded caches.
    if (!c.get("config").benchRoutes) throw new AppError(404, "not_found", "benchmark routes are off");
    const { textCache, imageCache, fusedCache } = getServices(c.env);
    const kv = imageCache.kvPolicy; // text and image caches share one policy
    return c.json({
      wasmMemoryBytes: wasmMemoryBytes(),
      caches: { text: lruFigures(textCache.memory), image: lruFigures(imageCache.memory), fused: lruFigures(fusedCache) },
      computations: { text: textCache.computations, image: imageCache.computations },
      kv: { policy: kv.options.writes, writes: kv.writes, bytesWritten: kv.bytes, skipped: kv.skipped },
    });
  })
  .post("/_bench/text-encode", async (c) => {
    const body = await benchBody(c);
    const text = typeof body.text === "string" ? body.text : "what shape is the red object?";
    const { suiteText } = getServices(c.env);
    return c.json(await perCall(iterationsOf(body), () => suiteText.encode([text])));
  })
  .post("/_bench/answer-cached", async (c) => {
    // Both modalities cached: the whole answer pipeline after the first call. With `rerunHead`,
    // the memoised head output is dropped each time, so the fusion head really runs.
    const body = await benchBody(c);
    const { rerunHead, iterations: _iterations, ...request } = body;
    const req = parseJsonAnswerRequest(request, false, manifest.defaultFusion);
    const { fusedCache } = getServices(c.env);
    return c.json(await perCall(iterationsOf(body), () => {
        if (rerunHead === true) fusedCache.clear();
        return answer(c, req);
      }));
  });
