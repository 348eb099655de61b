/**
 * Sample-rate conversion by a Hann-windowed sinc, defined exactly so the Triton Python-backend
 * model (numpy) computes the same samples (docs/image-features.md, "Resampling"):
 *   fc = min(1, out/in); half-width hw = 16 / fc input samples;
 *   y[j] = sum_i x[i] * fc * sinc(fc * (t - i)) * (0.5 + 0.5 cos(pi (t - i) / hw)),  t = j * in / out,
 *   over i in [ceil(t - hw), floor(t + hw)] within the signal; length floor(n * out / in).
 * Same rate: the samples pass through unchanged.
 */
export const ZERO_CROSSINGS = 16;

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

export function resample(x: Float64Array, rateIn: number, rateOut: number): Float64Array {
  if (rateIn === rateOut) return x;
  const n = x.length;
  const nOut = Math.floor((n * rateOut) / rateIn);
  const fc = Math.min(1, rateOut / rateIn);
  const hw = ZERO_CROSSINGS / fc;
  const out = new Float64Array(nOut);
  for (let j = 0; j < nOut; j++) {
    const t = (j * rateIn) / rateOut;
    const lo = Math.max(0, Math.ceil(t - hw));
    const hi = Math.min(n - 1, Math.floor(t + hw));
    let v = 0;
    for (let i = lo; i <= hi; i++) {
      const d = t - i;
      v += x[i]! * fc * sinc(fc * d) * (0.5 + 0.5 * Math.cos((Math.PI * d) / hw));
    }
    out[j] = v;
  }
  return out;
}
