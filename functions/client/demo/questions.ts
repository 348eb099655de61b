/**
 * The question pickers: the generator's six templates × six colours, so the page offers exactly
 * the questions the models were trained on, and the true answer when the scene is known.
 */
import { answerQuestion, COLOURS, parseQuestion, QUESTION_TYPES, questionText, type Colour, type QuestionType, type Scene } from "../../tasks/sort-of-clevr/generator";
import { option } from "./dom";

const TYPE_NAMES: Record<QuestionType, string> = {
  shape: "What shape is …",
  horizontal: "Left or right",
  vertical: "Top or bottom",
  closest: "Shape of the closest object",
  farthest: "Shape of the farthest object",
  count: "How many share its shape",
};

export function fillQuestionPickers(template: HTMLSelectElement, colour: HTMLSelectElement, list: HTMLDataListElement): void {
  template.replaceChildren(...QUESTION_TYPES.map((t, i) => option(t, TYPE_NAMES[t], i === 0)));
  colour.replaceChildren(...COLOURS.map((c, i) => option(c, c, i === 0)));
  list.replaceChildren(...QUESTION_TYPES.flatMap((t) => COLOURS.map((c) => option(questionText(t, c), questionText(t, c)))));
}

export function pickedQuestion(template: HTMLSelectElement, colour: HTMLSelectElement): string {
  return questionText(template.value as QuestionType, colour.value as Colour);
}

/** The generator's answer for a template question about a known scene; undefined otherwise. */
export function trueAnswer(scene: Scene | undefined, question: string): string | undefined {
  const parsed = scene ? parseQuestion(question) : null;
  return scene && parsed ? answerQuestion(scene, parsed) : undefined;
}

/** Points the pickers at a typed (or linked) question when it is one of the templates. */
export function syncPickers(template: HTMLSelectElement, colour: HTMLSelectElement, question: string): void {
  const parsed = parseQuestion(question);
  if (!parsed) return;
  template.value = parsed.type;
  colour.value = parsed.colour;
}
