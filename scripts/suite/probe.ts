/**
 * Output shapes of an ONNX encoder, measured: exporters often leave output dims symbolic
 * (a transposed grid comes out as [batch, ?, ?]), so the packager runs the model once on a zero
 * input of batch 1 in onnxruntime-node and reads the dims the feature function will return.
 */
import * as ort from "onnxruntime-node";
import type { OnnxTensorInfo } from "./onnx-graph";

const ARRAYS: Record<string, (n: number) => ort.Tensor["data"]> = {
  FP32: (n) => new Float32Array(n),
  INT64: (n) => new BigInt64Array(n).fill(1n),
  INT32: (n) => new Int32Array(n).fill(1),
  UINT8: (n) => new Uint8Array(n),
  INT8: (n) => new Int8Array(n),
  BOOL: (n) => new Uint8Array(n).fill(1),
};
const ORT_TYPES: Record<string, ort.Tensor.Type> = { FP32: "float32", INT64: "int64", INT32: "int32", UINT8: "uint8", INT8: "int8", BOOL: "bool" };

/**
 * Runs the model on one zero item; symbolic input dims other than the batch become `fill`
 * (e.g. a token count). Returns each output's dims with the batch dim set to -1.
 */
export async function probeOutputs(file: string, inputs: readonly OnnxTensorInfo[], fill = 4): Promise<Map<string, number[]>> {
  const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: "basic" });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of inputs) {
      const make = ARRAYS[input.datatype];
      const type = ORT_TYPES[input.datatype];
      if (!make || !type) throw new Error(`input ${input.name} has type ${input.datatype}, which the packager cannot probe`);
      const dims = input.shape.map((d, i) => (i === 0 ? 1 : d > 0 ? d : fill));
      feeds[input.name] = new ort.Tensor(type, make(dims.reduce((a, b) => a * b, 1)), dims);
    }
    const out = await session.run(feeds);
    const result = new Map<string, number[]>();
    for (const name of session.outputNames) result.set(name, [-1, ...out[name]!.dims.slice(1)]);
    return result;
  } finally {
    await session.release();
  }
}
