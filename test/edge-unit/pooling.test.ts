import { describe, expect, it } from "vitest";
import { l2Normalize, maskedMeanPool, rows } from "../../functions/edge/inference/pooling";

describe("pooling", () => {
  it("averages only unmasked tokens", () => {
    // batch 2, seq 3, dim 2; row 0 has 2 real tokens, row 1 has 3.
    const hidden = { type: "float32" as const, data: Float32Array.from([1, 2, 3, 4, 100, 100, 1, 1, 2, 2, 3, 3]), dims: [2, 3, 2] };
    const mask = { type: "int64" as const, data: BigInt64Array.from([1n, 1n, 0n, 1n, 1n, 1n]), dims: [2, 3] };
    const [a, b] = maskedMeanPool(hidden, mask);
    expect(Array.from(a!)).toEqual([2, 3]);
    expect(Array.from(b!)).toEqual([2, 2]);
  });

  it("rejects mismatched dims", () => {
    const hidden = { type: "float32" as const, data: new Float32Array(6), dims: [1, 3, 2] };
    const mask = { type: "int64" as const, data: new BigInt64Array(2), dims: [1, 2] };
    expect(() => maskedMeanPool(hidden, mask)).toThrow(/do not match/);
  });

  it("normalises to unit length and leaves zero vectors alone", () => {
    expect(Array.from(l2Normalize(Float32Array.from([3, 4])))).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(Array.from(l2Normalize(new Float32Array(3)))).toEqual([0, 0, 0]);
  });

  it("splits [batch, dim] into rows", () => {
    const r = rows({ type: "float32", data: Float32Array.from([1, 2, 3, 4, 5, 6]), dims: [3, 2] });
    expect(r.map((v) => Array.from(v))).toEqual([[1, 2], [3, 4], [5, 6]]);
  });
});
