/**
 * Fields that newer edges add to answers: `answerable` (issue 10) and `explanation` (issue 14).
 * Read defensively, so the page runs against an edge that does not send them yet and shows
 * "not reported" rather than guessing.
 */

/** Attention of a head over the image grid: row-major, row 0 at the top of the square input. */
export interface AttentionMap {
  readonly rows: number;
  readonly cols: number;
  readonly weights: readonly number[];
}

export interface Explanation {
  readonly attention?: AttentionMap;
  /** Per input: p(top answer with it) − p(top answer with it replaced by the head's "absent" input). */
  readonly attribution: Readonly<Record<string, number>>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function answerableOf(res: object): boolean | undefined {
  const v = (res as Record<string, unknown>).answerable;
  return typeof v === "boolean" ? v : undefined;
}

function attentionOf(v: unknown): AttentionMap | undefined {
  if (!isRecord(v)) return undefined;
  const { rows, cols, weights } = v;
  if (typeof rows !== "number" || typeof cols !== "number" || !Array.isArray(weights)) return undefined;
  if (weights.length !== rows * cols || !weights.every((w) => typeof w === "number" && Number.isFinite(w))) return undefined;
  return { rows, cols, weights: weights as number[] };
}

export function explanationOf(res: object): Explanation | undefined {
  const e = (res as Record<string, unknown>).explanation;
  if (!isRecord(e)) return undefined;
  const attribution: Record<string, number> = {};
  if (isRecord(e.attribution)) for (const [k, v] of Object.entries(e.attribution)) if (typeof v === "number" && Number.isFinite(v)) attribution[k] = v;
  const attention = attentionOf(e.attention);
  return attention ? { attention, attribution } : { attribution };
}
