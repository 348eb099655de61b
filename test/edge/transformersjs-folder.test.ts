// A transformers.js-style folder (tokenizer.json + onnx/model_quantized.onnx, mean pooling, L2)
// loads through the same code as the default model, and matches onnxruntime-node within 1e-4.
import { describe, expect, it } from "vitest";
import { TextFeatureEncoder } from "../../functions/edge/inference/text-encoder";
import { textModelFromTransformersJsFolder } from "../../functions/edge/inference/text-model";
import { bundledFiles } from "../../functions/edge/models/bundled-files";
import tokenizerJson from "../fixtures/tiny-bert/tokenizer.json";
import tokenizerConfig from "../fixtures/tiny-bert/tokenizer_config.json";
import config from "../fixtures/tiny-bert/config.json";
import model from "../fixtures/tiny-bert/onnx/model_quantized.onnx";
import expected from "../fixtures/tiny-bert/expected.json";

const folder = bundledFiles({
  "tokenizer.json": tokenizerJson,
  "tokenizer_config.json": tokenizerConfig,
  "config.json": config,
  "onnx/model_quantized.onnx": model,
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe("transformers.js-style folder", () => {
  const encoder = new TextFeatureEncoder(() => textModelFromTransformersJsFolder(folder, { id: "tiny-bert", version: "1" }));

  it("reads the spec from the folder", async () => {
    const spec = await encoder.spec();
    expect(spec).toMatchObject({ id: "tiny-bert", pooling: "mean", normalize: true, maxTokens: 32, quantization: "int8", dim: 16 });
  });

  it("matches onnxruntime-node one text at a time", async () => {
    for (const e of expected) {
      const [v] = await encoder.encode([e.text]);
      expect(maxAbsDiff(v!, e.features)).toBeLessThan(1e-4);
    }
  });

  it("matches onnxruntime-node in a padded batch", async () => {
    const vs = await encoder.encode(expected.map((e) => e.text));
    vs.forEach((v, i) => expect(maxAbsDiff(v, expected[i]!.features)).toBeLessThan(1e-4));
  });

  it("a missing file is a clear error and a retry loads again", async () => {
    let calls = 0;
    const flaky = new TextFeatureEncoder(async () => {
      calls++;
      if (calls === 1) return textModelFromTransformersJsFolder(bundledFiles({}), { id: "x", version: "1" });
      return textModelFromTransformersJsFolder(folder, { id: "x", version: "1" });
    });
    await expect(flaky.encode(["hello"])).rejects.toThrow(/model file not found: tokenizer.json/);
    const [v] = await flaky.encode(["hello world"]);
    expect(maxAbsDiff(v!, expected[0]!.features)).toBeLessThan(1e-4);
    expect(calls).toBe(2);
  });
});
