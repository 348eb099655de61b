/**
 * Session-create and per-run time of each edge model, as shipped and pre-optimised offline
 * (scripts/optimize/optimize-edge-models.ts), in workerd (onnxruntime-web WASM through the edge's
 * own inference/ort.ts, in the bench Worker scripts/bench/ort-worker) against onnxruntime-node
 * (native, one thread) on the same files, rounds interleaved in one run.
 *   npx tsx scripts/bench/ort-variants.ts [--rounds 5] [--iterations 200] [--out f.json]
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import * as ort from "onnxruntime-node";
import { edgeModelFiles, type FeedSpec, syntheticFeedSpec } from "./edge-models";
import { fmt, machine, median, runAsScript, startEdge } from "./lib";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const ROUNDS = opt("--rounds", 5);
const ITERATIONS = opt("--iterations", 200);
const CREATES = 3;

type Level = "disabled" | "all";
interface Variant {
  readonly model: string;
  readonly variant: "as shipped" | "pre-optimised";
  readonly path: string;
  readonly bytes: number;
  readonly feeds: Record<string, FeedSpec>;
}

/** onnxruntime-node writes the optimised graph ("extended", int8 weights folded) to a temp file. */
async function preOptimised(path: string, dir: string): Promise<string> {
  const out = join(dir, `${createHash("sha256").update(path).digest("hex").slice(0, 8)}-${basename(path)}`);
  const s = await ort.InferenceSession.create(path, { graphOptimizationLevel: "extended", intraOpNumThreads: 1, optimizedModelFilePath: out, extra: { session: { disable_quant_qdq: "1" } } });
  await s.release();
  return out;
}

function nativeFeeds(spec: Record<string, FeedSpec>): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, s] of Object.entries(spec)) {
    const n = s.dims.reduce((a, b) => a * b, 1);
    out[name] = s.type === "float32" ? new ort.Tensor("float32", new Float32Array(n).fill(s.fill), s.dims) : new ort.Tensor("int64", new BigInt64Array(n).fill(BigInt(s.fill)), s.dims);
  }
  return out;
}

async function native(v: Variant, level: Level): Promise<{ createMs: number; runMs: number; output: number[] }> {
  const options: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: level, intraOpNumThreads: 1, interOpNumThreads: 1, extra: { session: { disable_quant_qdq: "1" } } };
  const bytes = readFileSync(v.path);
  let session: ort.InferenceSession | null = null;
  const t0 = performance.now();
  for (let i = 0; i < CREATES; i++) {
    await session?.release();
    session = await ort.InferenceSession.create(bytes, options);
  }
  const createMs = (performance.now() - t0) / CREATES;
  const first = await session!.run(nativeFeeds(v.feeds));
  const r0 = performance.now();
  for (let i = 0; i < ITERATIONS; i++) await session!.run(nativeFeeds(v.feeds));
  const runMs = (performance.now() - r0) / ITERATIONS;
  const output = Array.from((Object.values(first)[0]!.data as Float32Array).slice(0, 8));
  await session!.release();
  return { createMs, runMs, output };
}

export async function benchOrtVariants() {
  console.log(`ORT variants bench on ${machine()}: ${ROUNDS} rounds × ${ITERATIONS} runs, session create × ${CREATES}`);
  const dir = mkdtempSync(join(tmpdir(), "edgefuse-variants-"));
  const variants: Variant[] = [];
  for (const f of edgeModelFiles().filter((m) => m.suite === "sort-of-clevr")) {
    const feeds = await syntheticFeedSpec(f.path);
    const model = `${f.role} ${f.name}`;
    const optimised = await preOptimised(f.path, dir);
    variants.push({ model, variant: "as shipped", path: f.path, bytes: readFileSync(f.path).length, feeds });
    if (readFileSync(optimised).equals(readFileSync(f.path))) continue; // the shipped file is already optimised
    variants.push({ model, variant: "pre-optimised", path: optimised, bytes: readFileSync(optimised).length, feeds });
  }
  const edge = await startEdge({ ORT_STARTUP: "eager" }, "scripts/bench/ort-worker/wrangler.toml");
  type Sample = { wasm: { createMs: number; runMs: number }; native: { createMs: number; runMs: number } };
  const samples = new Map<string, Sample[]>();
  const outputs = new Map<string, { wasm: number[]; native: number[] }>();
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const v of variants) {
        for (const level of ["all", "disabled"] as const) {
          if (v.variant === "as shipped" && level === "disabled") continue; // an unoptimised graph is not meant to run unoptimised
          const key = `${v.model}|${v.variant}|${level}`;
          const res = await fetch(`${edge.url}/session`, {
            method: "POST",
            body: JSON.stringify({ model: readFileSync(v.path).toString("base64"), feeds: v.feeds, graphOptimization: level, creates: CREATES, iterations: ITERATIONS }),
          });
          if (!res.ok) throw new Error(`${key}: ${res.status} ${await res.text()}`);
          const w = (await res.json()) as { createMs: number; runMs: number; output: number[] };
          const n = await native(v, level);
          samples.set(key, [...(samples.get(key) ?? []), { wasm: w, native: n }]);
          outputs.set(key, { wasm: w.output, native: n.output });
        }
      }
      console.log(`round ${r + 1}/${ROUNDS} done`);
    }
  } finally {
    await edge.stop();
  }
  const rows = [...samples.entries()].map(([key, s]) => {
    const [model, variant, level] = key.split("|");
    const v = variants.find((x) => x.model === model && x.variant === variant)!;
    const o = outputs.get(key)!;
    const row = {
      model: model!,
      variant: variant!,
      sessionOptimisation: level!,
      bytes: v.bytes,
      wasmCreateMs: median(s.map((x) => x.wasm.createMs)),
      wasmRunMs: median(s.map((x) => x.wasm.runMs)),
      nativeCreateMs: median(s.map((x) => x.native.createMs)),
      nativeRunMs: median(s.map((x) => x.native.runMs)),
      runRatio: median(s.map((x) => x.wasm.runMs / x.native.runMs)),
      maxOutputDifference: Math.max(...o.wasm.map((x, i) => Math.abs(x - o.native[i]!))),
    };
    console.log(`${row.model.padEnd(20)} ${row.variant.padEnd(14)} opt=${row.sessionOptimisation.padEnd(8)} create wasm ${fmt(row.wasmCreateMs)} / native ${fmt(row.nativeCreateMs)} ms; run wasm ${fmt(row.wasmRunMs)} / native ${fmt(row.nativeRunMs)} ms = ${row.runRatio.toFixed(2)}×`);
    return row;
  });
  return { machine: machine(), rounds: ROUNDS, iterations: ITERATIONS, creates: CREATES, loadAverageAtEnd: (await import("node:os")).loadavg(), rows };
}

await runAsScript(import.meta.url, benchOrtVariants);
