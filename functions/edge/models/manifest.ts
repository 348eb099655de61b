/**
 * The model suite's manifest (models/manifest.json, contract in docs/contracts.md), bundled into the
 * Worker: small, and it lets /v1/models answer without loading any model.
 */
import manifestJson from "../../../models/manifest.json";
import type { ManifestTextSection } from "../inference/text-model";

import { FUSION_METHODS, type FusionMethod } from "../limits";
import { contentVersion } from "./content-version";

export { contentVersion, FUSION_METHODS, type FusionMethod };
export type HeadInput = "text_features" | "pooled" | "grid";

export interface FileEntry {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface TensorSpec {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

export interface HeadEntry extends FileEntry {
  readonly id: string;
  readonly version: string;
  readonly fusion: FusionMethod;
  readonly inputs: readonly HeadInput[];
  readonly output: string;
}

export interface SuiteManifest extends ManifestTextSection {
  readonly schema: number;
  readonly suite: { readonly id: string; readonly version: string };
  readonly labels: readonly string[];
  readonly tokenizer: FileEntry & { readonly maxTokens: number };
  readonly text: ManifestTextSection["text"] & FileEntry;
  readonly image: FileEntry & {
    readonly id: string;
    readonly version: string;
    readonly input: TensorSpec & { readonly layout: string; readonly scale: string; readonly channels: string };
    readonly outputs: readonly TensorSpec[];
  };
  readonly heads: readonly HeadEntry[];
  readonly defaultFusion: FusionMethod;
}

export const manifest = manifestJson as unknown as SuiteManifest;

/** Image feature dims from the manifest: pooled [D], grid [cells, D_grid]. */
export function imageDims(m: SuiteManifest = manifest): { pooledDim: number; gridCells: number; gridDim: number } {
  const pooled = m.image.outputs.find((o) => o.name === "pooled")?.shape;
  const grid = m.image.outputs.find((o) => o.name === "grid")?.shape;
  if (!pooled || !grid || pooled.length !== 2 || grid.length !== 3) throw new Error("manifest image outputs must be pooled [N, D] and grid [N, cells, D]");
  return { pooledDim: pooled[1]!, gridCells: grid[1]!, gridDim: grid[2]! };
}

export function isFusionMethod(x: unknown): x is FusionMethod {
  return typeof x === "string" && (FUSION_METHODS as readonly string[]).includes(x);
}
