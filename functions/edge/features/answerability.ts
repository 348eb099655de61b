/**
 * `answerable` for suites whose manifest names a question grammar (`answerability.grammar`): the
 * task module decides whether a question is one the model was built for. Pure and cheap; the
 * answers are returned either way.
 */
import { parseQuestion } from "../../tasks/sort-of-clevr/answerability";

const GRAMMARS: Readonly<Record<string, (question: string) => boolean>> = {
  "sort-of-clevr": (q) => parseQuestion(q).answerable,
};

/** The grammar's verdict, or undefined when the suite has none (or names one this edge lacks). */
export function answerableBy(grammar: string | undefined): ((question: string) => boolean) | undefined {
  return grammar === undefined ? undefined : GRAMMARS[grammar];
}

export function knownGrammars(): string[] {
  return Object.keys(GRAMMARS);
}
