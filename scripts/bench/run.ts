/**
 * `npm run bench`: runs every benchmark in one go on this machine (each in its own process, one
 * after another so they do not compete) and writes docs/BENCHMARKS.md from their JSON results.
 *   npx tsx scripts/bench/run.ts [--only text,answer,image,bundle,load,coldstart,variants,memory,kvwrites,cost] [--out docs/BENCHMARKS.md]
 *   (`--only ""` runs nothing and rewrites the report from the results it already holds)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issue15Sections } from "./report-cold-start";
import { fmt, machine } from "./lib";

const argv = process.argv.slice(2);
const only = argv.includes("--only") ? (argv[argv.indexOf("--only") + 1] ?? "").split(",").filter(Boolean) : ["text", "answer", "image", "bundle", "load", "coldstart", "variants", "memory", "kvwrites", "cost"];
const outPath = argv.includes("--out") ? argv[argv.indexOf("--out") + 1]! : "docs/BENCHMARKS.md";
const dir = mkdtempSync(join(tmpdir(), "edgefuse-bench-"));

const BENCHES: Record<string, { title: string; cmd: string[] }> = {
  text: { title: "text encode: workerd vs onnxruntime-node", cmd: ["scripts/bench/text-encode.ts"] },
  answer: { title: "answer: cached vs missing, batch vs singles", cmd: ["scripts/bench/answer.ts"] },
  image: { title: "image-feature function: dynamic batching vs batch size 1", cmd: ["scripts/bench/image-features.ts"] },
  load: { title: "load: mixed cached/uncached traffic, memory", cmd: ["scripts/bench/load.ts"] },
  coldstart: { title: "cold start: ORT started lazily vs in global scope", cmd: ["scripts/bench/cold-start.ts"] },
  variants: { title: "model variants: session create and run, WASM vs native", cmd: ["scripts/bench/ort-variants.ts"] },
  memory: { title: "memory: wasm linear memory per suite", cmd: ["scripts/bench/memory.ts"] },
  kvwrites: { title: "KV writes of the load mix per write policy", cmd: ["scripts/bench/kv-writes.ts"] },
  cost: { title: "first answer after start, CPU per request per cache state", cmd: ["scripts/bench/edge-cost.ts"] },
};

function run(name: string): unknown {
  const out = join(dir, `${name}.json`);
  if (name === "bundle") {
    const r = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", join(dir, "dist")], { stdio: "inherit" });
    if (r.status !== 0) throw new Error("wrangler deploy --dry-run failed");
    spawnSync("npx", ["tsx", "scripts/bundle-size.ts", join(dir, "dist"), "--json", out], { stdio: "inherit" });
  } else {
    const bench = BENCHES[name];
    if (!bench) throw new Error(`unknown benchmark ${name}`);
    if (!existsSync(bench.cmd[0]!)) return null;
    console.log(`\n=== ${bench.title}`);
    const r = spawnSync("npx", ["tsx", ...bench.cmd, "--out", out], { stdio: "inherit" });
    if (r.status !== 0) throw new Error(`${name} benchmark failed (exit ${r.status})`);
  }
  return existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) : null;
}

const results: Record<string, any> = {};
for (const name of only) results[name] = run(name);
if (existsSync(outPath)) {
  // Keep sections of benchmarks not rerun this time.
  const previous = readFileSync(outPath, "utf8").match(/<!-- results: (.*) -->/);
  if (previous) for (const [k, v] of Object.entries(JSON.parse(previous[1]!))) if (!(k in results)) results[k] = v;
}

const L: string[] = ["# Benchmarks", ""];
L.push(`Written by \`npm run bench\` (scripts/bench/run.ts) on ${new Date().toISOString().slice(0, 16)}Z, ${machine()}, load average at the end ${(await import("node:os")).loadavg().map((x) => x.toFixed(2)).join(" ")}.`);
L.push("Each figure is a median over repeated runs, and each ratio compares two things measured side by side in the same run on the same machine. The machine is shared and noisy: trust the ratios more than the absolute times.", "");
const t = results.text;
if (t) {
  L.push("## Text encoding: workerd (onnxruntime-web WASM) vs onnxruntime-node (native)", "");
  L.push(`Model: \`${t.model}\`; question: "${t.question}".`, "");
  L.push("| measure | median |", "|---|---|");
  if (t.inWorkerClientWallMedianMs !== undefined) {
    L.push(`| in the Worker (workerd, WASM, one thread), per text: client's clock / the Worker's own | ${fmt(t.inWorkerClientWallMedianMs)} ms / ${fmt(t.inWorkerMedianMs)} ms |`);
  } else L.push(`| in the Worker (workerd, WASM, one thread), per text | ${fmt(t.inWorkerMedianMs)} ms |`);
  L.push(`| onnxruntime-node (native, 1 thread), graph optimisation "all" | ${fmt(t.nativeAllMedianMs)} ms |`);
  L.push(`| onnxruntime-node (native, 1 thread), graph optimisation "basic" | ${fmt(t.nativeBasicMedianMs)} ms |`);
  const wallHow = t.inWorkerClientWallMedianMs !== undefined ? `median of ${t.rounds} interleaved rounds' ratios, the Worker's time by the client's clock` : "workerd's clock moves in coarse steps";
  L.push(`| ratio workerd / native, wall (${wallHow}) | ${t.ratioWorkerdVsNativeAll.toFixed(2)}× (vs all), ${t.ratioWorkerdVsNativeBasic.toFixed(2)}× (vs basic) |`);
  if (t.cpuRatioWorkerdVsNativeAll !== undefined) {
    L.push(`| CPU per text: workerd process (/proc) / this process, native "all" | ${fmt(t.inWorkerCpuMedianMs)} ms / ${fmt(t.nativeAllCpuMedianMs)} ms |`);
    L.push(`| **CPU ratio workerd / native** | **${t.cpuRatioWorkerdVsNativeAll.toFixed(2)}×** |`);
  }
  L.push(`| end to end via wrangler dev, cache miss / hit | ${fmt(t.endToEndMissMedianMs)} ms / ${fmt(t.endToEndHitMedianMs)} ms |`);
  L.push(`| cold start: wrangler dev ready | ${fmt(t.edgeStartMs)} ms |`);
  L.push(`| cold first request: in the Worker / end to end | ${fmt(t.coldFirstRequest.inWorkerMs)} ms / ${fmt(t.coldFirstRequest.endToEndMs)} ms |`, "");
  L.push("The WASM/native gap is mostly fixed per-run and per-kernel cost on a 143-node, 71k-parameter graph, and the cold first request is mostly V8 compiling ORT's WebAssembly lazily on first use: the measurements and what was tried are in [ort-in-workerd.md](ort-in-workerd.md).", "");
}
const a = results.answer;
if (a) {
  L.push("## /v1/answer: both modalities cached vs both missing", "");
  L.push("Server-side time: both missing is the Worker's Server-Timing total (1 ms resolution in workerd) over 25 requests with a fresh image and question each; both cached is measured inside the Worker over 300 repetitions of the whole answer pipeline (5 runs).", "");
  L.push("A repeated request also finds the head's output memoised (logits are a pure function of the head version and both cached features); the last column drops that memo on every repetition, so the fusion head really runs on the cached features.", "");
  L.push("| fusion | both missing | both cached | cached / missing | both cached, head rerun |", "|---|---|---|---|---|");
  for (const [f, r] of Object.entries(a.perFusion as Record<string, { missServerMs: number; hitServerMs: number; ratio: number; hitHeadRerunMs: number }>)) {
    L.push(`| ${f} | ${fmt(r.missServerMs)} ms | ${fmt(r.hitServerMs)} ms | 1/${(1 / r.ratio).toFixed(0)} | ${fmt(r.hitHeadRerunMs)} ms |`);
  }
  L.push("", `10 questions about one image: one \`/v1/answer/batch\` call ${fmt(a.batch10Ms)} ms vs 10 \`/v1/answer\` calls ${fmt(a.singles10Ms)} ms end to end → **${a.batchSpeedup.toFixed(2)}×** (medians of 7, attention head).`, "");
}
const im = results.image;
if (im) {
  L.push("## Image-feature function: dynamic batching vs batch size 1", "");
  L.push(`${im.machine.cpu} × ${im.machine.cores}, ${im.input} input, ${im.imagesPerRequest} image per request, ${im.durationSeconds} s per level, intra-op threads ${im.intraOpThreads || "auto"}.`, "");
  L.push("| concurrency | batched img/s | p50 | p99 | mean batch | batch-1 img/s | p50 | p99 | throughput ratio |", "|---|---|---|---|---|---|---|---|---|");
  L.push("On this 2-core CPU each image costs about 2.3 to 2.9 ms of server CPU in either mode (PNG decode, HTTP, tensor copies), while batching only lowers the encoder's share from about 1.9 to 1.1 ms per image, so batching cannot triple throughput here; on a GPU, where one batch of 32 costs about as much as a batch of 1, it can. See [image-features.md](image-features.md).", "");
  for (const r of im.rows) L.push(`| ${r.concurrency} | ${r.batched.imagesPerSecond.toFixed(1)} | ${fmt(r.batched.p50Ms)} ms | ${fmt(r.batched.p99Ms)} ms | ${r.batched.meanBatchSize.toFixed(1)} | ${r.single.imagesPerSecond.toFixed(1)} | ${fmt(r.single.p50Ms)} ms | ${fmt(r.single.p99Ms)} ms | **${r.throughputRatio.toFixed(2)}×** |`);
  L.push("");
}
const ld = results.load;
if (ld) {
  L.push("## Load: mixed cached and uncached traffic against the local stack", "");
  if (ld.warmup?.requests) L.push(`First a warm-up of ${ld.warmup.requests} requests of the same mix (errors ${ld.warmup.errors}); RSS during it: workerd ${ld.warmup.rssBeforeMiB.workerd.toFixed(0)} → ${ld.warmup.rssAfterMiB.workerd.toFixed(0)} MiB, image-feature function ${ld.warmup.rssBeforeMiB.image.toFixed(0)} → ${ld.warmup.rssAfterMiB.image.toFixed(0)} MiB. Local workerd (wrangler dev's proxy and the Worker's runtime, both counted) grows by about 8 KB per request even on \`GET /healthz\` (no model, no cache: the Worker's process went 111 → 356 MiB over 30,000 requests, with or without the inspector), more slowly as the run goes on; the in-Worker inference loops alone stay flat (+2 MiB over 15,000 runs). So the flatness check applies to the measured run after the warm-up, and the per-quarter medians below show what growth remains.`, "");
  L.push(`${ld.requests} requests at concurrency ${ld.concurrency} (${ld.mix}); errors ${ld.errors}, non-2xx ${ld.non2xx}; latency p50 ${fmt(ld.p50Ms)} ms, p99 ${fmt(ld.p99Ms)} ms; ${ld.rps.toFixed(0)} req/s.`);
  if (ld.rssQuartersMiB) L.push(`Median RSS per quarter of the measured run: workerd ${ld.rssQuartersMiB.workerd.join(", ")} MiB; image-feature function ${ld.rssQuartersMiB.image.join(", ")} MiB.`);
  L.push(`RSS over the second half (max/min − 1): workerd ${(100 * ld.rssDrift.workerd).toFixed(1)}%, image-feature function ${(100 * ld.rssDrift.image).toFixed(1)}%; peak RSS workerd ${ld.peakRssMiB.workerd.toFixed(0)} MiB, image-feature function ${ld.peakRssMiB.image.toFixed(0)} MiB.`, "");
}
L.push(...issue15Sections(results));
const b = results.bundle;
if (b) {
  L.push("## Bundle", "");
  L.push(`\`wrangler deploy --dry-run\`: ${(b.raw / 2 ** 20).toFixed(2)} MiB raw, **${(b.gzip / 2 ** 20).toFixed(2)} MiB gzipped** (budget 5 MiB; almost all of it is the onnxruntime-web wasm). Model files are static assets, not part of the script bundle.`, "");
}
L.push(`<!-- results: ${JSON.stringify(results)} -->`);
writeFileSync(outPath, L.join("\n") + "\n");
console.log(`\nwrote ${outPath}`);
