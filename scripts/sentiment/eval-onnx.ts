/**
 * Evaluate the shipped sentiment files on a fresh split with onnxruntime-node: the int8 (served) and
 * fp32 text encoders through tokenizer.json (@huggingface/tokenizers, as the edge), the face and
 * voice encoders on exactly the feature function's preprocessing of the split's PNG and WAV
 * (scripts/dataset/sentiment.ts --arrays), every head on every modality subset.
 *
 *   npx tsx scripts/sentiment/eval-onnx.ts --data .data/sentiment/test-served [--suite models/sentiment] [--out FILE]
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { Tokenizer } from "@huggingface/tokenizers";
import { SuiteManifestSchema } from "../../functions/suites/manifest-schema";
import { LABELS } from "../../functions/tasks/sentiment/index";
import { softmax, summarise, type Summary } from "./metrics";

const SUBSETS: Record<string, [number, number, number]> = { "text+face+voice": [1, 1, 1], "text+face": [1, 1, 0], "text+voice": [1, 0, 1], text: [1, 0, 0] };
const KINDS = ["literal", "sarcastic", "ambiguous"] as const;

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

interface Rec {
  text: string;
  label: string;
  score: number;
  kind: (typeof KINDS)[number];
}

async function main() {
  const suiteDir = arg("suite", "models/sentiment");
  const repo = arg("repository", "models/repository");
  const dataDir = arg("data");
  const limit = Number(arg("limit", "100000"));
  const manifest = SuiteManifestSchema.parse(JSON.parse(readFileSync(join(suiteDir, "manifest.json"), "utf8")));
  const checked = (path: string, sha: string) => {
    const b = readFileSync(path);
    if (createHash("sha256").update(b).digest("hex") !== sha) throw new Error(`${path}: sha256 mismatch`);
    return b;
  };
  const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, extra: { session: { disable_quant_qdq: "1" } } };
  const [text, face, voice] = manifest.modalities;
  if (text?.encoder.runs !== "edge" || face?.encoder.runs !== "remote" || voice?.encoder.runs !== "remote") throw new Error("unexpected suite layout");
  const tok = new Tokenizer(JSON.parse(readFileSync(join(suiteDir, text.encoder.tokenizer!.file), "utf8")), {});
  const textInt8 = await ort.InferenceSession.create(checked(join(suiteDir, text.encoder.file), text.encoder.sha256), opts);
  const textFp32 = await ort.InferenceSession.create(checked(join(suiteDir, text.encoder.fp32!.file), text.encoder.fp32!.sha256), opts);
  const faceS = await ort.InferenceSession.create(checked(join(repo, face.encoder.model, "1", "model.onnx"), face.encoder.sha256), opts);
  const voiceS = await ort.InferenceSession.create(checked(join(repo, voice.encoder.model, "1", "model.onnx"), voice.encoder.sha256), opts);
  const heads = await Promise.all(manifest.heads.map(async (h) => ({ h, s: await ort.InferenceSession.create(checked(join(suiteDir, h.file), h.sha256), opts) })));

  const recs: Rec[] = readFileSync(join(dataDir, "data.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Rec).slice(0, limit);
  const n = recs.length;
  const faces = readFileSync(join(dataDir, "faces64.u8"));
  const audio = readFileSync(join(dataDir, "audio.i16"));
  const y = recs.map((r) => LABELS.indexOf(r.label as (typeof LABELS)[number]));
  const s = recs.map((r) => r.score);
  const t0 = Date.now();
  const feats: Record<string, Float32Array[]> = { int8: [], fp32: [], face_pooled: [], face_grid: [], voice_pooled: [], voice_frames: [] };
  for (let i = 0; i < n; i++) {
    const ids = tok.encode(recs[i]!.text).ids;
    const idsT = new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
    const maskT = new ort.Tensor("int64", new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
    feats.int8!.push((await textInt8.run({ input_ids: idsT, attention_mask: maskT })).text_features!.data as Float32Array);
    feats.fp32!.push((await textFp32.run({ input_ids: idsT, attention_mask: maskT })).text_features!.data as Float32Array);
    const img = new Float32Array(3 * 64 * 64);
    for (let p = 0; p < 64 * 64; p++) for (let c = 0; c < 3; c++) img[c * 4096 + p] = faces[i * 12288 + 3 * p + c]! / 255;
    const fo = await faceS.run({ image: new ort.Tensor("float32", img, [1, 3, 64, 64]) });
    feats.face_pooled!.push(fo.pooled!.data as Float32Array);
    feats.face_grid!.push(fo.grid!.data as Float32Array);
    const wav = new Float32Array(48000);
    for (let k = 0; k < 48000; k++) wav[k] = audio.readInt16LE((i * 48000 + k) * 2) / 32768;
    const vo = await voiceS.run({ audio: new ort.Tensor("float32", wav, [1, 48000]) });
    feats.voice_pooled!.push(vo.pooled!.data as Float32Array);
    feats.voice_frames!.push(vo.frames!.data as Float32Array);
    if ((i + 1) % 250 === 0) process.stderr.write(`\rencoded ${i + 1}/${n} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  process.stderr.write("\n");
  const results: Record<string, Record<string, Summary>> = {};
  const shapes: Record<string, number[]> = { face_pooled: [64], face_grid: [64, 64], voice_pooled: [64], voice_frames: [38, 64] };
  for (const { h, s: sess } of heads) {
    for (const textKind of h.fusion === "attention" ? ["int8", "fp32"] : ["int8"]) {
      for (const [sub, mask] of Object.entries(SUBSETS)) {
        const probs: number[][] = [];
        const scores: number[] = [];
        for (let i = 0; i < n; i++) {
          const feeds: Record<string, ort.Tensor> = { mask: new ort.Tensor("float32", Float32Array.from(mask), [1, 3]) };
          for (const inp of h.inputs) {
            const key = inp.name === "text_features" ? textKind : inp.name;
            const present = inp.modality === "text" ? 1 : inp.modality === "face" ? mask[1] : mask[2];
            const v = feats[key]![i]!;
            feeds[inp.name] = new ort.Tensor("float32", present ? v : new Float32Array(v.length), [1, ...(shapes[inp.name] ?? [64])]);
          }
          const o = await sess.run(feeds);
          probs.push(softmax(o[h.outputs.logits]!.data as Float32Array));
          scores.push((o.score!.data as Float32Array)[0]!);
        }
        const rep: Record<string, Summary> = { all: summarise(probs, scores, y, s) };
        for (const k of KINDS) {
          const idx = recs.map((r, i) => [r, i] as const).filter(([r]) => r.kind === k).map(([, i]) => i);
          rep[k] = summarise(idx.map((i) => probs[i]!), idx.map((i) => scores[i]!), idx.map((i) => y[i]!), idx.map((i) => s[i]!));
        }
        results[`${h.fusion}${textKind === "fp32" ? " (fp32 text)" : ""}|${sub}`] = rep;
      }
    }
  }
  const pct = (x: number) => (x * 100).toFixed(1);
  const md = ["| head | text encoder | " + Object.keys(SUBSETS).join(" | ") + " | sarcastic (all three) |", "|---|---|" + "---|".repeat(Object.keys(SUBSETS).length + 1)];
  for (const key of new Set(Object.keys(results).map((k) => k.split("|")[0]!))) {
    const fp32 = key.includes("fp32");
    md.push(`| ${key.replace(" (fp32 text)", "")} | ${fp32 ? "fp32" : "int8"} | ` + Object.keys(SUBSETS).map((sub) => pct(results[`${key}|${sub}`]!.all!.acc)).join(" | ") + ` | ${pct(results[`${key}|text+face+voice`]!.sarcastic!.acc)} |`);
  }
  const int8 = results["attention|text+face+voice"]!.all!.acc;
  const fp32 = results["attention (fp32 text)|text+face+voice"]!.all!.acc;
  const note = `${n} samples of \`${dataDir}\`; \`npx tsx scripts/sentiment/eval-onnx.ts --data ${dataDir}\`. int8 vs fp32 text encoder (attention head, all modalities): ${pct(int8)}% vs ${pct(fp32)}% (${((int8 - fp32) * 100).toFixed(2)} pt). The \`late\` head with only one modality present is that modality's unimodal probe.`;
  const out = { n, results, markdown: md.join("\n") + "\n\n" + note };
  writeFileSync(arg("out", join(suiteDir, "eval-served.json")), JSON.stringify(out, null, 1) + "\n");
  console.log(out.markdown);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
