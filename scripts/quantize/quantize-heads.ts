/**
 * Stores the fusion heads' weights as int8 (weight-only, per output channel), in place, for each
 * suite: a quarter of the bytes for the edge to read, bundle and hash, and the same session in
 * memory (the edge folds the DequantizeLinear nodes at load, so runs cost what fp32 weights cost).
 * Why and the measured effect: docs/ort-in-workerd.md ("Heads with int8 weights").
 *
 *   npx tsx scripts/quantize/quantize-heads.ts [models/<suite> ...]
 *
 * Run it after scripts/optimize/optimize-edge-models.ts (training and export do). For each head in
 * the manifest that has no DequantizeLinear yet: scripts/quantize/quantize.py writes the int8 file,
 * onnxruntime-node re-optimises it with the DequantizeLinear nodes kept until the graph stops
 * changing (so `optimize-edge-models.ts --check` accepts it), its outputs are compared with the fp32
 * head's on seeded random inputs, and the manifest's sha256 and bytes are updated. A head that is
 * already int8 is left alone, so the script is idempotent. Accuracy is judged by the suite's
 * evaluation (npm run eval:models, scripts/sentiment/eval-onnx.ts), not here.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { suiteDirs } from "../../functions/suites/node";
import { maxDifference } from "../optimize/compare-outputs";
import { readOnnxOpTypes } from "../suite/onnx-graph";

const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";
/**
 * Largest relative output difference from the fp32 head on random inputs that is still a rounding of
 * the weights and not a broken graph (int8 per-channel rounding moves logits by about 1e-3 to 1e-2).
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

const folders = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const work = mkdtempSync(join(tmpdir(), "edgefuse-int8-heads-"));
try {
  for (const dir of folders.length > 0 ? folders : suiteDirs()) {
    const manifestPath = join(dir, "manifest.json");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { heads?: ManifestFileEntry[] };
    for (const head of manifest.heads ?? []) {
      const path = join(dir, head.file);
      const before = readFileSync(path);
      if (readOnnxOpTypes(before).has("DequantizeLinear")) {
        console.log(`${path}: already int8`);
        continue;
      }
      const fp32 = join(work, "fp32.onnx");
      copyFileSync(path, fp32);
      let current = join(work, "int8-0.onnx");
      const q = spawnSync(PYTHON, ["scripts/quantize/quantize.py", fp32, current, "--max-ratio", "0.5"], { encoding: "utf8" });
      if (q.status !== 0) throw new Error(`${path}: quantize.py failed (${q.status}):\n${q.stdout}${q.stderr}`);
      // ORT may fuse a little more once weights sit behind DequantizeLinear; one or two passes settle it.
      for (let pass = 1; ; pass++) {
        const next = join(work, `int8-${pass}.onnx`);
        await optimiseKeepingInt8(current, next);
        const same = sha256(readFileSync(next)) === sha256(readFileSync(current));
        current = next;
        if (same) break;
        if (pass === 4) throw new Error(`${path}: the int8 graph still changes after ${pass} optimisation passes`);
      }
      const diff = await maxDifference(fp32, current);
      if (!(diff <= SANITY_BOUND)) throw new Error(`${path}: int8 outputs differ from fp32 by ${diff} (> ${SANITY_BOUND}); left unchanged`);
      const after = readFileSync(current);
      writeFileSync(path, after); // not a rename: the temp folder may be on another filesystem (EXDEV)
      head.sha256 = sha256(after);
      head.bytes = after.length;
      // written after each head, so a failure on a later one leaves files and manifest consistent
      writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
      console.log(`${path}: int8 weights, ${before.length} → ${after.length} bytes (${((100 * after.length) / before.length).toFixed(1)}%), max relative output difference on random inputs ${diff.toExponential(1)}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
