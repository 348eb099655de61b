/**
 * A fusion head's accuracy on a split of the features folder that `npm run suite:features` writes
 * (<split>/<modality>.<output>.npy, labels.npy, optional present.<modality>.npy), run in
 * onnxruntime-node the way the edge runs heads: level "basic" with int8 weights folded at load, a
 * modality absent from a row fed as zeros and the presence mask saying so. quantize-heads.ts uses it
 * to judge int8 weights on the suite's own held-out data rather than on random inputs.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { featureDims, type Head, type SuiteManifest } from "../../functions/suites/manifest";
import { type NpyArray, readNpy, readNpyStrings } from "../suite/npy";

export interface FeatureSplit {
  readonly dir: string;
  readonly n: number;
  readonly labels: Int32Array;
  /** "<modality>.<output>" -> [n, ...dims] */
  readonly features: ReadonlyMap<string, NpyArray & { data: Float32Array }>;
  /** modality -> 0/1 per row, where the folder says so */
  readonly present: ReadonlyMap<string, Float32Array>;
  /** label_names.npy, where the folder has it */
  readonly labelNames?: readonly string[];
}

export function readFeatureSplit(featuresDir: string, split = "test"): FeatureSplit {
  const dir = join(featuresDir, split);
  if (!existsSync(join(dir, "labels.npy"))) {
    const splits = existsSync(featuresDir) ? readdirSync(featuresDir).filter((d) => existsSync(join(featuresDir, d, "labels.npy"))) : [];
    throw new Error(
      splits.length > 0
        ? `${featuresDir} has no split "${split}" (it has ${splits.join(", ")})`
        : `${dir}/labels.npy not found: pass the folder npm run suite:features wrote (its --out)`,
    );
  }
  const labelsNpy = readNpy(join(dir, "labels.npy"));
  const raw = labelsNpy.data;
  const labels = raw instanceof BigInt64Array ? Int32Array.from(raw, (x) => Number(x)) : Int32Array.from(raw, (x) => Math.round(x));
  const n = labels.length;
  const features = new Map<string, NpyArray & { data: Float32Array }>();
  const present = new Map<string, Float32Array>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".npy")).sort()) {
    const key = file.slice(0, -4);
    if (key === "labels" || key === "score" || key === "label_names") continue;
    const a = readNpy(join(dir, file));
    if (!(a.data instanceof Float32Array)) throw new Error(`${dir}/${file}: expected floats`);
    if (a.shape[0] !== n) throw new Error(`${dir}/${file}: ${a.shape[0]} rows, labels.npy has ${n}`);
    if (key.startsWith("present.")) present.set(key.slice("present.".length), a.data);
    else features.set(key, { shape: a.shape, data: a.data });
  }
  const names = existsSync(join(dir, "label_names.npy")) ? readNpyStrings(join(dir, "label_names.npy")) : undefined;
  return { dir, n, labels, features, present, ...(names ? { labelNames: names } : {}) };
}

/** The split must describe this suite: label ids within its labels (same names, where the folder has them). */
export function checkSplitAgainstSuite(split: FeatureSplit, m: SuiteManifest): void {
  const count = m.task.labels.length;
  const bad = split.labels.findIndex((l) => !(l >= 0 && l < count));
  if (bad >= 0) throw new Error(`${split.dir}/labels.npy row ${bad} has label ${split.labels[bad]}, but suite ${m.id} has ${count} labels (0-${count - 1}): is this its features folder?`);
  if (split.labelNames && split.labelNames.join("\n") !== m.task.labels.join("\n")) {
    throw new Error(`${split.dir}/label_names.npy lists ${split.labelNames.join(", ")}; suite ${m.id}'s labels are ${m.task.labels.join(", ")}`);
  }
}

/** Top-1 accuracy (0..1) of the head file on every row of the split; batches of `batch` rows. */
export async function headAccuracy(file: string, m: SuiteManifest, head: Head, split: FeatureSplit, batch = 256): Promise<number> {
  const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: "basic", intraOpNumThreads: 1, extra: { session: { disable_quant_qdq: "1" } } });
  // a modality without present.<m>.npy is present on every row where the folder has its features
  const withFeatures = new Set([...split.features.keys()].map((k) => k.slice(0, k.indexOf("."))));
  const isPresent = (modality: string, row: number) => {
    const p = split.present.get(modality);
    return p ? p[row]! > 0.5 : withFeatures.has(modality);
  };
  let right = 0;
  try {
    for (let first = 0; first < split.n; first += batch) {
      const rows = Math.min(batch, split.n - first);
      const feeds: Record<string, ort.Tensor> = {};
      for (const input of head.inputs) {
        const a = split.features.get(`${input.modality}.${input.output}`);
        const mod = m.modalities.find((x) => x.name === input.modality);
        if (!mod) throw new Error(`head ${head.id} reads modality ${input.modality}, which the manifest does not list`);
        const dims = a ? a.shape.slice(1) : featureDims(mod, input.output);
        if (!a && (mod.required || dims.some((d) => d < 1))) throw new Error(`${split.dir} has no ${input.modality}.${input.output}.npy, which head ${head.id} needs`);
        const size = dims.reduce((x, y) => x * y, 1);
        const data = new Float32Array(rows * size);
        for (let r = 0; r < rows; r++) {
          if (a && isPresent(input.modality, first + r)) data.set(a.data.subarray((first + r) * size, (first + r + 1) * size), r * size);
        }
        feeds[input.name] = new ort.Tensor("float32", data, [rows, ...dims]);
      }
      if (head.maskInput) {
        const k = head.modalities.length;
        const mask = new Float32Array(rows * k);
        for (let r = 0; r < rows; r++) head.modalities.forEach((mod, j) => (mask[r * k + j] = isPresent(mod, first + r) ? 1 : 0));
        feeds[head.maskInput] = new ort.Tensor("float32", mask, [rows, k]);
      }
      const logits = (await session.run(feeds))[head.outputs.logits]!.data as Float32Array;
      const labels = logits.length / rows;
      for (let r = 0; r < rows; r++) {
        let best = 0;
        for (let j = 1; j < labels; j++) if (logits[r * labels + j]! > logits[r * labels + best]!) best = j;
        if (best === split.labels[first + r]) right++;
      }
    }
  } finally {
    await session.release();
  }
  return right / split.n;
}
