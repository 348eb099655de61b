/**
 * Pre-optimises the fusion heads the edge runs, offline, so that onnxruntime-web has little graph
 * work left when it loads them (issue 15 part 2; figures in docs/BENCHMARKS.md, why in
 * docs/ort-in-workerd.md). Run it on whatever a training or export step shipped, as its last step:
 *   npx tsx scripts/optimize/optimize-edge-models.ts [models/<suite> ...] [--level extended] [--check]
 * With no folder, every suite under models/. For each head listed in the suite's manifest.json it
 * writes onnxruntime-node's optimised graph (`optimizedModelFilePath`) over the file, after checking
 * that both graphs give the same outputs on random inputs, and updates the manifest's sha256 and
 * bytes. Idempotent: an already optimised file comes out byte for byte the same and is left alone.
 * `--check` changes nothing and exits 1 if a head is not optimised (for CI).
 *
 * Level "extended" (default) adds ORT's contrib fused kernels (FusedGemm, FusedMatMul, BiasGelu),
 * which onnxruntime-web and -node both run; heads run nowhere else. "all" would add layout
 * transforms specific to the machine that optimised the file, so it is refused. Edge encoders are
 * left as shipped: folding their int8 weights would store them as fp32 (three times the bytes).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { suiteDirs } from "../../functions/suites/node";
import { readOnnxOpTypes } from "../suite/onnx-graph";
import { maxDifference } from "./compare-outputs";

const argv = process.argv.slice(2);
const levelAt = argv.indexOf("--level");
const level = levelAt >= 0 ? argv[levelAt + 1] : "extended";
if (level !== "basic" && level !== "extended") {
  console.error(`--level must be basic or extended (got ${level}); "all" writes machine-specific graphs`);
  process.exit(2);
}
const checkOnly = argv.includes("--check");
const folders = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--level");
const suites = folders.length > 0 ? folders : suiteDirs();

/** Outputs may differ by float re-association in fused kernels, nothing more. */
const TOLERANCE = 1e-4;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

interface ManifestFileEntry {
  file: string;
  sha256: string;
  bytes: number;
}

const work = mkdtempSync(join(tmpdir(), "edgefuse-optimize-"));
let pending = 0;
try {
  for (const dir of suites) {
    const manifestPath = join(dir, "manifest.json");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { id: string; heads?: ManifestFileEntry[] };
    let changed = false;
    for (const head of manifest.heads ?? []) {
      const path = join(dir, head.file);
      const before = readFileSync(path);
      const out = join(work, `${sha256(before)}.onnx`);
      const t0 = performance.now();
      // A head with int8 weights (scripts/quantize/quantize-heads.ts) keeps its DequantizeLinear nodes:
      // folding them here would store its weights as fp32 again.
      const int8 = readOnnxOpTypes(before).has("DequantizeLinear");
      const session = await ort.InferenceSession.create(path, {
        graphOptimizationLevel: level,
        intraOpNumThreads: 1,
        optimizedModelFilePath: out,
        extra: { session: { disable_quant_qdq: int8 ? "0" : "1" } },
      });
      await session.release();
      const after = readFileSync(out);
      if (sha256(after) === sha256(before)) {
        console.log(`${path}: already optimised (${level})`);
        continue;
      }
      pending++;
      if (checkOnly) {
        console.log(`${path}: NOT optimised — run scripts/optimize/optimize-edge-models.ts ${dir}`);
        continue;
      }
      const diff = await maxDifference(path, out);
      if (!(diff <= TOLERANCE)) throw new Error(`${path}: the optimised graph differs by ${diff} (> ${TOLERANCE}); left unchanged`);
      writeFileSync(path, after); // not a rename: the temp folder may be on another filesystem (EXDEV)
      head.sha256 = sha256(after);
      head.bytes = after.length;
      changed = true;
      console.log(`${path}: optimised (${level}) in ${(performance.now() - t0).toFixed(0)} ms, ${before.length} → ${after.length} bytes, max relative difference ${diff.toExponential(1)}`);
    }
    if (changed) {
      writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
      console.log(`${manifestPath}: sha256 and bytes updated`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (checkOnly && pending > 0) process.exit(1);
