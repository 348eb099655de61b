/**
 * Running one fusion head of a suite over N rows. Each head input reads one output of one
 * modality's encoder; a modality the row lacks is fed as zeros (heads trained with modality
 * dropout, or the degraded path), and the optional presence mask says which were present.
 */
import { featureDims, type Head, type SuiteManifest } from "../../suites/manifest";
import type { NamedVectors } from "../cache/tensor-codec";
import type { Float32Tensor, ModelSession } from "./ort";

/** Per row, the features of each modality by encoder output name; a missing modality is absent. */
export type HeadRow = Readonly<Record<string, NamedVectors | undefined>>;

export interface HeadResult {
  readonly logits: Float32Array;
  readonly score?: number;
  /** Attention weights over the head's attention grid, row-major. */
  readonly attention?: Float32Array;
}

export async function runSuiteHead(session: ModelSession, m: SuiteManifest, head: Head, rows: readonly HeadRow[]): Promise<HeadResult[]> {
  const n = rows.length;
  const feeds: Record<string, Float32Tensor> = {};
  for (const input of head.inputs) {
    const mod = m.modalities.find((x) => x.name === input.modality)!;
    const dims = featureDims(mod, input.output);
    const size = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n * size);
    rows.forEach((row, i) => {
      const v = row[input.modality]?.[input.output];
      if (!v) return; // absent: zeros
      if (v.length !== size) throw new Error(`${input.modality}.${input.output} has ${v.length} values, head ${head.id} expects ${size}`);
      data.set(v, i * size);
    });
    feeds[input.name] = { type: "float32", data, dims: [n, ...dims] };
  }
  if (head.maskInput) {
    const mask = new Float32Array(n * head.modalities.length);
    rows.forEach((row, i) => head.modalities.forEach((name, j) => (mask[i * head.modalities.length + j] = row[name] ? 1 : 0)));
    feeds[head.maskInput] = { type: "float32", data: mask, dims: [n, head.modalities.length] };
  }
  const out = await session.run(feeds);
  const logits = out[head.outputs.logits];
  const labels = m.task.labels.length;
  if (!logits || logits.dims.length !== 2 || logits.dims[0] !== n || logits.dims[1] !== labels) {
    throw new Error(`head ${head.id} returned no [${n}, ${labels}] ${head.outputs.logits}`);
  }
  const score = head.outputs.score ? out[head.outputs.score] : undefined;
  if (head.outputs.score && (!score || score.data.length !== n)) throw new Error(`head ${head.id} returned no [${n}] ${head.outputs.score}`);
  const attention = head.outputs.attention ? out[head.outputs.attention] : undefined;
  const cells = head.attentionGrid ? head.attentionGrid.rows * head.attentionGrid.cols : 0;
  if (attention && attention.data.length !== n * cells) throw new Error(`head ${head.id}'s ${head.outputs.attention} has ${attention.data.length} values, expected ${n} × ${cells}`);
  // A regression head is a linear read-out, so it can overshoot the task's declared range (the
  // sentiment heads reach about ±3.3 on [-3, 3]); the API promises the range, so the score is clamped.
  const range = m.task.regression;
  const clampScore = (v: number) => (range ? Math.min(range.max, Math.max(range.min, v)) : v);
  return Array.from({ length: n }, (_, i) => ({
    logits: logits.data.slice(i * labels, (i + 1) * labels),
    ...(score ? { score: clampScore(score.data[i]!) } : {}),
    ...(attention ? { attention: attention.data.slice(i * cells, (i + 1) * cells) } : {}),
  }));
}
