// scripts/heads/train_heads.py on generated features: every fusion method trains, exports ONNX that
// onnxruntime-node runs, writes heads the suite schema accepts, answers with an optional modality
// left out, and reports per-subset evaluation; bad features give a clear error.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { HeadSchema } from "../../functions/suites/manifest-schema";
import { writeNpyF32, writeNpyI64 } from "../../scripts/suite/npy";
import * as ort from "onnxruntime-node";

const FUSIONS = ["concat", "sum", "product", "bilinear", "tensor", "lmf", "attention", "gated"];

/** Rows of 3 classes; text and image carry the class, voice too (optional, missing in 20% of rows). */
function writeFeatures(root: string, seed: number): void {
  let s = seed;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  for (const [split, n] of [["train", 240], ["val", 60], ["test", 60]] as const) {
    const dir = join(root, split);
    mkdirSync(dir, { recursive: true });
    const labels = Array.from({ length: n }, () => Math.floor(rand() * 3));
    const text = new Float32Array(n * 8);
    const grid = new Float32Array(n * 4 * 6);
    const pooled = new Float32Array(n * 6);
    const voice = new Float32Array(n * 5);
    const present = new Float32Array(n);
    const score = new Float32Array(n);
    labels.forEach((y, i) => {
      for (let d = 0; d < 8; d++) text[i * 8 + d] = gauss() * 0.5 + (d === y ? 2 : 0);
      for (let t = 0; t < 4; t++) for (let d = 0; d < 6; d++) grid[(i * 4 + t) * 6 + d] = gauss() * 0.5 + (d === y + 3 && t === y ? 3 : 0);
      for (let d = 0; d < 6; d++) pooled[i * 6 + d] = gauss() * 0.5 + (d === y + 3 ? 1 : 0);
      present[i] = rand() < 0.8 ? 1 : 0;
      for (let d = 0; d < 5; d++) voice[i * 5 + d] = present[i] ? gauss() * 0.5 + (d === y ? 2 : 0) : 0;
      score[i] = y - 1 + gauss() * 0.1;
    });
    writeNpyF32(join(dir, "text.features.npy"), text, [n, 8]);
    writeNpyF32(join(dir, "image.pooled.npy"), pooled, [n, 6]);
    writeNpyF32(join(dir, "image.grid.npy"), grid, [n, 4, 6]);
    writeNpyF32(join(dir, "voice.embedding.npy"), voice, [n, 5]);
    writeNpyF32(join(dir, "present.voice.npy"), present, [n]);
    writeNpyF32(join(dir, "score.npy"), score, [n]);
    writeNpyI64(join(dir, "labels.npy"), labels);
  }
  writeFileSync(join(root, "suite.json"), JSON.stringify({ id: "synthetic", version: "0.1.0", labels: ["a", "b", "c"], optional: ["voice"] }));
}

function train(features: string, suiteDir: string, extra: string[] = []) {
  return spawnSync(
    "/usr/bin/python3",
    ["scripts/heads/train_heads.py", "--features", features, "--suite-dir", suiteDir, "--epochs", "10", "--batch-size", "16", "--d", "16", "--hidden", "32", "--baselines", "late", ...extra],
    { encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1" }, timeout: 600_000 },
  );
}

type Eval = {
  heads: Record<string, { test: { all: { accuracy: number; macroF1: number }; subsets: Record<string, { accuracy: number }>; score?: { mae: number } } }>;
  subsets: string[];
  onnxParityMaxAbsDiff?: number;
};

describe("train_heads.py", () => {
  const root = mkdtempSync(join(tmpdir(), "heads-"));
  const features = join(root, "features");
  const suiteDir = join(root, "suite");
  let run: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    writeFeatures(features, 7);
    run = train(features, suiteDir);
  }, 600_000);

  it("trains every fusion method and reports progress", () => {
    expect(run.status, String(run.stderr)).toBe(0);
    for (const f of FUSIONS) expect(String(run.stdout)).toMatch(new RegExp(`\\[${f}\\] epoch 1/10`));
    expect(String(run.stdout)).toMatch(/onnxruntime-node parity: max \|onnx - torch\| = /);
  });

  it("writes heads the suite manifest schema accepts, with the presence mask for the optional modality", () => {
    const { heads, defaultFusion } = JSON.parse(readFileSync(join(suiteDir, "heads", "heads.json"), "utf8")) as { heads: unknown[]; defaultFusion: string };
    expect(heads).toHaveLength(FUSIONS.length);
    const parsed = heads.map((h) => HeadSchema.parse(h));
    expect(parsed.map((h) => h.fusion)).toEqual(FUSIONS);
    expect(FUSIONS).toContain(defaultFusion);
    for (const h of parsed) {
      expect(h.modalities).toEqual(["image", "text", "voice"]);
      expect(h).toMatchObject({ maskInput: "mask", absent: "zeros", outputs: { logits: "logits", score: "score" } });
      expect(existsSync(join(suiteDir, h.file))).toBe(true);
    }
    const attention = parsed.find((h) => h.fusion === "attention")!;
    expect(attention.inputs.map((i) => i.name)).toEqual(["image_pooled", "image_grid", "text_features", "voice_embedding"]);
    expect(attention).toMatchObject({ outputs: { attention: "attention" }, attentionGrid: { rows: 2, cols: 2, modality: "image" } });
    expect(existsSync(join(suiteDir, "heads", "late.onnx"))).toBe(false); // baselines are measured, not shipped
  });

  it("learns the task and evaluates every modality subset, baselines included", () => {
    const ev = JSON.parse(readFileSync(join(suiteDir, "eval.json"), "utf8")) as Eval;
    expect(ev.subsets).toEqual(["image+text+voice", "image+text"]);
    for (const f of [...FUSIONS, "late"]) {
      expect(ev.heads[f]!.test.all.accuracy, f).toBeGreaterThan(0.8);
      expect(ev.heads[f]!.test.subsets["image+text"]!.accuracy, f).toBeGreaterThan(0.6);
      expect(ev.heads[f]!.test.score!.mae, f).toBeLessThan(0.5);
    }
    expect(ev.onnxParityMaxAbsDiff).toBeLessThan(1e-4);
    expect(readFileSync(join(suiteDir, "EVAL.md"), "utf8")).toMatch(/\| attention \| image\+text\+voice \|/);
  });

  it("an exported head answers in onnxruntime-node with the optional modality absent (zeros + mask)", async () => {
    const session = await ort.InferenceSession.create(join(suiteDir, "heads", "gated.onnx"));
    const t = (data: number[], dims: number[]) => new ort.Tensor("float32", Float32Array.from(data), dims);
    const feeds = {
      image_pooled: t([0, 0, 0, 0, 0, 1], [1, 6]),
      text_features: t([0, 0, 2, 0, 0, 0, 0, 0], [1, 8]),
      voice_embedding: t([0, 0, 0, 0, 0], [1, 5]),
      mask: t([1, 1, 0], [1, 3]),
    };
    const out = await session.run(feeds);
    const logits = Array.from(out.logits!.data as Float32Array);
    expect(logits).toHaveLength(3);
    expect(logits.indexOf(Math.max(...logits))).toBe(2); // class c, carried by text and image
    expect(out.score!.dims).toEqual([1]);
  });

  it("bad features: a clear error, exit 1", () => {
    const bad = join(root, "bad");
    writeFeatures(bad, 8);
    writeNpyF32(join(bad, "val", "text.features.npy"), new Float32Array(60 * 7), [60, 7]);
    const r = train(bad, join(root, "bad-suite"));
    expect(r.status).toBe(1);
    expect(String(r.stderr)).toMatch(/'text.features': val shape \[7\] != train \[8\]/);
  });
});
