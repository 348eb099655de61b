/** POST /v1/features/text: text features for 1 to 64 texts, cached per text and model version. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { textFeaturesFor } from "../features/text";
import { readJsonBody } from "../middleware/json-body";
import { getServices } from "../services";
import { ServerTiming } from "../timing";
import { MAX_BODY_BYTES, parseTexts } from "../validation/texts";

export const textFeatures = new Hono<AppEnv>().post("/v1/features/text", async (c) => {
  const timing = new ServerTiming();
  const texts = parseTexts(await readJsonBody(c, MAX_BODY_BYTES));
  const { featuresText, textCache } = getServices(c.env);
  const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  const { spec, vectors, cache } = await textFeaturesFor(featuresText, textCache, texts, waitUntil, timing);
  c.header("Server-Timing", timing.header());
  return c.json({
    dim: spec.dim,
    features: vectors.map((v) => Array.from(v)),
    model: { id: spec.id, version: spec.version, quantization: spec.quantization },
    cache,
  });
});
