/** Text features for a list of texts through the tiered cache: each distinct miss encoded once, across concurrent requests too. */
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
  /** Whether `field` is a list (errors name `field[i]`) or one text. */
  list = field !== "question",
) {
  const spec = await timing.measure("load", () => encoder.spec());
  const keys = await Promise.all(texts.map(async (t) => featureKey("text", spec, await sha256Hex(t))));
  const textOf = new Map(keys.map((k, i) => [k, texts[i]!]));
  // Distinct misses are encoded in one batch; texts another request is encoding right now are joined (single-flight).
  const lookup = () =>
    cache.getOrComputeMany(
      keys,
      (own) =>
        timing.measure("text", async () => {
          try {
            return (await encoder.encode(own.map((k) => textOf.get(k)!))).map((v) => ({ text: v }));
          } catch (err) {
            if (err instanceof TextTooLongError) throw new KeyedTextTooLong(own[err.index]!, err);
            throw err;
          }
        }),
      waitUntil,
      (v) => v.text !== undefined,
    );
  const ownError = (e: unknown) => (e instanceof KeyedTextTooLong && textOf.has(e.key) ? tooLong(e) : e);
  let found;
  try {
    found = await lookup();
  } catch (err) {
    // A shared batch can fail on another request's text: ours were not judged, so look them up again.
    if (!(err instanceof KeyedTextTooLong) || textOf.has(err.key)) throw ownError(err);
    found = await lookup().catch((e: unknown) => Promise.reject(ownError(e)));
  }
  const vectors = found.map((f) => f.value.text!);
  const status: CacheStatus[] = found.map((f) => (f.tier ? "hit" : "miss"));

  function tooLong(e: KeyedTextTooLong): AppError {
    const index = keys.indexOf(e.key);
    const where = list ? `${field}[${index}]` : field;
    return new AppError(413, "text_too_long", `${where} has ${e.cause.tokens} tokens; the model accepts at most ${e.cause.maxTokens}`);
  }
  return { spec, keys, vectors, cache: status };
}

/** A text of a shared batch was too long: which one, by cache key (batches mix requests). */
class KeyedTextTooLong extends Error {
  constructor(
    readonly key: string,
    override readonly cause: TextTooLongError,
  ) {
    super(cause.message);
  }
}
