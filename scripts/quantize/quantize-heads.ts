/**
 * Stores the fusion heads' weights as int8 (weight-only, per output channel), in place, for each
 * suite: a quarter of the bytes for the edge to read, bundle and hash, and the same session in
 * memory (the edge folds the DequantizeLinear nodes at load, so runs cost what fp32 weights cost).
 * Why and the measured effect: docs/ort-in-workerd.md ("Heads with int8 weights").
 *
 * Run it after scripts/optimize/optimize-edge-models.ts (training and export do). For each head in
 * the manifest that has no DequantizeLinear yet: scripts/quantize/quantize.py writes the int8 file,
 * onnxruntime-node re-optimises it with the DequantizeLinear nodes kept until the graph stops
 * changing (so `optimize-edge-models.ts --check` accepts it), its outputs are compared with the fp32
 * head's on seeded random inputs, and the manifest's sha256 and bytes are updated. A head that is
 * already int8 is left alone, so the script is idempotent. A head is kept fp32, with the reason
 * printed, when int8 would save under 5%, or when it changes the head too much: with --features
 * (the folder `npm run suite:features` wrote for this suite), when the head's accuracy on that
 * folder's test split drops by more than --max-drop points (default 0.5); without it, when its
 * outputs on seeded random inputs move by more than --bound (default 0.1, relative to
 * max(1, |output|)). The others still go int8 and the exit status is 0; it is 1 only when a head
 * could not be processed at all. The shipped suites are judged by their own evaluations
 * (npm run eval:models, scripts/sentiment/eval-onnx.ts).
 *
 *   npx tsx scripts/quantize/quantize-heads.ts [models/<suite> ...] [--bound 0.1]
 *   npx tsx scripts/quantize/quantize-heads.ts models/<suite> --features <features folder> [--max-drop 0.5] [--split test]
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as ort from "onnxruntime-node";
import type { SuiteManifest } from "../../functions/suites/manifest";
import { readSuiteManifest, suiteDirs } from "../../functions/suites/node";
import { maxDifference } from "../optimize/compare-outputs";
import { checkSplitAgainstSuite, type FeatureSplit, headAccuracy, readFeatureSplit } from "./head-accuracy";
import { readOnnxOpTypes } from "../suite/onnx-graph";

const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";
/** Beside this file, so the script runs from any working directory. */
const QUANTIZE_PY = join(dirname(fileURLToPath(import.meta.url)), "quantize.py");
/**
 * Default largest relative output difference from the fp32 head on seeded random inputs in [-1, 1):
 * the shipped heads moved by 2e-3 to 9e-2. Random inputs can sit far from real features (a product
 * head squares their scale), so a head above it is kept fp32 rather than refused outright.
 */
const SANITY_BOUND = 0.1;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function optimiseKeepingInt8(src: string, out: string): Promise<void> {
  const session = await ort.InferenceSession.create(src, {
    graphOptimizationLevel: "extended",
    intraOpNumThreads: 1,
    optimizedModelFilePath: out,
    extra: { session: { disable_quant_qdq: "0" } },
  });
  await session.release();
}

interface ManifestFileEntry {
  file: string;
  sha256: string;
  bytes: number;
}

const { values: opts, positionals: folders } = (() => {
  try {
    return parseArgs({ allowPositionals: true, options: { bound: { type: "string" }, features: { type: "string" }, "max-drop": { type: "string" }, split: { type: "string" } } });
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: quantize-heads.ts [models/<suite> ...] [--bound 0.1] | models/<suite> --features <folder> [--max-drop 0.5] [--split test]`);
    process.exit(2);
  }
})();
const positive = (name: string, text: string | undefined, fallback: number, allowZero = false) => {
  const v = text === undefined ? fallback : Number(text);
  if (!(allowZero ? v >= 0 : v > 0)) {
    console.error(`--${name} must be a ${allowZero ? "non-negative" : "positive"} number (got ${text})`);
    process.exit(2);
  }
  return v;
};
// each judge has its own option: one given to the other judge would be silently ignored
if (opts.features && opts.bound !== undefined) {
  console.error("--bound judges on random inputs and does not apply with --features (use --max-drop)");
  process.exit(2);
}
if (!opts.features && (opts["max-drop"] !== undefined || opts.split !== undefined)) {
  console.error("--max-drop and --split need --features <the folder npm run suite:features wrote>");
  process.exit(2);
}
const bound = positive("bound", opts.bound, SANITY_BOUND);
/** With --features: the largest drop in test accuracy, in percentage points, that int8 may cost a head. */
const maxDrop = positive("max-drop", opts["max-drop"], 0.5, true);
const probe = spawnSync(PYTHON, ["-c", "import onnx, numpy"], { encoding: "utf8" });
if (probe.status !== 0) {
  console.error(`${PYTHON} cannot import onnx and numpy (apt-get install python3-onnx python3-numpy, or set PYTHON): ${probe.error?.message ?? probe.stderr.trim()}`);
  process.exit(2);
}

type Outcome = "int8" | "already int8" | "kept fp32" | "failed";
const outcomes: { path: string; outcome: Outcome; why: string }[] = [];

/** The suite's held-out features, when given: int8 is then judged by test accuracy, not random inputs. */
interface HeldOut {
  readonly manifest: SuiteManifest;
  readonly split: FeatureSplit;
}

/** One head: int8 in place (and its manifest entry), or left as it was with the reason. */
async function quantizeHead(path: string, head: ManifestFileEntry, work: string, heldOut?: HeldOut): Promise<{ outcome: Outcome; why: string }> {
  const before = readFileSync(path);
  if (readOnnxOpTypes(before).has("DequantizeLinear")) return { outcome: "already int8", why: "" };
  const fp32 = join(work, "fp32.onnx");
  copyFileSync(path, fp32);
  let current = join(work, "int8-0.onnx");
  // --max-ratio 1: quantize.py's own size check is for the text encoder; here a head is kept fp32 below when int8 saves little
  const q = spawnSync(PYTHON, [QUANTIZE_PY, fp32, current, "--max-ratio", "1"], { encoding: "utf8" });
  if (q.status !== 0) return { outcome: "failed", why: `quantize.py exited ${q.status}: ${(q.stderr || q.stdout).trim().split("\n").at(-1)}` };
  // ORT may fuse a little more once weights sit behind DequantizeLinear; one or two passes settle it.
  for (let pass = 1; ; pass++) {
    const next = join(work, `int8-${pass}.onnx`);
    await optimiseKeepingInt8(current, next);
    const same = sha256(readFileSync(next)) === sha256(readFileSync(current));
    current = next;
    if (same) break;
    if (pass === 4) return { outcome: "failed", why: `the int8 graph still changes after ${pass} optimisation passes` };
  }
  const after = readFileSync(current);
  if (after.length > 0.95 * before.length) return { outcome: "kept fp32", why: `int8 would save under 5% (${before.length} → ${after.length} bytes): its weights are mostly below 256 elements` };
  const diff = await maxDifference(fp32, current);
  let accuracy = "";
  if (heldOut) {
    const h = heldOut.manifest.heads.find((x) => x.file === head.file);
    if (!h) return { outcome: "failed", why: `the manifest lists no head for ${head.file}` };
    const [before32, after8] = [await headAccuracy(fp32, heldOut.manifest, h, heldOut.split), await headAccuracy(current, heldOut.manifest, h, heldOut.split)];
    const drop = 100 * (before32 - after8);
    accuracy = `, ${heldOut.split.dir} accuracy ${(100 * before32).toFixed(2)}% fp32 → ${(100 * after8).toFixed(2)}% int8`;
    if (drop > maxDrop) return { outcome: "kept fp32", why: `int8 costs ${drop.toFixed(2)} points of accuracy (> --max-drop ${maxDrop})${accuracy}` };
  } else if (!(diff <= bound)) {
    return { outcome: "kept fp32", why: `int8 outputs on random inputs differ from fp32 by ${diff.toFixed(3)} (> --bound ${bound}); random inputs can exaggerate: judge on your test split instead with --features <the suite:features folder>, or rerun with a larger --bound` };
  }
  writeFileSync(path, after); // not a rename: the temp folder may be on another filesystem (EXDEV)
  head.sha256 = sha256(after);
  head.bytes = after.length;
  return { outcome: "int8", why: `${before.length} → ${after.length} bytes (${((100 * after.length) / before.length).toFixed(1)}%), max relative output difference on random inputs ${diff.toExponential(1)}${accuracy}` };
}

const work = mkdtempSync(join(tmpdir(), "edgefuse-int8-heads-"));
try {
  const suites = folders.length > 0 ? folders : suiteDirs();
  if (opts.features && suites.length !== 1) {
    console.error("--features belongs to one suite: name exactly one suite folder with it");
    process.exit(2);
  }
  for (const dir of suites) {
    const manifestPath = join(dir, "manifest.json");
    if (!existsSync(manifestPath)) {
      console.error(`${dir} is not a packed suite (no manifest.json): pass models/<id>, the folder npm run suite:pack wrote`);
      process.exit(2);
    }
    let heldOut: HeldOut | undefined;
    if (opts.features) {
      const suiteManifest = readSuiteManifest(dir);
      try {
        const split = readFeatureSplit(opts.features, opts.split ?? "test");
        checkSplitAgainstSuite(split, suiteManifest);
        heldOut = { manifest: suiteManifest, split };
      } catch (err) {
        console.error(`--features: ${(err as Error).message}`);
        process.exit(2);
      }
    }
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { heads?: ManifestFileEntry[] };
    for (const head of manifest.heads ?? []) {
      const path = join(dir, head.file);
      let result: { outcome: Outcome; why: string };
      try {
        result = await quantizeHead(path, head, work, heldOut);
      } catch (err) {
        result = { outcome: "failed", why: (err as Error).message };
      }
      // the manifest is written after each head, so files and manifest agree whatever happens next
      if (result.outcome === "int8") writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
      outcomes.push({ path, ...result });
      console.log(`${path}: ${result.outcome}${result.why ? `, ${result.why}` : ""}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const count = (o: Outcome) => outcomes.filter((x) => x.outcome === o).length;
console.log(`${count("int8")} heads made int8, ${count("already int8")} already int8, ${count("kept fp32")} kept fp32, ${count("failed")} failed (each left as it was)`);
if (count("failed") > 0) process.exit(1);
