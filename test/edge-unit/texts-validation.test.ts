import { describe, expect, it } from "vitest";
import { AppError } from "../../functions/edge/errors";
import { MAX_TEXT_CHARS, parseTexts } from "../../functions/edge/validation/texts";

function codeOf(body: unknown): [number, string] | "ok" {
  try {
    parseTexts(body);
    return "ok";
  } catch (e) {
    if (e instanceof AppError) return [e.status, e.code];
    throw e;
  }
}

describe("parseTexts", () => {
  it("accepts 1 to 64 non-empty strings", () => {
    expect(parseTexts({ texts: ["a"] })).toEqual(["a"]);
    expect(parseTexts({ texts: Array(64).fill("x") })).toHaveLength(64);
  });
  it.each([
    [null, 400, "invalid_texts"],
    [[], 400, "invalid_texts"],
    [{ text: "a" }, 400, "unknown_field"],
    [{ texts: ["a"], extra: 1 }, 400, "unknown_field"],
    [{ texts: "a" }, 400, "invalid_texts"],
    [{ texts: [] }, 400, "no_texts"],
    [{ texts: Array(65).fill("x") }, 413, "too_many_texts"],
    [{ texts: ["ok", 3] }, 400, "invalid_text"],
    [{ texts: [null] }, 400, "invalid_text"],
    [{ texts: ["  \n"] }, 400, "empty_text"],
    [{ texts: ["x".repeat(MAX_TEXT_CHARS + 1)] }, 413, "text_too_long"],
  ])("rejects %j with %i %s", (body, status, code) => {
    expect(codeOf(body)).toEqual([status, code]);
  });
});
