import { describe, expect, it } from "vitest";
import { parseFormAnswerRequest } from "../../functions/edge/validation/answer-request";

function form(fields: [string, string][]): FormData {
  const f = new FormData();
  f.append("image", new Blob([new Uint8Array([137, 80, 78, 71])], { type: "image/png" }), "x.png");
  for (const [k, v] of fields) f.append(k, v);
  return f;
}

describe("multipart /v1/answer/batch questions", () => {
  it("takes repeated question fields and repeated questions fields, in order", async () => {
    const a = await parseFormAnswerRequest(form([["question", "what shape is the red object?"], ["question", "hello"]]), true, "attention");
    expect(a.questions).toEqual(["what shape is the red object?", "hello"]);
    const b = await parseFormAnswerRequest(form([["questions", "what shape is the red object?"], ["questions", "hello"]]), true, "attention");
    expect(b.questions).toEqual(["what shape is the red object?", "hello"]);
  });

  it("names the fields to use when none is sent", async () => {
    await expect(parseFormAnswerRequest(form([]), true, "attention")).rejects.toMatchObject({ status: 400, code: "invalid_questions", message: expect.stringContaining("repeated question") });
  });

  it("a single answer still reads only `question`", async () => {
    const a = await parseFormAnswerRequest(form([["question", "hello"]]), false, "attention");
    expect(a.questions).toEqual(["hello"]);
  });
});
