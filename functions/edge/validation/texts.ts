/** Validation of `{ "texts": [...] }` bodies: pure, so it is unit-tested in Node. */
import { AppError } from "../errors";

import { MAX_TEXT_CHARS, MAX_TEXTS } from "../limits";

export { MAX_TEXT_CHARS, MAX_TEXTS };
export const MAX_BODY_BYTES = MAX_TEXTS * MAX_TEXT_CHARS * 4 + 1024;

export function parseTexts(body: unknown): string[] {
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    // a misspelt field is named, as on the other routes ({"text": [...]} is the usual one)
    const extra = Object.keys(body).find((k) => k !== "texts");
    if (extra !== undefined) throw new AppError(400, "unknown_field", `unknown field ${extra}; send { "texts": ["..."] } with 1 to 64 strings`, { field: extra });
  }
  const texts = (body as { texts?: unknown } | null)?.texts;
  if (typeof body !== "object" || body === null || Array.isArray(body) || !Array.isArray(texts)) {
    throw new AppError(400, "invalid_texts", 'send { "texts": ["..."] } with 1 to 64 strings');
  }
  if (texts.length === 0) throw new AppError(400, "no_texts", "texts is empty; send 1 to 64 strings");
  if (texts.length > MAX_TEXTS) throw new AppError(413, "too_many_texts", `at most ${MAX_TEXTS} texts per request (got ${texts.length})`);
  texts.forEach((t, i) => {
    if (typeof t !== "string") throw new AppError(400, "invalid_text", `texts[${i}] is not a string`);
    if (t.trim() === "") throw new AppError(400, "empty_text", `texts[${i}] is empty`);
    if (t.length > MAX_TEXT_CHARS) throw new AppError(413, "text_too_long", `texts[${i}] is over ${MAX_TEXT_CHARS} characters`);
  });
  return texts as string[];
}

