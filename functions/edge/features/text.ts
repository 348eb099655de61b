/** Text features for a list of texts through the tiered cache: each distinct miss encoded once. */
import { featureKey, sha256Hex } from "../cache/feature-key";
import type { TieredFeatureCache, WaitUntil } from "../cache/tiered-cache";
import { AppError } from "../errors";
import type { TextFeatureEncoder } from "../inference/text-encoder";
import { TextTooLongError } from "../inference/tokenizer";
import type { ServerTiming } from "../timing";

export type CacheStatus = "hit" | "miss";

export async function textFeaturesFor(
  encoder: TextFeatureEncoder,
  cache: TieredFeatureCache,
  texts: readonly string[],
  waitUntil: WaitUntil,
  timing: ServerTiming,
  field = "texts",
) {
  const spec = await timing.measure("load", () => encoder.spec());
  const keys = await Promise.all(texts.map(async (t) => featureKey("text", spec, await sha256Hex(t))));
  const found = await Promise.all(keys.map((k) => cache.get(k, waitUntil)));
  const vectors: (Float32Array | undefined)[] = found.map((f) => f?.value.text);
  const status: CacheStatus[] = vectors.map((v) => (v ? "hit" : "miss"));
  const missing = [...new Set(keys.filter((_, i) => !vectors[i]))];
  if (missing.length > 0) {
    const missingTexts = missing.map((k) => texts[keys.indexOf(k)]!);
    const encoded = await timing.measure("text", async () => {
      try {
        return await encoder.encode(missingTexts);
      } catch (err) {
        if (err instanceof TextTooLongError) {
          const index = texts.indexOf(missingTexts[err.index]!);
          const where = field === "question" ? field : `${field}[${index}]`; // a single question is not a list
          throw new AppError(413, "text_too_long", `${where} has ${err.tokens} tokens; the model accepts at most ${err.maxTokens}`);
        }
        throw err;
      }
    });
    missing.forEach((k, i) => cache.put(k, { text: encoded[i]! }, waitUntil));
    keys.forEach((k, i) => {
      if (!vectors[i]) vectors[i] = encoded[missing.indexOf(k)];
    });
  }
  return { spec, keys, vectors: vectors as Float32Array[], cache: status };
}
