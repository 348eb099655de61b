/** Sentiment metrics (CMU-MOSI conventions), the TypeScript twin of scripts/sentiment/metrics.py. */
export interface Summary {
  n: number;
  acc: number;
  macroF1: number;
  binaryAcc: number;
  mae?: number;
  corr?: number;
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

export function softmax(row: ArrayLike<number>): number[] {
  const m = Math.max(...Array.from(row));
  const e = Array.from(row, (x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** probs: [n][3]; y: class index (0 negative, 1 neutral, 2 positive); s: true score. */
export function summarise(probs: number[][], scorePred: number[] | null, y: number[], s: number[]): Summary {
  const n = y.length;
  const p = probs.map(argmax);
  const acc = n ? p.filter((v, i) => v === y[i]).length / n : Number.NaN;
  const f1s = [0, 1, 2].map((c) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < n; i++) {
      if (p[i] === c && y[i] === c) tp++;
      else if (p[i] === c) fp++;
      else if (y[i] === c) fn++;
    }
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  const nz = y.map((v, i) => [v, i] as const).filter(([v]) => v !== 1);
  const binaryAcc = nz.length ? nz.filter(([v, i]) => (probs[i]![2]! > probs[i]![0]!) === (v === 2)).length / nz.length : Number.NaN;
  const out: Summary = { n, acc, macroF1: f1s.reduce((a, b) => a + b, 0) / 3, binaryAcc };
  if (scorePred && n > 1) {
    out.mae = scorePred.reduce((a, v, i) => a + Math.abs(v - s[i]!), 0) / n;
    const mx = scorePred.reduce((a, b) => a + b, 0) / n;
    const my = s.reduce((a, b) => a + b, 0) / n;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      sxy += (scorePred[i]! - mx) * (s[i]! - my);
      sxx += (scorePred[i]! - mx) ** 2;
      syy += (s[i]! - my) ** 2;
    }
    out.corr = sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
  }
  return out;
}
