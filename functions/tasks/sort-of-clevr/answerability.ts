/**
 * Answerability by grammar: a question is answerable exactly when it is one of the task's six
 * templates about one of its six colours, after normalising casing, punctuation and whitespace.
 * Everything else (unknown colours, other attributes or relations, chat, empty text) is refused
 * with a stable reason, because the model has no meaningful answer for it: its heads always return
 * some label, so the grammar is what lets a client tell an answer from noise (docs/task.md).
 *
 * Pure TypeScript (runs in workerd, browsers and Node); no allocation-heavy work, linear in the
 * input length (capped at MAX_QUESTION_CHARS).
 */
import { COLOURS, QUESTION_TYPES, RELATIONAL, TEMPLATES, questionText, type Colour, type QuestionType } from "./generator";

/** Longer inputs are refused without being parsed (the longest template is 56 characters). */
export const MAX_QUESTION_CHARS = 512;

export type RefusalReason =
  /** nothing but whitespace and punctuation */
  | "empty"
  /** a task template, but the colour word is not one of the six task colours */
  | "unknown_colour"
  /** any other wording: other attributes, relations, forms, chat */
  | "unsupported_question"
  /** longer than MAX_QUESTION_CHARS */
  | "too_long";

export type Answerability =
  | {
      answerable: true;
      /** the canonical template text (lower case, single spaces, trailing '?'): what the text encoder was trained on */
      normalized: string;
      type: QuestionType;
      colour: Colour;
      relational: boolean;
    }
  | { answerable: false; reason: RefusalReason };

/** British spelling of the one colour that has two: accepted and normalised to the task's word. */
const COLOUR_ALIASES: Record<string, Colour> = { grey: "gray" };

/**
 * Lower case (locale-independent), Unicode compatibility forms folded (full-width letters, ligatures),
 * every run of characters other than ASCII letters and digits turned into one space, trimmed.
 */
export function normalizeWords(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** Each template as its words with a `{c}` slot, e.g. ["what", "shape", "is", "the", "{c}", "object"]. */
const TEMPLATE_WORDS: Array<[QuestionType, string[]]> = QUESTION_TYPES.map((t) => [t, normalizeWords(TEMPLATES[t].replace("{c}", " SLOT ")).split(" ").map((w) => (w === "slot" ? "{c}" : w))]);

function matchTemplate(words: string[]): { type: QuestionType; slot: string } | undefined {
  for (const [type, tpl] of TEMPLATE_WORDS) {
    if (tpl.length !== words.length) continue;
    let slot = "";
    let ok = true;
    for (let i = 0; i < tpl.length && ok; i++) {
      if (tpl[i] === "{c}") slot = words[i]!;
      else ok = tpl[i] === words[i];
    }
    if (ok) return { type, slot };
  }
  return undefined;
}

/** Decide whether `q` is a question of the task, and if so which (see the module comment). */
export function parseQuestion(q: string): Answerability {
  if (q.length > MAX_QUESTION_CHARS) return { answerable: false, reason: "too_long" };
  const norm = normalizeWords(q);
  if (norm === "") return { answerable: false, reason: "empty" };
  const m = matchTemplate(norm.split(" "));
  if (!m) return { answerable: false, reason: "unsupported_question" };
  const colour = (COLOURS as readonly string[]).includes(m.slot) ? (m.slot as Colour) : COLOUR_ALIASES[m.slot];
  if (!colour) return { answerable: false, reason: "unknown_colour" };
  return { answerable: true, normalized: questionText(m.type, colour), type: m.type, colour, relational: RELATIONAL[m.type] };
}
