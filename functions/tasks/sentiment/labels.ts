/** Classes and score of the sentiment task (CMU-MOSI style: s in -3..3, class from its sign). */

export const LABELS = ["negative", "neutral", "positive"] as const;
export type SentimentLabel = (typeof LABELS)[number];

export const SCORE_MIN = -3;
export const SCORE_MAX = 3;

/** The label rule: negative when s < 0, neutral when s = 0, positive when s > 0. */
export function classOf(score: number): SentimentLabel {
  if (!Number.isFinite(score)) throw new Error(`score must be finite, got ${score}`);
  return score < 0 ? "negative" : score > 0 ? "positive" : "neutral";
}

/** Utterance kinds: what the words say about s (docs/task-sentiment.md). */
export const KINDS = ["literal", "sarcastic", "ambiguous"] as const;
export type UtteranceKind = (typeof KINDS)[number];
