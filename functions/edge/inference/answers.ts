/** Turning head logits into ranked answers: a numerically stable softmax and top-k. Pure. */

export interface Answer {
  readonly label: string;
  readonly score: number;
}

export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  const exps = logits.map((x) => Math.exp(x - max));
  let sum = 0;
  for (const e of exps) sum += e;
  return exps.map((e) => e / sum);
}

export function topK(logits: Float32Array, labels: readonly string[], k: number): Answer[] {
  if (logits.length !== labels.length) throw new Error(`head gave ${logits.length} logits for ${labels.length} labels`);
  const probs = softmax(logits);
  return Array.from(probs, (score, i) => ({ label: labels[i]!, score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, Math.max(1, Math.min(k, labels.length)));
}
