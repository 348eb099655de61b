/**
 * /v1/answer server-side time with both modalities cached vs both missing, and a batch of 10
 * questions on one image vs 10 single requests, in one run against the local stack.
 * `--out f.json` saves the numbers.
 */
import { fmt, machine, median, runAsScript, serverTiming } from "./lib";
import { sceneSample } from "./scenes";
import { startStack } from "./stack";

const SEED = 5150; // used by no training or evaluation split
const FUSIONS = ["concat", "sum", "product", "bilinear", "attention"] as const;

async function post(url: string, body: unknown): Promise<{ ms: number; serverMs: number; json: unknown; status: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json();
  return { ms: performance.now() - t0, serverMs: serverTiming(res.headers.get("server-timing"), "total"), json, status: res.status };
}

export async function benchAnswer() {
  console.log(`answer bench on ${machine()}`);
  const stack = await startStack({ BENCH_ROUTES: "1" });
  const edge = stack.edge.url;
  let scene = 0;
  try {
    // Warm every head and the image side once.
    for (const fusion of FUSIONS) {
      const s = sceneSample(SEED, scene++);
      const r = await post(`${edge}/v1/answer`, { question: s.questions[0]!.question, image: { base64: s.base64 }, fusion });
      if (r.status !== 200) throw new Error(`warm-up failed: ${JSON.stringify(r.json)}`);
    }
    const perFusion: Record<string, { missServerMs: number; hitServerMs: number; ratio: number; hitHeadRerunMs: number }> = {};
    for (const fusion of FUSIONS) {
      const miss: number[] = [];
      for (let i = 0; i < 25; i++) {
        const s = sceneSample(SEED, scene++);
        // A fresh image and a question string never sent before: both modalities miss.
        const r = await post(`${edge}/v1/answer`, { question: `${s.questions[i % 6]!.question}${" ".repeat(i + 1)}#${scene}`.replace(/#\d+$/, "?"), image: { base64: s.base64 }, fusion });
        miss.push(r.serverMs);
      }
      const s = sceneSample(SEED, scene++);
      const inWorker = async (rerunHead: boolean) => {
        const runs: number[] = [];
        for (let r = 0; r < 5; r++) runs.push(((await post(`${edge}/_bench/answer-cached`, { question: s.questions[3]!.question, image: { base64: s.base64 }, fusion, iterations: 300, rerunHead })).json as { perCallMs: number }).perCallMs);
        return median(runs);
      };
      const hit = await inWorker(false);
      const headRuns = await inWorker(true);
      perFusion[fusion] = { missServerMs: median(miss), hitServerMs: hit, ratio: hit / median(miss), hitHeadRerunMs: headRuns };
      console.log(`${fusion.padEnd(10)} both missing ${fmt(median(miss))} ms, both cached ${fmt(hit)} ms (${(median(miss) / hit).toFixed(0)}× faster); features cached but head rerun ${fmt(headRuns)} ms`);
    }

    // Batch of 10 questions on one image vs 10 single requests (each trial a fresh image).
    const batchMs: number[] = [];
    const singlesMs: number[] = [];
    for (let trial = 0; trial < 7; trial++) {
      const a = sceneSample(SEED, scene++);
      const qs = Array.from({ length: 10 }, (_, i) => `${a.questions[i % 6]!.question}${" ".repeat(trial * 10 + i + 1)}`);
      batchMs.push((await post(`${edge}/v1/answer/batch`, { questions: qs, image: { base64: a.base64 }, fusion: "attention" })).ms);
      const b = sceneSample(SEED, scene++);
      const t0 = performance.now();
      for (let i = 0; i < 10; i++) await post(`${edge}/v1/answer`, { question: `${b.questions[i % 6]!.question}${" ".repeat(200 + trial * 10 + i)}`, image: { base64: b.base64 }, fusion: "attention" });
      singlesMs.push(performance.now() - t0);
    }
    const result = {
      machine: machine(),
      perFusion,
      batch10Ms: median(batchMs),
      singles10Ms: median(singlesMs),
      batchSpeedup: median(singlesMs) / median(batchMs),
    };
    console.log(`10 questions, one image: batch ${fmt(result.batch10Ms)} ms vs 10 singles ${fmt(result.singles10Ms)} ms → ${result.batchSpeedup.toFixed(2)}× (medians of 7, end to end)`);
    return result;
  } finally {
    await stack.stop();
  }
}

await runAsScript(import.meta.url, benchAnswer);
