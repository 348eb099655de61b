/**
 * Benchmark-only routes, mounted when BENCH_ROUTES is "1" (set by `npm run bench` through
 * `wrangler dev --var`, never in wrangler.toml). workerd's clock moves in 1 ms steps at best, so
 * in-worker latency is measured over many repetitions inside one request.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { readJsonBody } from "../middleware/json-body";
import { getServices } from "../services";

export const bench = new Hono<AppEnv>().post("/_bench/text-encode", async (c) => {
  if (c.env.BENCH_ROUTES !== "1") throw new AppError(404, "not_found", "benchmark routes are off");
  const body = (await readJsonBody(c, 64 * 1024)) as { text?: unknown; iterations?: unknown };
  const text = typeof body.text === "string" ? body.text : "what shape is the red object?";
  const iterations = Math.min(Math.max(Number(body.iterations) || 100, 1), 5000);
  const { suiteText: textEncoder } = getServices(c.env);
  await textEncoder.encode([text]); // warm: session loaded, first run done
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await textEncoder.encode([text]);
  const totalMs = performance.now() - t0;
  return c.json({ iterations, totalMs, perCallMs: totalMs / iterations });
});
