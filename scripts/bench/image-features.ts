/**
 * Benchmark of the image-feature server: dynamic batching on vs off (max batch size 1), on the same
 * machine in the same run, at several client concurrencies. Starts the real CLI entry twice, drives
 * it with binary-extension infer requests of Sort-of-CLEVR PNGs, prints a table and the ratios, and
 * writes JSON (--out) for docs/BENCHMARKS.md.
 *
 *   npx tsx scripts/bench/image-features.ts [--manifest models/repository] [--duration 5]
 *     [--concurrency 1,8,32] [--max-batch-size 32] [--max-queue-delay-ms 2] [--intra-op-threads 0]
 *     [--images-per-request 1] [--out bench-image-features.json]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { encodePng } from "../dataset/png.js";
import { generateScene, renderScene } from "../dataset/sort-of-clevr.js";

const ROOT = resolve(import.meta.dirname, "../..");
const TOKEN = "bench-token-0123456789abcdef";

const { values: args } = parseArgs({
  options: {
    manifest: { type: "string" },
    duration: { type: "string", default: "5" },
    warmup: { type: "string", default: "1" },
    concurrency: { type: "string", default: "1,8,32" },
    "max-batch-size": { type: "string", default: "32" },
    "max-queue-delay-ms": { type: "string", default: "2" },
    "intra-op-threads": { type: "string", default: "0" },
    "decode-concurrency": { type: "string", default: "4" },
    "images-per-request": { type: "string", default: "1" },
    "max-requests": { type: "string", default: "100000" },
    input: { type: "string", default: "png" },
    out: { type: "string" },
  },
});

const manifest =
  // A model repository (functions/image-features serves models/repository/<name>/); soc-image is benchmarked.
  args.manifest ?? "models/repository";
const durationMs = Number(args.duration) * 1000;
const warmupMs = Number(args.warmup) * 1000;
const levels = (args.concurrency ?? "1,8,32").split(",").map(Number);
const perRequest = Number(args["images-per-request"]);
const maxRequests = Number(args["max-requests"]);
const inputKind = args.input === "tensor" ? "tensor" : "png";

interface Level {
  concurrency: number;
  requests: number;
  images: number;
  seconds: number;
  imagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanBatchSize: number;
  /** Encoder time per image (batch run time / batch size). */
  inferMsPerImage: number;
  /** Share of wall time the encoder was running: near 1 means inference is the bottleneck. */
  inferBusyFraction: number;
  preprocessMsPerRequest: number;
  queueMsPerRequest: number;
  /** Server process CPU time (all threads) per image: efficiency, less sensitive to other load than img/s. */
  serverCpuMsPerImage: number;
  errors: number;
}

interface Mode {
  name: string;
  maxBatchSize: number;
  maxQueueDelayMs: number;
  levels: Level[];
}

function startServer(maxBatchSize: number, delayMs: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      "--import", "tsx", "functions/image-features/main.ts", "--port", "0", "--repository", manifest, "--models", "soc-image",
      "--max-batch-size", String(maxBatchSize), "--max-queue-delay-ms", String(delayMs),
      "--intra-op-threads", args["intra-op-threads"] ?? "0", "--decode-concurrency", args["decode-concurrency"] ?? "4",
      "--max-queue", "1024",
    ],
    { cwd: ROOT, env: { ...process.env, IMAGE_FEATURES_TOKEN: TOKEN }, stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolvePromise, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /ready on (\S+)/.exec(out);
      if (m?.[1]) resolvePromise({ url: m[1], child });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** Encoded PNGs as a BYTES tensor, or (--input tensor) the preprocessed FP32 tensor Triton would take. */
function binaryBody(images: Buffer[], rgb: Uint8Array[]): { body: Uint8Array<ArrayBuffer>; headerLength: number } {
  let elements: Buffer;
  let input: Record<string, unknown>;
  if (inputKind === "tensor") {
    const t = new Float32Array(rgb.length * 3 * 75 * 75);
    rgb.forEach((px, n) => {
      for (let i = 0; i < 75 * 75; i++) for (let c = 0; c < 3; c++) t[n * 3 * 5625 + c * 5625 + i] = (px[3 * i + c] ?? 0) / 255;
    });
    elements = Buffer.from(t.buffer);
    input = { name: "image", datatype: "FP32", shape: [rgb.length, 3, 75, 75], parameters: { binary_data_size: elements.length } };
  } else {
    elements = Buffer.concat(images.flatMap((b) => [Buffer.from(new Uint32Array([b.length]).buffer), b]));
    input = { name: "image", datatype: "BYTES", shape: [images.length], parameters: { binary_data_size: elements.length } };
  }
  const header = Buffer.from(JSON.stringify({ inputs: [input], parameters: { binary_data_output: true } }));
  return { body: new Uint8Array(Buffer.concat([header, elements])), headerLength: header.length };
}

interface Stats {
  batchSum: number;
  batches: number;
  inferSeconds: number;
  preprocessSeconds: number;
  preprocessed: number;
  queueSeconds: number;
  cpuSeconds: number;
}

async function serverStats(url: string): Promise<Stats> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const num = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
  return {
    batchSum: num("image_features_batch_size_sum"),
    batches: num("image_features_batch_size_count"),
    inferSeconds: num("image_features_inference_seconds_sum"),
    preprocessSeconds: num("image_features_preprocess_seconds_sum"),
    preprocessed: num("image_features_preprocess_seconds_count"),
    queueSeconds: num("image_features_queue_seconds_sum"),
    cpuSeconds: num("process_cpu_seconds_total"),
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Closed loop: `concurrency` workers each send a request as soon as their last one answers. */
async function load(url: string, bodies: { body: Uint8Array<ArrayBuffer>; headerLength: number }[], concurrency: number, ms: number, record: boolean) {
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const end = performance.now() + ms;
  const worker = async (w: number) => {
    for (let i = w; performance.now() < end && sent < maxRequests; i += concurrency) {
      sent++;
      const b = bodies[i % bodies.length]!;
      const t0 = performance.now();
      const res = await fetch(`${url}/v2/models/image-encoder/infer`, {
        method: "POST",
        body: b.body,
        headers: { authorization: `Bearer ${TOKEN}`, "inference-header-content-length": String(b.headerLength), "content-type": "application/octet-stream" },
      });
      await res.arrayBuffer();
      if (res.status !== 200) errors++;
      else if (record) latencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}

async function runMode(name: string, maxBatchSize: number, delayMs: number, bodies: { body: Uint8Array<ArrayBuffer>; headerLength: number }[]): Promise<Mode> {
  const { url, child } = await startServer(maxBatchSize, delayMs);
  const levelsOut: Level[] = [];
  try {
    for (const concurrency of levels) {
      await load(url, bodies, concurrency, warmupMs, false);
      const before = await serverStats(url);
      const { latencies, errors, seconds } = await load(url, bodies, concurrency, durationMs, true);
      const after = await serverStats(url);
      const d = (k: keyof Stats) => after[k] - before[k];
      latencies.sort((a, b) => a - b);
      const images = latencies.length * perRequest;
      levelsOut.push({
        concurrency,
        requests: latencies.length,
        images,
        seconds,
        imagesPerSecond: images / seconds,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        meanBatchSize: d("batchSum") / Math.max(1, d("batches")),
        inferMsPerImage: (1000 * d("inferSeconds")) / Math.max(1, d("batchSum")),
        inferBusyFraction: d("inferSeconds") / seconds,
        preprocessMsPerRequest: (1000 * d("preprocessSeconds")) / Math.max(1, d("preprocessed")),
        queueMsPerRequest: (1000 * d("queueSeconds")) / Math.max(1, d("preprocessed")),
        serverCpuMsPerImage: (1000 * d("cpuSeconds")) / Math.max(1, images),
        errors,
      });
      const l = levelsOut[levelsOut.length - 1]!;
      process.stderr.write(`${name} c=${concurrency}: ${l.imagesPerSecond.toFixed(1)} img/s, p50 ${l.p50Ms.toFixed(1)} ms, p99 ${l.p99Ms.toFixed(1)} ms, mean batch ${l.meanBatchSize.toFixed(1)}, infer ${l.inferMsPerImage.toFixed(2)} ms/img (busy ${(100 * l.inferBusyFraction).toFixed(0)}%), preprocess ${l.preprocessMsPerRequest.toFixed(2)} ms/req, queue ${l.queueMsPerRequest.toFixed(2)} ms/req, server CPU ${l.serverCpuMsPerImage.toFixed(2)} ms/img\n`);
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  return { name, maxBatchSize, maxQueueDelayMs: delayMs, levels: levelsOut };
}

async function main(): Promise<void> {
  const scenes = Array.from({ length: 64 }, (_, i) => renderScene(generateScene(777, i)));
  const pngs = scenes.map((rgb) => encodePng(rgb));
  const pick = <T>(xs: T[], i: number) => Array.from({ length: perRequest }, (_, j) => xs[(i + j) % xs.length]!);
  const bodies = Array.from({ length: 64 }, (_, i) => binaryBody(pick(pngs, i), pick(scenes, i)));
  const cpus = os.cpus();
  const machine = {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))),
  };
  process.stderr.write(`machine: ${machine.cpu} x ${machine.cores}, ${machine.os}, load ${machine.loadAverage.join(" ")}\nmanifest: ${manifest}\n`);

  const batched = await runMode("batched", Number(args["max-batch-size"]), Number(args["max-queue-delay-ms"]), bodies);
  const single = await runMode("batch-size-1", 1, 0, bodies);

  const rows = levels.map((c, i) => {
    const b = batched.levels[i]!;
    const s = single.levels[i]!;
    return { concurrency: c, batched: b, single: s, throughputRatio: b.imagesPerSecond / s.imagesPerSecond };
  });
  const f = (n: number, d = 1) => n.toFixed(d).padStart(8);
  console.log(`\nimage-features benchmark: ${machine.cpu} x ${machine.cores} cores, ${manifest}, ${inputKind} input, ${perRequest} image(s)/request, ${durationMs / 1000}s per level`);
  console.log(`batched = max batch ${batched.maxBatchSize}, delay ${batched.maxQueueDelayMs} ms; single = max batch 1\n`);
  console.log("conc |  batched img/s   p50 ms   p99 ms  batch  cpu/img |   single img/s   p50 ms   p99 ms  cpu/img | ratio");
  for (const r of rows) {
    console.log(
      `${String(r.concurrency).padStart(4)} | ${f(r.batched.imagesPerSecond)} ${f(r.batched.p50Ms)} ${f(r.batched.p99Ms)} ${f(r.batched.meanBatchSize)} ${f(r.batched.serverCpuMsPerImage, 2)} | ${f(r.single.imagesPerSecond)} ${f(r.single.p50Ms)} ${f(r.single.p99Ms)} ${f(r.single.serverCpuMsPerImage, 2)} | ${r.throughputRatio.toFixed(2)}x`,
    );
  }
  const top = rows.find((r) => r.concurrency === 32) ?? rows[rows.length - 1];
  const bar = top ? top.throughputRatio >= 3 : false;
  console.log(`\nbar (batched >= 3x batch-size-1 throughput at concurrency ${top?.concurrency}): ${bar ? "MET" : "NOT MET"} (${top?.throughputRatio.toFixed(2)}x)`);

  const result = { date: new Date().toISOString(), machine, manifest, input: inputKind, intraOpThreads: Number(args["intra-op-threads"]), imagesPerRequest: perRequest, durationSeconds: durationMs / 1000, modes: [batched, single], rows, bar: { concurrency: top?.concurrency, ratio: top?.throughputRatio, met: bar } };
  if (args.out) {
    mkdirSync(dirname(resolve(args.out)), { recursive: true });
    writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${args.out}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
