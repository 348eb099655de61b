/**
 * A suite head run offline in onnxruntime-node on given per-modality features, with the edge's
 * conventions: feature inputs as [1, ...dims], an absent optional modality fed as zeros, the
 * presence mask [1, M] in the head's modality order, softmax over the (calibrated) logits.
 * Reference values for the end-to-end test and a check users can run on their own suite.
 */
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { outputDims, type Head, type SuiteManifest } from "../../functions/suites/manifest";

export type ModalityFeatures = ReadonlyMap<string, ReadonlyMap<string, Float32Array>>; // modality -> output -> values

export interface OfflinePrediction {
  readonly head: string;
  readonly probabilities: number[];
  readonly score?: number;
}

export function softmax(logits: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(logits));
  const e = Array.from(logits, (x) => Math.exp(x - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

export async function predictOffline(suiteDir: string, m: SuiteManifest, head: Head, features: ModalityFeatures): Promise<OfflinePrediction> {
  const session = await ort.InferenceSession.create(join(suiteDir, head.file), { graphOptimizationLevel: "basic" });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of head.inputs) {
      const mod = m.modalities.find((x) => x.name === input.modality)!;
      const dims = mod.encoder.runs === "edge" && mod.encoder.pooling === "mean" ? [outputDims(mod, input.output).at(-1)!] : outputDims(mod, input.output);
      const size = dims.reduce((a, b) => a * b, 1);
      const given = features.get(input.modality)?.get(input.output);
      if (!given && !head.absent) throw new Error(`head ${head.id} needs ${input.modality}.${input.output}`);
      feeds[input.name] = new ort.Tensor("float32", given ? Float32Array.from(given) : new Float32Array(size), [1, ...dims]);
    }
    if (head.maskInput) {
      feeds[head.maskInput] = new ort.Tensor("float32", Float32Array.from(head.modalities.map((x) => (features.has(x) ? 1 : 0))), [1, head.modalities.length]);
    }
    const out = await session.run(feeds);
    const probabilities = softmax(out[head.outputs.logits]!.data as Float32Array);
    const score = head.outputs.score ? (out[head.outputs.score]!.data as Float32Array)[0] : undefined;
    return { head: head.id, probabilities, ...(score !== undefined ? { score } : {}) };
  } finally {
    await session.release();
  }
}
