/**
 * The Sort-of-CLEVR suite (models/sort-of-clevr/manifest.json), the one behind /v1/answer, seen
 * through the (question, image) view the VQA routes and /v1/models use. Validated with the other
 * suites in suites.ts.
 */
import { contentVersion, type FileEntry, fusionMethods, type SuiteManifest, type TensorSpec } from "../../suites/manifest";
import { FUSION_METHODS } from "../limits";
import { suiteOr404 } from "./suites";

export { contentVersion, FUSION_METHODS, type FileEntry, type TensorSpec };
/** A fusion method name; which ones a suite has is in its heads. */
export type FusionMethod = string;

export const VQA_SUITE_ID = "sort-of-clevr";

function vqaView(m: SuiteManifest) {
  const question = m.modalities.find((x) => x.name === "question");
  const image = m.modalities.find((x) => x.name === "image");
  if (question?.kind !== "text" || question.encoder.runs !== "edge" || !question.encoder.tokenizer) throw new Error(`${m.id}: the question modality must be a text encoder at the edge`);
  if (image?.encoder.runs !== "remote") throw new Error(`${m.id}: the image modality must be a remote encoder`);
  const text = question.encoder;
  return {
    suite: { id: m.id, version: m.version, seed: m.seed },
    labels: m.task.labels,
    tokenizer: { ...text.tokenizer!, maxTokens: question.limits.maxTokens },
    text: { ...text, dim: text.outputs[0]!.shape[text.outputs[0]!.shape.length - 1]! },
    image: { id: image.encoder.id, version: image.encoder.version, sha256: image.encoder.sha256, outputs: image.encoder.outputs },
    heads: m.heads,
    fusionMethods: fusionMethods(m),
    defaultFusion: m.defaultFusion,
  };
}

export const suite: SuiteManifest = suiteOr404(VQA_SUITE_ID).manifest;
export const manifest = vqaView(suite);
export type VqaManifest = typeof manifest;

/** Image feature dims from the manifest: pooled [D], grid [cells, D_grid]. */
export function imageDims(m: VqaManifest = manifest): { pooledDim: number; gridCells: number; gridDim: number } {
  const pooled = m.image.outputs.find((o) => o.name === "pooled")?.shape;
  const grid = m.image.outputs.find((o) => o.name === "grid")?.shape;
  if (!pooled || !grid || pooled.length !== 2 || grid.length !== 3) throw new Error("manifest image outputs must be pooled [N, D] and grid [N, cells, D]");
  return { pooledDim: pooled[1]!, gridCells: grid[1]!, gridDim: grid[2]! };
}

/** Whether the VQA suite has a head of this fusion. */
export function isFusionMethod(x: unknown): x is FusionMethod {
  return typeof x === "string" && manifest.fusionMethods.includes(x);
}
