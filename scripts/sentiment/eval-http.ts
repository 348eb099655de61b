/**
 * Sentiment accuracy through the real HTTP path: `POST /v1/suites/sentiment/predict` on the edge
 * Worker (wrangler dev) with the feature function serving sentiment-face and sentiment-audio.
 * Fresh samples are generated here (seed 2027 by default, never used in training): the PNG and WAV
 * bytes the dataset CLI would write are sent as base64 inputs.
 *
 *   npx tsx scripts/sentiment/eval-http.ts [--count 1000] [--seed 2027] [--url http://127.0.0.1:8787] [--out models/sentiment/eval-http.json]
 *
 * Every head answers with all three modalities; the default head also answers text+face,
 * text+voice and text alone. Each sample's second request reuses the same face and voice, so its
 * `cache` must say "hit" for both: the figure is reported.
 */
import { writeFileSync } from "node:fs";
import { encodeWav, generateSample, LABELS, SAMPLE_RATE, synthVoice } from "../../functions/tasks/sentiment/index";
import { faceImage, facePng } from "../dataset/sentiment";
import { machine } from "../bench/lib";
import { startStack, type Stack } from "../bench/stack";

const SUBSETS: Record<string, readonly ("face" | "voice")[]> = { "text+face+voice": ["face", "voice"], "text+face": ["face"], "text+voice": ["voice"], text: [] };

function args() {
  const a = { count: 1000, seed: 2027, url: "", out: "models/sentiment/eval-http.json", concurrency: 4 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1] ?? ""];
    if (k === "--count") a.count = Number(v);
    else if (k === "--seed") a.seed = Number(v);
    else if (k === "--url") a.url = v;
    else if (k === "--out") a.out = v;
    else if (k === "--concurrency") a.concurrency = Number(v);
    else throw new Error(`unknown argument ${k} (see the header of scripts/sentiment/eval-http.ts)`);
  }
  if (!Number.isInteger(a.count) || a.count < 1) throw new Error("--count must be a positive integer");
  return a;
}

interface PredictResponse {
  predictions: { label: string; score: number }[];
  score?: number | null;
  fusion: string;
  modalitiesUsed: string[];
  cache: Record<string, string | string[]>;
}

const isHit = (c: string | string[] | undefined) => (Array.isArray(c) ? c.length > 0 && c.every((x) => x === "hit") : c === "hit");

async function main() {
  const a = args();
  let stack: Stack | null = null;
  let url = a.url;
  if (!url) {
    console.log("starting the local stack (feature function + wrangler dev)…");
    // Accuracy, not latency, is measured here: on a loaded 2-core machine the first audio encodes can
    // take longer than the edge's default 2 s attempt timeout, so the evaluation stack allows 20 s.
    stack = await startStack({ IMAGE_FEATURES_ATTEMPT_TIMEOUT_MS: "20000", IMAGE_FEATURES_DEADLINE_MS: "60000" });
    url = stack.edge.url;
  }
  try {
    const suites = (await (await fetch(`${url}/v1/suites`)).json()) as { suites: { id: string; fusionMethods?: string[]; heads?: { fusion: string }[]; defaultFusion?: string }[] };
    const suite = suites.suites.find((s) => s.id === "sentiment");
    if (!suite) throw new Error("the edge does not serve the sentiment suite");
    const fusions = suite.fusionMethods ?? [...new Set((suite.heads ?? []).map((h) => h.fusion))];
    const primary = suite.defaultFusion ?? "attention";
    console.log(`fusions: ${fusions.join(", ")} (default ${primary}); ${a.count} samples of seed ${a.seed}`);
    let retries = 0;
    const predict = async (body: unknown, attempt = 0): Promise<PredictResponse> => {
      let res: Response;
      try {
        res = await fetch(`${url}/v1/suites/sentiment/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      } catch (err) {
        // wrangler dev reloads when files it watches change (a shared working tree): retry, counted
        if (attempt >= 5) throw err;
        retries++;
        await new Promise((r) => setTimeout(r, 3000));
        return predict(body, attempt + 1);
      }
      const raw = await res.text();
      let json: PredictResponse & { error?: { code: string; message: string } };
      try {
        json = JSON.parse(raw) as typeof json;
      } catch {
        // wrangler dev answers with an HTML/text page while a reload is under way
        if (res.status >= 500 && attempt < 5) {
          retries++;
          await new Promise((r) => setTimeout(r, 3000));
          return predict(body, attempt + 1);
        }
        throw new Error(`HTTP ${res.status}: not JSON: ${raw.slice(0, 120)}`);
      }
      // an upstream failure (502/503/504) is retried and counted; anything else stops the run
      if (res.status >= 502 && res.status <= 504 && attempt < 4) {
        retries++;
        await new Promise((r) => setTimeout(r, 2000));
        return predict(body, attempt + 1);
      }
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${json.error?.code} ${json.error?.message}`);
      return json;
    };
    type Row = { fusion: string; subset: string; right: number; n: number; sarRight: number; sarN: number; hits: number; repeats: number; used: Set<string> };
    const rows = new Map<string, Row>();
    const row = (fusion: string, subset: string) => {
      const k = `${fusion}|${subset}`;
      if (!rows.has(k)) rows.set(k, { fusion, subset, right: 0, n: 0, sarRight: 0, sarN: 0, hits: 0, repeats: 0, used: new Set() });
      return rows.get(k)!;
    };
    const t0 = performance.now();
    let next = 0;
    let done = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= a.count) return;
        const sample = generateSample(a.seed, i);
        const face = { base64: Buffer.from(facePng(await faceImage(sample))).toString("base64") };
        const voice = { base64: Buffer.from(encodeWav(synthVoice(sample.voice), SAMPLE_RATE)).toString("base64") };
        const jobs: [string, string][] = [...fusions.map((f) => [f, "text+face+voice"] as [string, string]), ...Object.keys(SUBSETS).filter((s) => s !== "text+face+voice").map((s) => [primary, s] as [string, string])];
        let first = true;
        for (const [fusion, subset] of jobs) {
          const inputs: Record<string, unknown> = { text: sample.text };
          for (const m of SUBSETS[subset]!) inputs[m] = m === "face" ? face : voice;
          const r = await predict({ inputs, fusion });
          const top = r.predictions[0]?.label;
          const rw = row(fusion, subset);
          rw.n++;
          if (top === sample.label) rw.right++;
          if (sample.kind === "sarcastic") {
            rw.sarN++;
            if (top === sample.label) rw.sarRight++;
          }
          r.modalitiesUsed.forEach((m) => rw.used.add(m));
          if (!first && subset === "text+face+voice") {
            rw.repeats++;
            if (isHit(r.cache.face) && isHit(r.cache.voice)) rw.hits++;
          }
          first = false;
        }
        done++;
        if (done % 10 === 0) process.stderr.write(`\r${done}/${a.count} samples (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
    };
    await Promise.all(Array.from({ length: a.concurrency }, worker));
    process.stderr.write("\n");
    const out = {
      command: `npx tsx scripts/sentiment/eval-http.ts --count ${a.count} --seed ${a.seed}`,
      note: `${a.count} fresh samples (seed ${a.seed}), sent as PNG + WAV base64 through the edge and the feature function on ${machine()}; ${((performance.now() - t0) / 1000).toFixed(0)} s; ${retries} upstream retries. Labels: ${LABELS.join(", ")}.`,
      rows: [...rows.values()].map((r) => ({
        fusion: r.fusion, subset: r.subset, n: r.n, acc: r.right / r.n, sarcastic: r.sarN ? r.sarRight / r.sarN : null,
        modalitiesUsed: [...r.used].sort(), cacheHits: r.repeats ? `${r.hits}/${r.repeats}` : "–",
      })),
    };
    writeFileSync(a.out, JSON.stringify(out, null, 1) + "\n");
    for (const r of out.rows) console.log(`${r.fusion.padEnd(10)} ${r.subset.padEnd(16)} ${(r.acc * 100).toFixed(1)}%  sarcastic ${r.sarcastic === null ? "–" : (r.sarcastic * 100).toFixed(1) + "%"}  used ${r.modalitiesUsed.join("+")}  cache hits on repeat ${r.cacheHits}`);
    console.log(`wrote ${a.out}`);
  } finally {
    await stack?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
