/**
 * The ONNX files the edge runs (edge encoders and fusion heads) of every suite under models/, read
 * from the suite manifests, plus synthetic feeds for them from the graph's own input metadata.
 */
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { readSuiteManifest, suiteDirs } from "../../functions/suites/node";

export interface EdgeModelFile {
  readonly suite: string;
  readonly role: "encoder" | "head";
  /** The encoder's modality name or the head's fusion. */
  readonly name: string;
  readonly path: string;
  /** Whether the suite names this head as its default fusion. */
  readonly isDefault: boolean;
}

export function edgeModelFiles(modelsDir = "models"): EdgeModelFile[] {
  const out: EdgeModelFile[] = [];
  for (const dir of suiteDirs(modelsDir)) {
    const m = readSuiteManifest(dir);
    for (const mod of m.modalities) {
      if (mod.encoder.runs === "edge") out.push({ suite: m.id, role: "encoder", name: mod.name, path: join(dir, mod.encoder.file), isDefault: true });
    }
    for (const h of m.heads) out.push({ suite: m.id, role: "head", name: h.fusion, path: join(dir, h.file), isDefault: h.fusion === m.defaultFusion });
  }
  return out;
}

export type FeedSpec = { type: "float32" | "int64"; dims: number[]; fill: number };

/** One row of inputs (symbolic dims 1, or `seq` for a text encoder's token axis), ones for int64. */
export async function syntheticFeedSpec(path: string, seq = 13): Promise<Record<string, FeedSpec>> {
  const s = await ort.InferenceSession.create(path, { graphOptimizationLevel: "disabled" });
  const out: Record<string, FeedSpec> = {};
  for (const meta of s.inputMetadata) {
    if (!meta.isTensor || (meta.type !== "float32" && meta.type !== "int64")) throw new Error(`${path}: input ${meta.name} is not float32/int64`);
    const dims = meta.shape.map((d, i) => (typeof d === "number" && d > 0 ? d : i === 1 && meta.type === "int64" ? seq : 1));
    out[meta.name] = { type: meta.type, dims, fill: meta.type === "int64" ? 1 : 0.1 };
  }
  await s.release();
  return out;
}
