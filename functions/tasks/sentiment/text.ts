/**
 * Utterances from templates and a lexicon. The surface polarity is what the words say; the kind
 * says how it relates to s (docs/task-sentiment.md):
 * - literal: the words follow s (intensity words, negation such as "not bad at all");
 * - sarcastic: s < 0 but the words come from exactly the same generator as sincere positive text,
 *   with the intensity drawn from the same marginal, so no text model can tell the two apart;
 * - ambiguous: words that carry no sentiment, the same distribution of templates whatever s is.
 */
import type { Rng } from "./random";
import type { UtteranceKind } from "./labels";

export type Surface = "positive" | "negative" | "neutral" | "none";
export const SURFACES: readonly Surface[] = ["positive", "negative", "neutral", "none"];

/** Predicative phrases by the score they express ("the meeting was ..."). */
export const PHRASES: Readonly<Record<number, readonly string[]>> = {
  3: ["amazing", "fantastic", "wonderful", "absolutely brilliant", "the best thing ever", "just perfect"],
  2: ["good", "really nice", "great", "lovely", "a real pleasure"],
  1: ["not bad", "not bad at all", "pretty decent", "quite pleasant", "better than expected"],
  0: ["okay", "average", "neither good nor bad", "nothing special", "just normal", "about as usual"],
  [-1]: ["not great", "not good", "a bit dull", "not very nice", "a little disappointing"],
  [-2]: ["bad", "really annoying", "not good at all", "pretty poor", "a letdown"],
  [-3]: ["terrible", "awful", "horrible", "the worst thing ever", "absolutely dreadful", "a disaster"],
};

/** Attributive adjectives by score ("what a ... trip"). */
export const ADJECTIVES: Readonly<Record<number, readonly string[]>> = {
  3: ["amazing", "fantastic", "wonderful", "brilliant"],
  2: ["good", "nice", "lovely", "great"],
  1: ["decent", "pleasant", "solid"],
  0: ["ordinary", "average", "normal", "typical"],
  [-1]: ["dull", "mediocre", "tiresome"],
  [-2]: ["bad", "annoying", "poor"],
  [-3]: ["terrible", "awful", "horrible", "dreadful"],
};

export const NOUNS = [
  "meeting", "movie", "trip", "dinner", "flight", "weekend", "game", "concert", "lecture", "hotel",
  "party", "interview", "update", "lunch", "show", "class", "drive", "visit", "presentation", "day",
] as const;

const STATEMENTS = [
  "the {n} was {p}",
  "this {n} is {p}",
  "honestly, the {n} was {p}",
  "i think the {n} was {p}",
  "{p}, this {n}",
  "well, the {n} was {p}",
  "my {n} today was {p}",
  "that {n}? {p}",
];
const ATTRIBUTIVE = ["what a {a} {n}", "wow, what a {a} {n}", "such a {a} {n}", "that was a {a} {n}"];
/** Exclamations that read positive; sincere and sarcastic alike draw them. */
const POSITIVE_EXCLAMATIONS = [
  "oh great, another {n}",
  "just what i needed, a {n}",
  "perfect, the {n} again",
  "yay, a {n}",
  "oh wonderful, the {n}",
];
const NEGATIVE_EXCLAMATIONS = ["ugh, another {n}", "oh no, the {n} again", "not the {n} again", "sigh, a {n}"];
/** No sentiment in the words: the same list whatever s is. */
const AMBIGUOUS = [
  "well, that happened",
  "i can't believe it",
  "so that was the {n}",
  "here we go, the {n}",
  "wow, just wow",
  "i have no words about the {n}",
  "it is what it is",
  "the {n} happened",
  "i did not expect that {n}",
  "let me tell you about the {n}",
  "that was a {n}, all right",
  "well, the {n} is over",
];

function fill(rng: Rng, template: string, score: number): string {
  const n = rng.pick(NOUNS);
  return template
    .replace("{n}", n)
    .replace("{p}", rng.pick(PHRASES[score] ?? []))
    .replace("{a}", rng.pick(ADJECTIVES[score] ?? []));
}

/** A sentence whose words express `score` (sign and intensity). */
function literalSentence(rng: Rng, score: number): string {
  const r = rng.next();
  if (score > 0 && r < 0.25) return fill(rng, rng.pick(POSITIVE_EXCLAMATIONS), score);
  if (score < 0 && r < 0.25) return fill(rng, rng.pick(NEGATIVE_EXCLAMATIONS), score);
  if (r < 0.55) return fill(rng, rng.pick(ATTRIBUTIVE), score);
  return fill(rng, rng.pick(STATEMENTS), score);
}

/** Capitalisation and final punctuation, drawn the same way for every kind. */
function decorate(rng: Rng, sentence: string): string {
  const cap = rng.chance(0.5) ? sentence.charAt(0).toUpperCase() + sentence.slice(1) : sentence;
  return cap + rng.pick(["", ".", "!", "..."]);
}

export interface Utterance {
  text: string;
  surface: Surface;
}

/**
 * The text for a sample. For a sarcastic sample the intensity of the (positive) words is drawn
 * uniformly from 1..3, which is exactly the marginal of sincere positive text (s uniform in 1..3).
 */
export function utterance(rng: Rng, kind: UtteranceKind, score: number): Utterance {
  if (kind === "ambiguous") return { text: decorate(rng, fill(rng, rng.pick(AMBIGUOUS), 0)), surface: "none" };
  if (kind === "sarcastic") {
    if (score >= 0) throw new Error("a sarcastic sample has a negative score");
    return { text: decorate(rng, literalSentence(rng, rng.int(1, 3))), surface: "positive" };
  }
  const surface: Surface = score > 0 ? "positive" : score < 0 ? "negative" : "neutral";
  return { text: decorate(rng, literalSentence(rng, score)), surface };
}
