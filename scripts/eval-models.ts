/**
 * Evaluate the model suite in models/ through onnxruntime-node on fresh, seeded Sort-of-CLEVR samples.
 *
 *   npx tsx scripts/eval-models.ts [--models models] [--seed 2026] [--images 2000] [--out models/EVAL.md] [--json models/eval.json]
 *
 * Loads every file through models/manifest.json (sha256 and size checked), tokenizes with the HF
 * tokenizer.json (@huggingface/tokenizers, as the edge does), runs the int8 and the fp32 text encoder,
 * the image encoder and every served head, and writes a Markdown report.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem, platform, release } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { Tokenizer } from "@huggingface/tokenizers";
import { toV1Manifest } from "../functions/suites/legacy-v1";
import { readSuiteManifest } from "../functions/suites/node";
import {
  generateScene,
  renderScene,
  questionsFor,
  LABELS,
  QUESTION_TYPES,
  RELATIONAL,
  IMAGE_SIZE,
  type QuestionType,
} from "./dataset/sort-of-clevr";

interface FileRef {
  file: string;
  sha256: string;
  bytes: number;
}
interface Manifest {
  suite: { id: string; version: string; seed: number };
  labels: string[];
  tokenizer: FileRef & { maxTokens: number };
  text: FileRef & { id: string; version: string; dim: number; fp32: FileRef };
  image: FileRef & { id: string; version: string };
  heads: Array<FileRef & { id: string; version: string; fusion: string; inputs: string[]; output: string }>;
  defaultFusion: string;
}

function parseArgs(argv: string[]) {
  const a = { models: "models/sort-of-clevr", seed: 2026, images: 2000, out: "", json: "", batch: 100 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1] ?? "";
    if (k === "--models") a.models = v;
    else if (k === "--seed") a.seed = Number(v);
    else if (k === "--images") a.images = Number(v);
    else if (k === "--out") a.out = v;
    else if (k === "--json") a.json = v;
    else if (k === "--batch") a.batch = Number(v);
    else throw new Error(`unknown argument ${k}`);
    i++;
  }
  if (!a.out) a.out = join(a.models, "EVAL.md");
  if (!a.json) a.json = join(a.models, "eval.json");
  return a;
}

export function readChecked(models: string, ref: FileRef): Uint8Array {
  const data = readFileSync(join(models, ref.file));
  if (data.length !== ref.bytes) throw new Error(`${ref.file}: ${data.length} bytes, manifest says ${ref.bytes}`);
  const sha = createHash("sha256").update(data).digest("hex");
  if (sha !== ref.sha256) throw new Error(`${ref.file}: sha256 ${sha} does not match the manifest`);
  return data;
}

type Counts = { correct: number; total: number };
const newCounts = () => Object.fromEntries(QUESTION_TYPES.map((t) => [t, { correct: 0, total: 0 }])) as Record<QuestionType, Counts>;

function pct(c: Counts | { correct: number; total: number }): number {
  return c.total ? (100 * c.correct) / c.total : NaN;
}
function sumCounts(cs: Record<QuestionType, Counts>, pred: (t: QuestionType) => boolean): Counts {
  const out = { correct: 0, total: 0 };
  for (const t of QUESTION_TYPES)
    if (pred(t)) {
      out.correct += cs[t].correct;
      out.total += cs[t].total;
    }
  return out;
}
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");

function argmax(data: Float32Array, row: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (data[row * n + j]! > data[row * n + best]!) best = j;
  return best;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const log = (s: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${s}`);
  const manifest = toV1Manifest(readSuiteManifest(args.models)) as Manifest;
  if (JSON.stringify(manifest.labels) !== JSON.stringify(LABELS)) throw new Error("manifest labels differ from the generator's");
  const tokJson = JSON.parse(Buffer.from(readChecked(args.models, manifest.tokenizer)).toString("utf8"));
  const tokenizer = new Tokenizer(tokJson, {});
  // disable_quant_qdq folds the int8 weights' DequantizeLinear at load, exactly as the Worker does;
  // without it onnxruntime-node rewrites DequantizeLinear + MatMul into an int8 MatMul that also
  // quantises activations, so the evaluated maths would differ from what is served.
  const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 2, interOpNumThreads: 1, extra: { session: { disable_quant_qdq: "1" } } };
  const session = (ref: FileRef) => ort.InferenceSession.create(readChecked(args.models, ref), opts);
  const textSessions = { int8: await session(manifest.text), fp32: await session(manifest.text.fp32) };
  const imageSession = await session(manifest.image);
  const heads = await Promise.all(manifest.heads.map(async (h) => ({ ...h, session: await session(h) })));
  log(`loaded ${2 + 1 + heads.length} models from ${args.models} (sha256 checked)`);

  // ---- samples
  const scenes = Array.from({ length: args.images }, (_, i) => generateScene(args.seed, i));
  const questions = scenes.flatMap((s, i) => questionsFor(s).map((q) => ({ ...q, image: i })));
  log(`generated ${scenes.length} images, ${questions.length} questions (seed ${args.seed})`);

  // ---- text features for the distinct question texts (per text: batch independent)
  const texts = [...new Set(questions.map((q) => q.question))];
  const textIndex = new Map(texts.map((t, i) => [t, i]));
  const enc = texts.map((t) => tokenizer.encode(t).ids);
  const seq = Math.max(...enc.map((e) => e.length));
  if (seq > manifest.tokenizer.maxTokens) throw new Error("question longer than maxTokens");
  const ids = new BigInt64Array(texts.length * seq);
  const mask = new BigInt64Array(texts.length * seq);
  enc.forEach((e, r) => e.forEach((id, j) => ((ids[r * seq + j] = BigInt(id)), (mask[r * seq + j] = 1n))));
  const textFeatures: Record<"int8" | "fp32", Float32Array> = { int8: new Float32Array(), fp32: new Float32Array() };
  const timings: Record<string, number> = {};
  for (const k of ["int8", "fp32"] as const) {
    const ts = performance.now();
    const out = await textSessions[k].run({
      input_ids: new ort.Tensor("int64", ids, [texts.length, seq]),
      attention_mask: new ort.Tensor("int64", mask, [texts.length, seq]),
    });
    timings[`text-${k} (${texts.length} texts, one batch)`] = performance.now() - ts;
    textFeatures[k] = out.text_features!.data as Float32Array;
  }
  const D = manifest.text.dim;
  let maxDiff = 0;
  let cosMin = 1;
  for (let r = 0; r < texts.length; r++) {
    let dot = 0, na = 0, nb = 0;
    for (let j = 0; j < D; j++) {
      const a = textFeatures.int8[r * D + j]!;
      const b = textFeatures.fp32[r * D + j]!;
      maxDiff = Math.max(maxDiff, Math.abs(a - b));
      dot += a * b;
      na += a * a;
      nb += b * b;
    }
    cosMin = Math.min(cosMin, dot / Math.sqrt(na * nb));
  }
  log(`text features for ${texts.length} distinct questions; int8 vs fp32: max |diff| ${maxDiff.toExponential(2)}, min cosine ${cosMin.toFixed(5)}`);

  // ---- images and heads, batch by batch
  const variants = ["int8", "fp32"] as const;
  const counts: Record<string, Record<"int8" | "fp32", Record<QuestionType, Counts>>> = {};
  const agree: Record<string, Counts> = {};
  for (const h of heads) {
    counts[h.fusion] = { int8: newCounts(), fp32: newCounts() };
    agree[h.fusion] = { correct: 0, total: 0 };
  }
  const headMs: Record<string, number> = Object.fromEntries(heads.map((h) => [h.fusion, 0]));
  let imageMs = 0;
  const px = IMAGE_SIZE * IMAGE_SIZE;
  for (let s = 0; s < scenes.length; s += args.batch) {
    const n = Math.min(args.batch, scenes.length - s);
    const img = new Float32Array(n * 3 * px);
    for (let b = 0; b < n; b++) {
      const rgb = renderScene(scenes[s + b]!);
      for (let p = 0; p < px; p++) for (let c = 0; c < 3; c++) img[b * 3 * px + c * px + p] = rgb[p * 3 + c]! / 255;
    }
    let ts = performance.now();
    const io = await imageSession.run({ image: new ort.Tensor("float32", img, [n, 3, IMAGE_SIZE, IMAGE_SIZE]) });
    imageMs += performance.now() - ts;
    const pooled = io.pooled!.data as Float32Array;
    const grid = io.grid!.data as Float32Array;
    const [, cells, dg] = io.grid!.dims as number[];
    const dp = io.pooled!.dims[1] as number;
    const qs = questions.filter((q) => q.image >= s && q.image < s + n);
    const m = qs.length;
    const pooledQ = new Float32Array(m * dp);
    const gridQ = new Float32Array(m * cells! * dg!);
    qs.forEach((q, r) => {
      const b = q.image - s;
      pooledQ.set(pooled.subarray(b * dp, (b + 1) * dp), r * dp);
      gridQ.set(grid.subarray(b * cells! * dg!, (b + 1) * cells! * dg!), r * cells! * dg!);
    });
    for (const h of heads) {
      const preds: Record<string, Int32Array> = {};
      for (const v of variants) {
        const tq = new Float32Array(m * D);
        qs.forEach((q, r) => tq.set(textFeatures[v].subarray(textIndex.get(q.question)! * D, (textIndex.get(q.question)! + 1) * D), r * D));
        const feeds: Record<string, ort.Tensor> = {};
        for (const name of h.inputs) {
          if (name === "text_features") feeds[name] = new ort.Tensor("float32", tq, [m, D]);
          else if (name === "pooled") feeds[name] = new ort.Tensor("float32", pooledQ, [m, dp]);
          else if (name === "grid") feeds[name] = new ort.Tensor("float32", gridQ, [m, cells!, dg!]);
          else throw new Error(`unknown head input ${name}`);
        }
        ts = performance.now();
        const out = await h.session.run(feeds);
        if (v === "int8") headMs[h.fusion]! += performance.now() - ts;
        const logits = out[h.output]!.data as Float32Array;
        const pred = new Int32Array(m);
        qs.forEach((q, r) => {
          pred[r] = argmax(logits, r, LABELS.length);
          const c = counts[h.fusion]![v][q.type];
          c.total++;
          if (LABELS[pred[r]!] === q.answer) c.correct++;
        });
        preds[v] = pred;
      }
      for (let r = 0; r < m; r++) {
        agree[h.fusion]!.total++;
        if (preds.int8![r] === preds.fp32![r]) agree[h.fusion]!.correct++;
      }
    }
    const done = s + n;
    const line = heads.map((h) => `${h.fusion} ${f1(pct(sumCounts(counts[h.fusion]!.int8, () => true)))}`).join(", ");
    log(`images ${done}/${scenes.length}: ${line}`);
  }
  timings[`image encoder (batches of ${args.batch} images), total`] = imageMs;
  for (const h of heads) timings[`head ${h.fusion} (batches of ~${args.batch * 6} questions, int8 text), total`] = headMs[h.fusion]!;

  // ---- report
  const summary = heads.map((h) => {
    const r: Record<string, unknown> = { fusion: h.fusion, id: h.id, file: h.file, bytes: h.bytes };
    for (const v of variants) {
      const c = counts[h.fusion]![v];
      r[v] = {
        overall: pct(sumCounts(c, () => true)),
        relational: pct(sumCounts(c, (t) => RELATIONAL[t])),
        nonRelational: pct(sumCounts(c, (t) => !RELATIONAL[t])),
        perType: Object.fromEntries(QUESTION_TYPES.map((t) => [t, pct(c[t])])),
      };
    }
    r.agreement = pct(agree[h.fusion]!);
    return r as {
      fusion: string;
      id: string;
      bytes: number;
      agreement: number;
      int8: { overall: number; relational: number; nonRelational: number; perType: Record<string, number> };
      fp32: { overall: number; relational: number; nonRelational: number; perType: Record<string, number> };
    };
  });
  let training: any = null;
  try {
    training = JSON.parse(readFileSync(join(args.models, "training-results.json"), "utf8"));
  } catch {
    /* optional */
  }
  const best = [...summary].sort((a, b) => b.int8.overall - a.int8.overall)[0]!;
  const maxInt8Delta = Math.max(...summary.map((s) => Math.abs(s.int8.overall - s.fp32.overall)));
  const files = [manifest.tokenizer, manifest.text, manifest.text.fp32, manifest.image, ...manifest.heads];
  const totalBytes = files.reduce((a, f) => a + f.bytes, 0);
  const bars = [
    [`best head (${best.fusion}) relational ≥ 95%`, best.int8.relational >= 95, `${f2(best.int8.relational)}%`],
    [`best head (${best.fusion}) non-relational ≥ 99%`, best.int8.nonRelational >= 99, `${f2(best.int8.nonRelational)}%`],
    ["int8 text encoder within 0.5 points of fp32 (every head)", maxInt8Delta <= 0.5, `max |Δ| ${f2(maxInt8Delta)} points`],
    ["int8 text encoder ≤ 1/3 of fp32 file", manifest.text.bytes * 3 <= manifest.text.fp32.bytes, `${manifest.text.bytes} vs ${manifest.text.fp32.bytes} bytes`],
    ["all shipped model files ≤ 8 MB", totalBytes <= 8e6, `${(totalBytes / 1e6).toFixed(2)} MB`],
  ] as const;
  const cpu = cpus();
  const machine = `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} logical cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${platform()} ${release()}, Node ${process.version}, onnxruntime-node ${ort.env.versions?.common ?? "1.30"} (CPU EP)`;
  const cmd = `npx tsx scripts/eval-models.ts --models ${args.models} --seed ${args.seed} --images ${args.images}`;
  const L: string[] = [];
  L.push("# Model suite evaluation (Sort-of-CLEVR)", "");
  L.push(`Generated by \`${cmd}\` on ${new Date().toISOString().slice(0, 10)}. Fresh samples: generator seed **${args.seed}** (training used seed ${manifest.suite.seed}, the Python held-out split seed 4321), ${args.images} images × 6 questions (one per type, colour drawn by the generator) = ${questions.length} questions. Inference: onnxruntime-node on CPU, the files and sha256 of \`models/manifest.json\`, tokenization with \`tokenizer.json\` through \`@huggingface/tokenizers\`.`, "");
  L.push(`Machine: ${machine}.`, "");
  L.push("## Bars", "", "| bar | met | value |", "|---|---|---|");
  for (const [name, ok, val] of bars) L.push(`| ${name} | ${ok ? "yes" : "**no**"} | ${val} |`);
  L.push("");
  L.push("## Served heads (accuracy %, served int8 text encoder; fp32 text encoder alongside)", "");
  L.push("| fusion | head inputs | overall int8 | overall fp32 | relational int8 | relational fp32 | non-rel. int8 | non-rel. fp32 | int8/fp32 answers agree | head file |", "|---|---|---|---|---|---|---|---|---|---|");
  for (const s of summary) {
    const h = manifest.heads.find((x) => x.fusion === s.fusion)!;
    L.push(`| ${s.fusion}${s.fusion === manifest.defaultFusion ? " (default)" : ""} | ${h.inputs.join(", ")} | ${f2(s.int8.overall)} | ${f2(s.fp32.overall)} | ${f2(s.int8.relational)} | ${f2(s.fp32.relational)} | ${f2(s.int8.nonRelational)} | ${f2(s.fp32.nonRelational)} | ${f2(s.agreement)} | ${(h.bytes / 1024).toFixed(0)} KiB |`);
  }
  L.push("");
  L.push("## Per question type (accuracy %, int8 text encoder / fp32 text encoder)", "");
  L.push(`| fusion | ${QUESTION_TYPES.map((t) => `${t}${RELATIONAL[t] ? " (rel.)" : ""}`).join(" | ")} |`, `|---|${QUESTION_TYPES.map(() => "---").join("|")}|`);
  for (const s of summary) L.push(`| ${s.fusion} | ${QUESTION_TYPES.map((t) => `${f1(s.int8.perType[t]!)} / ${f1(s.fp32.perType[t]!)}`).join(" | ")} |`);
  L.push("");
  L.push(`Text encoder int8 vs fp32 on the ${texts.length} distinct questions: max |feature difference| ${maxDiff.toExponential(2)}, min cosine ${cosMin.toFixed(5)}. Files: int8 ${manifest.text.bytes} bytes, fp32 ${manifest.text.fp32.bytes} bytes (${((100 * manifest.text.bytes) / manifest.text.fp32.bytes).toFixed(1)}%).`, "");
  if (training) {
    L.push("## Baselines and PyTorch held-out numbers (from the Python training run, not from ONNX)", "");
    L.push(`PyTorch, fp32 text encoder, held-out split seed 4321 (${training.val?.questions ?? "?"} questions), \`models/training-results.json\`. The baselines are not served; they are the ablation.`, "");
    L.push("| model | fusion | overall | relational | non-relational | " + QUESTION_TYPES.join(" | ") + " |", `|---|---|---|---|---|${QUESTION_TYPES.map(() => "---").join("|")}|`);
    const row = (name: string, kind: string, a: any) =>
      L.push(`| ${name} | ${kind} | ${f1(100 * a.overall)} | ${f1(100 * a.relational)} | ${f1(100 * a.non_relational)} | ${QUESTION_TYPES.map((t) => f1(100 * a[t])).join(" | ")} |`);
    for (const [k, a] of Object.entries(training.heads ?? {})) row(`served head (PyTorch)`, k, a);
    const b = training.baselines ?? {};
    if (b.early) row("baseline: early fusion (question tiled into CNN input, end to end)", "early", b.early);
    if (b.late) row("baseline: late fusion (text-only + image-only logits summed)", "late", b.late);
    L.push("");
    const tm = training.timings_s ?? {};
    L.push(`Training wall time of the last train.py run (2 CPU cores): total ${((tm.total ?? 0) / 60).toFixed(1)} min; stage 1 ${((tm.stage1 ?? 0) / 60).toFixed(1)} min. See docs/training.md.`, "");
    if (training.notes) L.push(`Note: ${training.notes}`, "");
  }
  L.push("## Anchors from the literature (not measured here)", "");
  L.push("| benchmark | model | accuracy |", "|---|---|---|");
  L.push("| Sort-of-CLEVR relational (Santoro et al. 2017) | CNN+MLP | ≈ 63% (plateau) |");
  L.push("| Sort-of-CLEVR relational (Santoro et al. 2017) | CNN+RN | ≈ 94% |");
  L.push("| Sort-of-CLEVR non-relational (Santoro et al. 2017) | CNN+MLP and CNN+RN | > 94% |");
  L.push("| CLEVR (Perez et al. 2018) | concat baseline (CNN+LSTM) | 52.3% |");
  L.push("| CLEVR (Perez et al. 2018) | FiLM | 97.7% |");
  L.push("| VQA v1 (Fukui et al. 2016) | concat vs MCB | 57.5% vs 59.8% |");
  L.push("");
  L.push("The task differs from the original Sort-of-CLEVR in details (see docs/task.md): question types are the three non-relational types and closest/farthest shape and same-shape count, answers are a 12-label vocabulary, questions are English templates tokenized by WordPiece.", "");
  L.push("## Timings (this run, informational)", "");
  for (const [k, v] of Object.entries(timings)) L.push(`- ${k}: ${v.toFixed(0)} ms`);
  L.push(`- total evaluation wall time: ${((performance.now() - t0) / 1000).toFixed(1)} s`, "");
  L.push("## Files", "", "| file | bytes | sha256 |", "|---|---|---|");
  for (const f of files) L.push(`| ${f.file} | ${f.bytes} | \`${f.sha256.slice(0, 16)}…\` |`);
  L.push(`| **total** | ${totalBytes} | |`, "");
  writeFileSync(args.out, L.join("\n"));
  writeFileSync(
    args.json,
    JSON.stringify({ seed: args.seed, images: args.images, questions: questions.length, machine, heads: summary, textInt8VsFp32: { maxDiff, cosMin }, totalBytes, bars: bars.map(([n, ok, v]) => ({ bar: n, met: ok, value: v })) }, null, 2) + "\n",
  );
  log(`wrote ${args.out} and ${args.json}`);
  for (const [name, ok, val] of bars) log(`${ok ? "PASS" : "FAIL"} ${name}: ${val}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
