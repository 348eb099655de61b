/** POST /v1/features/text: text features for 1 to 64 texts, cached per text and model version. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { featureKey, sha256Hex } from "../cache/feature-key";
import { TextTooLongError } from "../inference/tokenizer";
import { readJsonBody } from "../middleware/json-body";
import { getServices } from "../services";
import { ServerTiming } from "../timing";

export const MAX_TEXTS = 64;
export const MAX_TEXT_CHARS = 4096;
const MAX_BODY_BYTES = MAX_TEXTS * MAX_TEXT_CHARS * 4 + 1024;

export function parseTexts(body: unknown): string[] {
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

export const textFeatures = new Hono<AppEnv>().post("/v1/features/text", async (c) => {
  const timing = new ServerTiming();
  const texts = parseTexts(await readJsonBody(c, MAX_BODY_BYTES));
  const { textEncoder, textCache } = getServices(c.env);
  const spec = await timing.measure("load", () => textEncoder.spec());

  const keys = await Promise.all(texts.map(async (t) => featureKey("text", spec, await sha256Hex(t))));
  const cache = keys.map((k) => (textCache.has(k) ? ("hit" as const) : ("miss" as const)));
  // Each distinct missing text is encoded once, in one batch.
  const missing = [...new Set(keys.filter((_, i) => cache[i] === "miss"))];
  if (missing.length > 0) {
    const missingTexts = missing.map((k) => texts[keys.indexOf(k)]!);
    const vectors = await timing.measure("text", async () => {
      try {
        return await textEncoder.encode(missingTexts);
      } catch (err) {
        if (err instanceof TextTooLongError) {
          const index = texts.indexOf(missingTexts[err.index]!);
          throw new AppError(413, "text_too_long", `texts[${index}] has ${err.tokens} tokens; the model accepts at most ${err.maxTokens}`);
        }
        throw err;
      }
    });
    missing.forEach((k, i) => textCache.set(k, vectors[i]!));
  }
  const features = keys.map((k) => Array.from(textCache.get(k) ?? []));
  c.header("Server-Timing", timing.header());
  return c.json({
    dim: spec.dim,
    features,
    model: { id: spec.id, version: spec.version, quantization: spec.quantization },
    cache,
  });
});
