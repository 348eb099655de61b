/**
 * Load test against the local stack (loopback only, bounded): 10,000 requests at concurrency 50 with
 * autocannon, a mix of cached and uncached work on two suites (Sort-of-CLEVR /v1/answer, and every
 * 10th request a sentiment predict); samples the RSS of workerd and of the image-feature function and
 * reports its drift over the second half of the run, then the isolate's own footprint (ORT's wasm
 * linear memory and the bounded caches' fill, GET /_bench/memory) with both suites resident.
 *   npx tsx scripts/bench/load.ts [--requests 10000] [--connections 50] [--warmup 30000] [--out f.json]
 *
 * The measured requests follow a warm-up of the same mix: under `wrangler dev`, workerd's RSS
 * climbs by about 8 KB per request even on GET /healthz (no model, no cache), more slowly as the
 * run goes on, so without a warm-up the local runtime's own growth, not this code's, dominates.
 * docs/BENCHMARKS.md reports the growth during the warm-up too.
 */
import autocannon, { type Result as AutocannonResult } from "autocannon";
import { machine, percentile, processStats, runAsScript } from "./lib";
import { MIX_DESCRIPTION, type MixRequest, mixRequest, POOLS, primingRequests } from "./load-mix";
import { sceneSample } from "./scenes";
import { encodeWav, generateSample, SAMPLE_RATE, synthVoice } from "../../functions/tasks/sentiment/index";
import { faceImage, facePng } from "../dataset/sentiment";
import { startStack } from "./stack";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const REQUESTS = opt("--requests", 10_000);
const CONNECTIONS = opt("--connections", 50);
const WARMUP = opt("--warmup", 30_000);
const SEED = 8080;
/** The second suite's share of the mix: every SENTIMENT_EVERY-th request, over SENTIMENT_SAMPLES samples. */
const SENTIMENT_EVERY = 10;
const SENTIMENT_SAMPLES = 30;
const SENTIMENT_FUSIONS = ["attention", "concat", "tensor", "lmf", "gated", "late"] as const;

function quarters(xs: number[]): number[] {
  const q = Math.floor(xs.length / 4);
  return [0, 1, 2, 3].map((i) => Math.round(percentile(xs.slice(i * q, (i + 1) * q), 50)));
}

function drift(samples: number[]): number {
  const half = samples.slice(Math.floor(samples.length / 2));
  return Math.max(...half) / Math.min(...half) - 1;
}

export async function benchLoad() {
  console.log(`load test on ${machine()}: ${REQUESTS} requests, ${CONNECTIONS} connections`);
  const stack = await startStack({ BENCH_ROUTES: "1" });
  try {
    const pools = {
      hot: Array.from({ length: POOLS.hot }, (_, i) => sceneSample(SEED, i)),
      warm: Array.from({ length: POOLS.warm }, (_, i) => sceneSample(SEED, 100 + i)),
      cold: Array.from({ length: POOLS.cold }, (_, i) => sceneSample(SEED, 1000 + i)),
    };
    const body = (m: MixRequest) => {
      const s = pools[m.pool][m.image]!;
      return JSON.stringify({ question: `${s.questions[m.question]!.question}${" ".repeat(m.padding)}`, image: { base64: s.base64 }, fusion: m.fusion });
    };
    const sentiment: string[] = [];
    for (let i = 0; i < SENTIMENT_SAMPLES; i++) {
      const sample = generateSample(SEED, i);
      const inputs = {
        text: sample.text,
        face: { base64: Buffer.from(facePng(await faceImage(sample))).toString("base64") },
        voice: { base64: Buffer.from(encodeWav(synthVoice(sample.voice), SAMPLE_RATE)).toString("base64") },
      };
      for (const fusion of SENTIMENT_FUSIONS) sentiment.push(JSON.stringify({ inputs, fusion }));
    }
    const post = async (path: string, payload: string) => {
      const res = await fetch(`${stack.edge.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: payload });
      if (res.status !== 200) throw new Error(`priming ${path} failed: ${res.status} ${await res.text()}`);
    };
    for (const m of primingRequests()) await post("/v1/answer", body(m));
    // Every sentiment head loaded before the run: the first sample with each fusion.
    for (const payload of sentiment.slice(0, SENTIMENT_FUSIONS.length)) await post("/v1/suites/sentiment/predict", payload);
    let n = 0;
    let soc = 0;
    const pick = (): { path: string; body: string } => {
      const i = n++;
      if (i % SENTIMENT_EVERY === SENTIMENT_EVERY - 1) return { path: "/v1/suites/sentiment/predict", body: sentiment[Math.floor(i / SENTIMENT_EVERY) % sentiment.length]! };
      return { path: "/v1/answer", body: body(mixRequest(soc++)) };
    };
    const load = (amount: number) =>
      new Promise<AutocannonResult>((resolve, reject) => {
        autocannon(
          {
            url: stack.edge.url,
            connections: CONNECTIONS,
            amount,
            timeout: 30,
            requests: [{ method: "POST", path: "/v1/answer", headers: { "content-type": "application/json" }, setupRequest: (req) => ({ ...req, ...pick() }) }],
          },
          (err, res) => (err ? reject(err) : resolve(res)),
        );
      });
    const sample = () => ({ workerd: processStats(stack.edge.process.pid!, /workerd/).rssMiB, image: processStats(stack.image.process.pid!, /image-features/).rssMiB });
    const beforeWarmup = sample();
    const warmupRun = WARMUP > 0 ? await load(WARMUP) : null;
    const afterWarmup = sample();
    if (warmupRun) console.log(`warm-up: ${warmupRun.requests.total} requests, errors ${warmupRun.errors + warmupRun.timeouts}, non-2xx ${warmupRun.non2xx}; RSS workerd ${beforeWarmup.workerd.toFixed(0)} → ${afterWarmup.workerd.toFixed(0)} MiB, image-feature function ${beforeWarmup.image.toFixed(0)} → ${afterWarmup.image.toFixed(0)} MiB`);
    const samples: { workerd: number; image: number }[] = [];
    const timer = setInterval(() => samples.push(sample()), 250);
    const result = await load(REQUESTS);
    clearInterval(timer);
    const isolate = (await (await fetch(`${stack.edge.url}/_bench/memory`)).json()) as Record<string, unknown>;
    const out = {
      machine: machine(),
      requests: result.requests.total,
      concurrency: CONNECTIONS,
      mix: `${MIX_DESCRIPTION}; every ${SENTIMENT_EVERY}th request a sentiment predict (${SENTIMENT_SAMPLES} samples with text, face and voice, fusions in rotation)`,
      // The isolate's own footprint after the run, both suites resident (GET /_bench/memory).
      isolate,
      warmup: { requests: warmupRun?.requests.total ?? 0, errors: warmupRun ? warmupRun.errors + warmupRun.timeouts + warmupRun.non2xx : 0, rssBeforeMiB: beforeWarmup, rssAfterMiB: afterWarmup },
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      rps: result.requests.total / result.duration,
      rssSamples: samples.length,
      rssDrift: { workerd: drift(samples.map((s) => s.workerd)), image: drift(samples.map((s) => s.image)) },
      peakRssMiB: { workerd: Math.max(...samples.map((s) => s.workerd)), image: Math.max(...samples.map((s) => s.image)) },
      rssMedianMiB: { workerd: percentile(samples.map((s) => s.workerd), 50), image: percentile(samples.map((s) => s.image), 50) },
      // Median RSS per quarter of the run: a leak climbs quarter after quarter, GC saw-teeth do not.
      rssQuartersMiB: { workerd: quarters(samples.map((s) => s.workerd)), image: quarters(samples.map((s) => s.image)) },
    };
    console.log(`${out.requests} requests in ${result.duration.toFixed(1)} s (${out.rps.toFixed(0)} req/s): errors ${out.errors}, non-2xx ${out.non2xx}, p50 ${out.p50Ms} ms, p99 ${out.p99Ms} ms`);
    console.log(`isolate after the run: ${JSON.stringify(isolate)}`);
    console.log(`RSS median per quarter (MiB): workerd ${out.rssQuartersMiB.workerd.join(", ")}; image-feature function ${out.rssQuartersMiB.image.join(", ")}`);
    console.log(`RSS drift over the second half: workerd ${(100 * out.rssDrift.workerd).toFixed(1)}% (peak ${out.peakRssMiB.workerd.toFixed(0)} MiB), image-feature function ${(100 * out.rssDrift.image).toFixed(1)}% (peak ${out.peakRssMiB.image.toFixed(0)} MiB)`);
    const ok = out.requests >= REQUESTS && out.errors === 0 && out.non2xx === 0 && out.rssDrift.workerd <= 0.1 && out.rssDrift.image <= 0.1;
    console.log(`bars (${REQUESTS} requests, 0 errors, RSS flat within 10%): ${ok ? "MET" : "NOT MET"}`);
    return out;
  } finally {
    await stack.stop();
  }
}

await runAsScript(import.meta.url, benchLoad);
