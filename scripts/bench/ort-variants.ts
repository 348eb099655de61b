/**
 * Session-create and per-run time of each edge model, as shipped and pre-optimised offline
 * (scripts/optimize/optimize-edge-models.ts), and each head with int8 weights against the same head
 * with fp32 weights (scripts/quantize/quantize-heads.ts), in workerd (onnxruntime-web WASM through the edge's
 * own inference/ort.ts, in the bench Worker scripts/bench/ort-worker) against onnxruntime-node
 * (native, one thread) on the same files, rounds interleaved in one run.
 * Times are CPU time (workerd process from /proc; this process from process.cpuUsage), which a
 * shared machine distorts far less than wall time; wall times are kept beside them.
 *   npx tsx scripts/bench/ort-variants.ts [--rounds 5] [--out f.json]
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import * as ort from "onnxruntime-node";
import { readOnnxOpTypes } from "../suite/onnx-graph";
import { edgeModelFiles, type FeedSpec, syntheticFeedSpec } from "./edge-models";
import { fmt, machine, median, ownCpuMs, processStats, runAsScript, startEdge } from "./lib";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const ROUNDS = opt("--rounds", 5);
const CREATES = 3;

type Level = "disabled" | "basic" | "all";
/** Native always runs at onnxruntime-node's default level: the denominator is native at its best. */
const NATIVE_LEVEL: Level = "all";
interface Variant {
  readonly model: string;
  readonly variant: "as shipped" | "pre-optimised" | "pre-optimised (basic)" | "fp32 weights";
  readonly path: string;
  readonly bytes: number;
  readonly feeds: Record<string, FeedSpec>;
}

/** onnxruntime-node writes the optimised graph (level "extended" or "basic", int8 weights folded) to a temp file. */
async function preOptimised(path: string, dir: string, level: "extended" | "basic" = "extended"): Promise<string> {
  const out = join(dir, `${createHash("sha256").update(path + level).digest("hex").slice(0, 8)}-${basename(path)}`);
  const s = await ort.InferenceSession.create(path, { graphOptimizationLevel: level, intraOpNumThreads: 1, optimizedModelFilePath: out, extra: { session: { disable_quant_qdq: "1" } } });
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

/** Runs per measurement: enough CPU time (~0.3 s) for the 10 ms /proc ticks of the workerd side. */
function iterationsFor(v: Variant): number {
  if (v.model.startsWith("encoder")) return 1500;
  return v.model.includes("attention") ? 60 : 400;
}

async function native(v: Variant, level: Level): Promise<{ createMs: number; runMs: number; createCpuMs: number; runCpuMs: number; output: number[] }> {
  const options: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: level, intraOpNumThreads: 1, interOpNumThreads: 1, extra: { session: { disable_quant_qdq: "1" } } };
  const bytes = readFileSync(v.path);
  let session: ort.InferenceSession | null = null;
  const c0 = ownCpuMs();
  const t0 = performance.now();
  for (let i = 0; i < CREATES; i++) {
    await session?.release();
    session = await ort.InferenceSession.create(bytes, options);
  }
  const createMs = (performance.now() - t0) / CREATES;
  const createCpuMs = (ownCpuMs() - c0) / CREATES;
  const first = await session!.run(nativeFeeds(v.feeds));
  const n = iterationsFor(v);
  const r0 = performance.now();
  const rc0 = ownCpuMs();
  for (let i = 0; i < n; i++) await session!.run(nativeFeeds(v.feeds));
  const runCpuMs = (ownCpuMs() - rc0) / n;
  const runMs = (performance.now() - r0) / n;
  const output = Array.from((Object.values(first)[0]!.data as Float32Array).slice(0, 8));
  await session!.release();
  return { createMs, runMs, createCpuMs, runCpuMs, output };
}

export async function benchOrtVariants() {
  console.log(`ORT variants bench on ${machine()}: ${ROUNDS} rounds, session create × ${CREATES}`);
  const dir = mkdtempSync(join(tmpdir(), "edgefuse-variants-"));
  const variants: Variant[] = [];
  for (const f of edgeModelFiles().filter((m) => m.suite === "sort-of-clevr")) {
    const feeds = await syntheticFeedSpec(f.path);
    const model = `${f.role} ${f.name}`;
    const optimised = await preOptimised(f.path, dir);
    variants.push({ model, variant: "as shipped", path: f.path, bytes: readFileSync(f.path).length, feeds });
    if (readFileSync(optimised).equals(readFileSync(f.path))) continue; // the shipped file is already optimised
    if (f.role === "head" && readOnnxOpTypes(readFileSync(f.path)).has("DequantizeLinear")) {
      // A head shipped with int8 weights: the same graph with its weights folded to fp32 offline, as
      // heads shipped before scripts/quantize/quantize-heads.ts (measured at the edge's level, basic).
      variants.push({ model, variant: "fp32 weights", path: optimised, bytes: readFileSync(optimised).length, feeds });
      continue;
    }
    variants.push({ model, variant: "pre-optimised", path: optimised, bytes: readFileSync(optimised).length, feeds });
    if (f.role === "encoder") {
      // The graph the edge builds at load (level "basic": int8 weights folded), written offline.
      const basic = await preOptimised(f.path, dir, "basic");
      variants.push({ model, variant: "pre-optimised (basic)", path: basic, bytes: readFileSync(basic).length, feeds });
    }
  }
  const edge = await startEdge({ ORT_STARTUP: "eager" }, "scripts/bench/ort-worker/wrangler.toml");
  type Timing = { createMs: number; runMs: number; createCpuMs: number; runCpuMs: number };
  type Sample = { wasm: Timing; native: Timing };
  const samples = new Map<string, Sample[]>();
  const outputs = new Map<string, { wasm: number[]; native: number[] }>();
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const v of variants) {
        for (const level of ["basic", "all", "disabled"] as const) {
          // as shipped: at the edge's level (basic) and ORT's default (all); pre-optimised files need no
          // graph work at load; fp32-weight heads at the edge's level, as the edge loaded them before
          if (v.variant === "as shipped" ? level === "disabled" : v.variant === "fp32 weights" ? level !== "basic" : level !== "disabled") continue;
          const key = `${v.model}|${v.variant}|${level}`;
          const model = readFileSync(v.path).toString("base64");
          // workerd's CPU (from /proc) over requests that differ only in what is measured, so the
          // request's own cost (body, base64) cancels: creates 1 vs 1 + CREATES, runs 0 vs n.
          const call = async (creates: number, iterations: number, retry = true): Promise<{ createMs: number; runMs: number | null; output: number[]; cpuMs: number }> => {
            const c0 = processStats(edge.process.pid!, /workerd/).cpuMs;
            const res = await fetch(`${edge.url}/session`, { method: "POST", body: JSON.stringify({ model, feeds: v.feeds, graphOptimization: level, creates, iterations }) });
            if (!res.ok) {
              const text = await res.text();
              // wrangler dev restarts the Worker when a watched file changes (a shared working tree): once, retry.
              if (retry && text.startsWith("Your worker restarted")) return call(creates, iterations, false);
              throw new Error(`${key}: ${res.status} ${text}`);
            }
            const body = (await res.json()) as { createMs: number; runMs: number | null; output: number[] };
            return { ...body, cpuMs: processStats(edge.process.pid!, /workerd/).cpuMs - c0 };
          };
          const n = iterationsFor(v);
          const base = await call(1, 0);
          const creates = await call(1 + CREATES, 0);
          const runs = await call(1, n);
          const w = {
            createMs: creates.createMs,
            runMs: runs.runMs ?? NaN,
            createCpuMs: Math.max(0, creates.cpuMs - base.cpuMs) / CREATES,
            runCpuMs: Math.max(0, runs.cpuMs - base.cpuMs) / n,
            output: runs.output,
          };
          const nat = await native(v, NATIVE_LEVEL);
          samples.set(key, [...(samples.get(key) ?? []), { wasm: w, native: nat }]);
          outputs.set(key, { wasm: w.output, native: nat.output });
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
      wasmCreateCpuMs: median(s.map((x) => x.wasm.createCpuMs)),
      nativeCreateCpuMs: median(s.map((x) => x.native.createCpuMs)),
      wasmRunCpuMs: median(s.map((x) => x.wasm.runCpuMs)),
      nativeRunCpuMs: median(s.map((x) => x.native.runCpuMs)),
      runCpuRatio: median(s.map((x) => x.wasm.runCpuMs / x.native.runCpuMs)),
      maxOutputDifference: Math.max(...o.wasm.map((x, i) => Math.abs(x - o.native[i]!))),
    };
    console.log(`${row.model.padEnd(20)} ${row.variant.padEnd(14)} opt=${row.sessionOptimisation.padEnd(8)} CPU: create wasm ${fmt(row.wasmCreateCpuMs)} / native ${fmt(row.nativeCreateCpuMs)} ms; run wasm ${fmt(row.wasmRunCpuMs)} / native ${fmt(row.nativeRunCpuMs)} ms = ${row.runCpuRatio.toFixed(2)}× (wall ${row.runRatio.toFixed(2)}×)`);
    return row;
  });
  return { machine: machine(), rounds: ROUNDS, creates: CREATES, loadAverageAtEnd: (await import("node:os")).loadavg(), rows };
}

await runAsScript(import.meta.url, benchOrtVariants);
