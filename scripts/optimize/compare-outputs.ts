/**
 * Runs two ONNX files on the same seeded random inputs and reports how far their outputs are apart:
 * the check behind every offline rewrite of a shipped head (graph optimisation, int8 weights).
 */
import * as ort from "onnxruntime-node";

/** Seeded uniform [-1, 1) floats (int64 inputs: ones), symbolic dims: batch 3, others 7. */
export function randomFeeds(session: ort.InferenceSession, seed: number): Record<string, ort.Tensor> {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const feeds: Record<string, ort.Tensor> = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) throw new Error(`input ${meta.name} is not a tensor`);
    const dims = meta.shape.map((d, axis) => (typeof d === "number" && d > 0 ? d : axis === 0 ? 3 : 7));
    const size = dims.reduce((a, b) => a * b, 1);
    if (meta.type === "float32") feeds[meta.name] = new ort.Tensor("float32", Float32Array.from({ length: size }, next), dims);
    else if (meta.type === "int64") feeds[meta.name] = new ort.Tensor("int64", new BigInt64Array(size).fill(1n), dims);
    else throw new Error(`input ${meta.name} has type ${meta.type}; only float32 and int64 are fed here`);
  }
  return feeds;
}

export async function maxDifference(original: string, optimised: string): Promise<number> {
  // The reference computes the graph as written ("basic" only folds constants).
  const a = await ort.InferenceSession.create(original, { graphOptimizationLevel: "basic", intraOpNumThreads: 1, extra: { session: { disable_quant_qdq: "1" } } });
  const b = await ort.InferenceSession.create(optimised, { graphOptimizationLevel: "disabled", intraOpNumThreads: 1 });
  let worst = 0;
  for (const seed of [1, 2, 3]) {
    const feeds = randomFeeds(a, seed);
    const [ra, rb] = [await a.run(feeds), await b.run(feeds)];
    for (const name of a.outputNames) {
      const x = ra[name]!.data as Float32Array;
      const y = rb[name]?.data as Float32Array | undefined;
      if (!y || y.length !== x.length) throw new Error(`${optimised}: output ${name} missing or of another size`);
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / Math.max(1, Math.abs(x[i]!)));
    }
  }
  await Promise.all([a.release(), b.release()]);
  return worst;
}

