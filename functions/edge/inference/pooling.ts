/** Pure maths on feature vectors: masked mean pooling and L2 normalisation. */
import type { Float32Tensor, Int64Tensor } from "./ort";

/** Mean over the tokens whose mask is 1: [batch, seq, hidden] → one vector per row. */
export function maskedMeanPool(hidden: Float32Tensor, mask: Int64Tensor): Float32Array[] {
  const [batch, seq, dim] = hidden.dims;
  if (hidden.dims.length !== 3 || batch === undefined || seq === undefined || dim === undefined) {
    throw new Error(`mean pooling wants [batch, seq, hidden], got [${hidden.dims.join(", ")}]`);
  }
  if (mask.dims[0] !== batch || mask.dims[1] !== seq) {
    throw new Error(`mask dims [${mask.dims.join(", ")}] do not match hidden [${hidden.dims.join(", ")}]`);
  }
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dim);
    let count = 0;
    for (let s = 0; s < seq; s++) {
      if (mask.data[b * seq + s] === 0n) continue;
      count++;
      const base = (b * seq + s) * dim;
      for (let d = 0; d < dim; d++) v[d]! += hidden.data[base + d]!;
    }
    const denom = Math.max(count, 1e-9);
    for (let d = 0; d < dim; d++) v[d]! /= denom;
    out.push(v);
  }
  return out;
}

/** Splits [batch, dim] into rows. */
export function rows(t: Float32Tensor): Float32Array[] {
  const [batch, dim] = t.dims;
  if (t.dims.length !== 2 || batch === undefined || dim === undefined) {
    throw new Error(`expected [batch, dim], got [${t.dims.join(", ")}]`);
  }
  return Array.from({ length: batch }, (_, b) => t.data.slice(b * dim, (b + 1) * dim));
}

/** Scales a vector to unit L2 norm (a zero vector stays zero). */
export function l2Normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm === 0) return v;
  return v.map((x) => x / norm);
}
