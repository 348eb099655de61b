import { describe, expect, it } from "vitest";
import { parseQuestion, MAX_QUESTION_CHARS } from "../../functions/tasks/sort-of-clevr/answerability";
import { inTaskQuestions, offTaskQuestions } from "../../functions/tasks/sort-of-clevr/question-sets";
import { COLOURS, QUESTION_TYPES, questionText } from "../../functions/tasks/sort-of-clevr/generator";

describe("parseQuestion (answerability by grammar)", () => {
  it("accepts every template and colour and returns the canonical text", () => {
    for (const type of QUESTION_TYPES)
      for (const colour of COLOURS) {
        const r = parseQuestion(questionText(type, colour));
        expect(r).toMatchObject({ answerable: true, type, colour, normalized: questionText(type, colour) });
      }
  });

  it("normalises casing, punctuation, whitespace and full-width forms", () => {
    for (const q of ["WHAT SHAPE IS THE RED OBJECT", "  what   shape is\tthe red object ?! ", "What shape is the red object.", "what shape is the red object？", "\"what, shape is the RED object...\""])
      expect(parseQuestion(q)).toMatchObject({ answerable: true, type: "shape", colour: "red", normalized: "what shape is the red object?" });
    expect(parseQuestion("Is the GREY object on the left or right?")).toMatchObject({ answerable: true, colour: "gray", type: "horizontal" });
  });

  it("refuses unknown colours, other forms and attributes, chat and empty text, with a reason", () => {
    expect(parseQuestion("what shape is the purple object?")).toEqual({ answerable: false, reason: "unknown_colour" });
    expect(parseQuestion("what colour is the square?")).toEqual({ answerable: false, reason: "unsupported_question" });
    expect(parseQuestion("is the purple object on the left?")).toEqual({ answerable: false, reason: "unsupported_question" });
    expect(parseQuestion("is the red object on the left?")).toEqual({ answerable: false, reason: "unsupported_question" });
    expect(parseQuestion("what shape is the red object please?")).toEqual({ answerable: false, reason: "unsupported_question" });
    expect(parseQuestion("hello")).toEqual({ answerable: false, reason: "unsupported_question" });
    expect(parseQuestion("")).toEqual({ answerable: false, reason: "empty" });
    expect(parseQuestion(" ?! ")).toEqual({ answerable: false, reason: "empty" });
    expect(parseQuestion("what shape is the red object?".padEnd(MAX_QUESTION_CHARS + 1, " "))).toEqual({ answerable: false, reason: "too_long" });
  });

  it("meets the bars on generated sets: ≥ 99% of in-task questions accepted, ≥ 95% of off-task refused", () => {
    const inTask = inTaskQuestions(2026, 3000);
    const offTask = offTaskQuestions(2026, 3000);
    const accepted = inTask.filter((q) => parseQuestion(q.text).answerable).length / inTask.length;
    const refused = offTask.filter((q) => !parseQuestion(q.text).answerable).length / offTask.length;
    expect(accepted).toBeGreaterThanOrEqual(0.99);
    expect(refused).toBeGreaterThanOrEqual(0.95);
    // every off-task family is present, so the rate is not carried by the easy ones
    expect(new Set(offTask.map((q) => q.family))).toEqual(new Set(["unknown-colour", "other-attribute", "other-relation", "near-miss", "chat", "empty"]));
  });

  it("generates the same sets for the same seed and different ones for another", () => {
    expect(offTaskQuestions(1, 50)).toEqual(offTaskQuestions(1, 50));
    expect(inTaskQuestions(1, 50)).toEqual(inTaskQuestions(1, 50));
    expect(inTaskQuestions(2, 50)).not.toEqual(inTaskQuestions(1, 50));
  });
});
