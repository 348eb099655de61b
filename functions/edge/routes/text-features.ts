/** POST /v1/features/text: text features for 1 to 64 texts, cached per text and model version. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { featureKey, sha256Hex } from "../cache/feature-key";
import { TextTooLongError } from "../inference/tokenizer";
import { readJsonBody } from "../middleware/json-body";
import { getServices } from "../services";
import { MAX_BODY_BYTES, parseTexts } from "../validation/texts";
import { ServerTiming } from "../timing";

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
