/** GET /v1/models: the models this edge serves, from the manifest (no model is loaded for it). */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { contentVersion, imageDims, manifest } from "../models/manifest";
import { listSuites } from "../models/suites";
import { getServices } from "../services";

export const models = new Hono<AppEnv>().get("/v1/models", async (c) => {
  const { config, featuresText } = getServices(c.env);
  const suiteText = {
    id: manifest.text.id,
    version: contentVersion(manifest.text),
    dim: manifest.text.dim,
    quantization: manifest.text.quantization,
    maxTokens: manifest.tokenizer.maxTokens,
  };
  // A drop-in text model's dims are only known once it is loaded.
  const featuresModel = config.textModelSource === "bundled" ? suiteText : await featuresText.spec();
  return c.json({
    suite: manifest.suite,
    text: {
      id: featuresModel.id,
      version: featuresModel.version,
      dim: featuresModel.dim,
      quantization: featuresModel.quantization,
      maxTokens: featuresModel.maxTokens,
    },
    answerText: suiteText,
    image: { id: manifest.image.id, version: contentVersion(manifest.image), ...imageDims(), served: config.featuresUrl ? "image-feature function" : "not configured" },
    heads: manifest.heads.map((h) => ({ id: h.id, version: contentVersion(h), fusion: h.fusion, inputs: h.inputs.map((i) => i.name), modalities: h.modalities })),
    fusionMethods: manifest.fusionMethods,
    defaultFusion: manifest.defaultFusion,
    labels: manifest.labels,
    suites: listSuites().map((s) => ({ id: s.manifest.id, version: s.manifest.version, href: `/v1/suites/${s.manifest.id}` })),
  });
});
