import { describe, expect, it } from "vitest";
import { parseFormAnswerRequest, parseJsonAnswerRequest } from "../../functions/edge/validation/answer-request";

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

describe("misspelt fields are errors, not silently ignored options", () => {
  const image = { base64: "iVBORw0KGgo=" };
  it.each([
    [{ question: "hello", image, fusoin: "concat" }, false, "fusoin"],
    [{ question: "hello", image, explian: true }, false, "explian"],
    [{ questions: ["hello"], image, topk: 2 }, true, "topk"],
    [{ question: "hello", image: { base64: "iVBORw0KGgo=", type: "png" } }, false, "image.type"],
  ])("JSON %j → 400 unknown_field naming it", (body, batch, field) => {
    expect(() => parseJsonAnswerRequest(body, batch, "attention")).toThrow(expect.objectContaining({ status: 400, code: "unknown_field", details: { field } }));
  });
  it("JSON: `questions` on the single route is a misspelling too", () => {
    expect(() => parseJsonAnswerRequest({ questions: ["hello"], image }, false, "attention")).toThrow(expect.objectContaining({ code: "unknown_field" }));
  });
  it("multipart: an unknown part → 400 unknown_field", async () => {
    await expect(parseFormAnswerRequest(form([["question", "hello"], ["fusoin", "concat"]]), false, "attention")).rejects.toMatchObject({ status: 400, code: "unknown_field", details: { field: "fusoin" } });
  });
  it("every documented field is accepted, and fusion names ignore case and spaces", async () => {
    const a = parseJsonAnswerRequest({ question: "hello", image, fusion: " Concat ", topK: 2, allowDegraded: true, explain: false }, false, "attention");
    expect(a.fusion).toBe("concat");
    const b = await parseFormAnswerRequest(form([["question", "hello"], ["fusion", "ATTENTION"], ["topK", "2"], ["allowDegraded", "false"], ["explain", "true"]]), false, "concat");
    expect(b.fusion).toBe("attention");
    expect(b.explain).toBe(true);
  });
});

describe("a missing question says so (code unchanged: invalid_question)", () => {
  it("JSON and multipart", async () => {
    expect(() => parseJsonAnswerRequest({ image: { base64: "iVBORw0KGgo=" } }, false, "attention")).toThrow(expect.objectContaining({ code: "invalid_question", message: expect.stringContaining("missing") }));
    await expect(parseFormAnswerRequest(form([]), false, "attention")).rejects.toMatchObject({ code: "invalid_question", message: expect.stringContaining("missing") });
  });
});

describe("a field sent twice where one value is taken is an error, not first-one-wins", () => {
  it.each([
    [[["question", "what shape is the red object?"], ["question", "hello"]], false, "question"],
    [[["question", "hello"], ["fusion", "sum"], ["fusion", "concat"]], false, "fusion"],
    [[["question", "hello"], ["topK", "2"], ["topK", "3"]], true, "topK"],
  ] as [[string, string][], boolean, string][])("%j (batch %s) → 400 invalid_multipart naming %s", async (fields, batch, field) => {
    await expect(parseFormAnswerRequest(form(fields), batch, "attention")).rejects.toMatchObject({ status: 400, code: "invalid_multipart", details: { field } });
  });
  it("two image parts", async () => {
    const f = form([["question", "hello"]]);
    f.append("image", new Blob([new Uint8Array([1])], { type: "image/png" }), "y.png");
    await expect(parseFormAnswerRequest(f, false, "attention")).rejects.toMatchObject({ status: 400, code: "invalid_multipart", details: { field: "image" } });
  });
});
