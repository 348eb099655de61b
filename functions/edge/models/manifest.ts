/**
 * The Sort-of-CLEVR suite's manifest (models/sort-of-clevr/manifest.json, schema v2 in
 * functions/suites/), validated at load and seen through the (text, image) view the VQA routes use.
 * Bundled into the Worker: small, and it lets /v1/models answer without loading any model.
 */
import manifestJson from "../../../models/sort-of-clevr/manifest.json";
import { contentVersion, type FileEntry, type Head, parseSuiteManifest, type SuiteManifest, type TensorSpec } from "../../suites/manifest";
import { FUSION_METHODS, type FusionMethod } from "../limits";

export { contentVersion, FUSION_METHODS, type FileEntry, type FusionMethod, type TensorSpec };
export type HeadInput = "text_features" | "pooled" | "grid";

/** Where the suite's files are served from (static assets). */
export const SUITE_ASSET_PREFIX = "models/sort-of-clevr/";

export interface HeadEntry extends FileEntry {
  readonly id: string;
  readonly version: string;
  readonly fusion: FusionMethod;
  readonly inputs: readonly HeadInput[];
  readonly output: string;
}

export const suite: SuiteManifest = parseSuiteManifest(manifestJson, "models/sort-of-clevr/manifest.json");

function vqaView(m: SuiteManifest) {
  const question = m.modalities.find((x) => x.name === "question");
  const image = m.modalities.find((x) => x.name === "image");
  if (question?.encoder.runs !== "edge" || !question.encoder.tokenizer || question.kind !== "text") throw new Error(`${m.id}: the question modality must be a text encoder at the edge`);
  if (image?.encoder.runs !== "remote") throw new Error(`${m.id}: the image modality must be a remote encoder`);
  const text = question.encoder;
  const dim = text.outputs[0]!.shape[1]!;
  const heads: HeadEntry[] = m.heads
    .filter((h: Head) => (FUSION_METHODS as readonly string[]).includes(h.fusion))
    .map((h) => ({ id: h.id, version: h.version, fusion: h.fusion as FusionMethod, file: h.file, sha256: h.sha256, bytes: h.bytes, inputs: h.inputs.map((i) => i.name as HeadInput), output: h.outputs.logits }));
  return {
    suite: { id: m.id, version: m.version, seed: m.seed },
    labels: m.task.labels,
    tokenizer: { ...text.tokenizer!, maxTokens: question.limits.maxTokens },
    text: { ...text, dim },
    image: { id: image.encoder.id, version: image.encoder.version, sha256: image.encoder.sha256, outputs: image.encoder.outputs },
    heads,
    defaultFusion: m.defaultFusion as FusionMethod,
  };
}

export const manifest = vqaView(suite);
export type VqaManifest = typeof manifest;

/** Image feature dims from the manifest: pooled [D], grid [cells, D_grid]. */
export function imageDims(m: VqaManifest = manifest): { pooledDim: number; gridCells: number; gridDim: number } {
  const pooled = m.image.outputs.find((o) => o.name === "pooled")?.shape;
  const grid = m.image.outputs.find((o) => o.name === "grid")?.shape;
  if (!pooled || !grid || pooled.length !== 2 || grid.length !== 3) throw new Error("manifest image outputs must be pooled [N, D] and grid [N, cells, D]");
  return { pooledDim: pooled[1]!, gridCells: grid[1]!, gridDim: grid[2]! };
}

export function isFusionMethod(x: unknown): x is FusionMethod {
  return typeof x === "string" && (FUSION_METHODS as readonly string[]).includes(x);
}
