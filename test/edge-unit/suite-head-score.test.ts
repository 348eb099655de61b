// A regression head's score is clamped to the task's declared range (the sentiment suite promises
// -3..3; its linear read-out reached about ±3.3 on generated samples), and logits pass through as
// the session returned them. The session here is a stand-in returning fixed outputs: what is under
// test is runSuiteHead's handling of them, not a model.
import { describe, expect, it } from "vitest";
import type { EdgeTensor, Float32Tensor, ModelSession } from "../../functions/edge/inference/ort";
import { runSuiteHead } from "../../functions/edge/inference/suite-heads";
import { parseSuiteManifest } from "../../functions/suites/manifest";
import sentimentManifest from "../../models/sentiment/manifest.json";

const sentiment = parseSuiteManifest(sentimentManifest, "models/sentiment/manifest.json");

function sessionReturning(outputs: Record<string, Float32Tensor>): ModelSession & { fed: Record<string, EdgeTensor>[] } {
  const fed: Record<string, EdgeTensor>[] = [];
  return {
    fed,
    inputNames: [],
    outputNames: Object.keys(outputs),
    run: async (feeds) => {
      fed.push({ ...feeds });
      return outputs;
    },
    probe: async () => {},
    release: async () => {},
  };
}

describe("runSuiteHead: regression scores", () => {
  const head = sentiment.heads.find((h) => h.fusion === "concat")!;
  const range = sentiment.task.regression!;
  const raw = [-5, -3.2, -3, 0.25, 3, 3.3, 7];
  const n = raw.length;
  const logits = Float32Array.from({ length: n * 3 }, (_, i) => i / 10);
  const session = sessionReturning({
    [head.outputs.logits]: { type: "float32", data: logits, dims: [n, 3] },
    [head.outputs.score!]: { type: "float32", data: Float32Array.from(raw), dims: [n] },
  });
  const text = sentiment.modalities.find((m) => m.name === "text")!;
  const rows = raw.map(() => ({ [text.name]: { [head.inputs.find((i) => i.modality === "text")!.output]: new Float32Array(64).fill(0.5) } }));

  it("clamps the score into the declared range and leaves values inside it alone", async () => {
    expect([range.min, range.max]).toEqual([-3, 3]);
    const out = await runSuiteHead(session, sentiment, head, rows);
    expect(out.map((r) => r.score)).toEqual([-3, -3, -3, 0.25, 3, 3, 3]);
    out.forEach((r, i) => expect(Array.from(r.logits)).toEqual(Array.from(logits.subarray(i * 3, (i + 1) * 3))));
    expect(session.fed).toHaveLength(1);
  });
});
