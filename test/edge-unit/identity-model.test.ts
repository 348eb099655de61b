// The 72-byte Identity model that ORT_STARTUP=runtime starts onnxruntime with (inference/identity-model.ts)
// is a valid ONNX model: onnxruntime loads it and it returns its input.
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { identityModel } from "../../functions/edge/inference/identity-model";

describe("identityModel", () => {
  it("loads in onnxruntime and returns its input", async () => {
    const session = await ort.InferenceSession.create(identityModel());
    expect(session.inputNames).toEqual(["x"]);
    expect(session.outputNames).toEqual(["y"]);
    const out = await session.run({ x: new ort.Tensor("float32", new Float32Array([3.5]), [1]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([3.5]);
    await session.release();
  });
});
