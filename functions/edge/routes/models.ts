/** Lists the models this edge serves. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { getServices } from "../services";

export const models = new Hono<AppEnv>().get("/v1/models", async (c) => {
  const text = await getServices(c.env).textEncoder.spec();
  return c.json({
    text: {
      id: text.id,
      version: text.version,
      dim: text.dim,
      quantization: text.quantization,
      maxTokens: text.maxTokens,
      pooling: text.pooling,
      normalize: text.normalize,
    },
  });
});
