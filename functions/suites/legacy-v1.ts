/**
 * Transitional: the schema-1 shape (docs/contracts.md before suites) of a Sort-of-CLEVR-like suite
 * (one edge text modality "question", one remote image modality "image"), for the evaluation
 * scripts and tests that still read it. File paths stay relative to the suite folder; the image
 * encoder's points into models/repository/. Delete once nothing imports it.
 */
import type { SuiteManifest } from "./manifest-schema";

export function toV1Manifest(m: SuiteManifest) {
  const question = m.modalities.find((x) => x.name === "question");
  const image = m.modalities.find((x) => x.name === "image");
  if (question?.kind !== "text" || question.encoder.runs !== "edge" || !question.encoder.tokenizer) throw new Error(`${m.id}: no edge text modality "question"`);
  if (image?.encoder.runs !== "remote") throw new Error(`${m.id}: no remote modality "image"`);
  const text = question.encoder;
  const img = image.encoder;
  const input = img.inputs?.[0] ?? { name: "image", datatype: "FP32" as const, shape: [-1, 3, 75, 75] };
  return {
    schema: 1,
    suite: { id: m.id, version: m.version, seed: m.seed ?? 0 },
    labels: m.task.labels,
    tokenizer: { ...text.tokenizer!, maxTokens: question.limits.maxTokens },
    text: { ...text, dim: text.outputs[0]!.shape[1]!, fp32: text.fp32! },
    image: {
      id: img.id,
      version: img.version,
      file: `../repository/${img.model}/${img.modelVersion ?? 1}/model.onnx`,
      sha256: img.sha256,
      bytes: img.bytes ?? 0,
      // What the feature function's preprocessing produces (docs/image-features.md).
      input: { ...input, layout: "NCHW", scale: "x/255", channels: "RGB" },
      outputs: img.outputs,
    },
    heads: m.heads.map((h) => ({ id: h.id, version: h.version, fusion: h.fusion, file: h.file, sha256: h.sha256, bytes: h.bytes, inputs: h.inputs.map((i) => i.name), output: h.outputs.logits })),
    defaultFusion: m.defaultFusion,
  };
}
