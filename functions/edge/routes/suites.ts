/**
 * GET /v1/suites, GET /v1/suites/{suite} and POST /v1/suites/{suite}/predict: every suite this edge
 * serves, described from its manifest (no model loaded), and predictions over any of its modalities
 * (features/predict.ts).
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { predict } from "../features/predict";
import { readJsonBody } from "../middleware/json-body";
import { type SuiteEntry, listSuites, suiteOr404 } from "../models/suites";
import { readCapped } from "../util/read-capped";
import { maxPredictBodyBytes, type PredictBody, parseFormPredict, parseJsonPredict } from "../validation/predict-request";
import { contentVersion, fusionMethods } from "../../suites/manifest";

export function describeSuite(s: SuiteEntry) {
  const m = s.manifest;
  return {
    id: m.id,
    version: m.version,
    title: m.title,
    description: m.description,
    task: m.task,
    labels: m.task.labels,
    modalities: m.modalities.map((mod) => ({
      name: mod.name,
      kind: mod.kind,
      required: mod.required,
      limits: mod.limits,
      encoder: {
        runs: mod.encoder.runs,
        id: mod.encoder.id,
        version: contentVersion(mod.encoder),
        ...(mod.encoder.runs === "remote" ? { model: mod.encoder.model, ...(mod.encoder.modelVersion !== undefined ? { modelVersion: mod.encoder.modelVersion } : {}) } : { quantization: mod.encoder.quantization }),
        outputs: mod.encoder.outputs.map((o) => ({ name: o.name, shape: o.shape })),
      },
    })),
    heads: m.heads.map((h) => ({ id: h.id, version: contentVersion(h), fusion: h.fusion, modalities: h.modalities, absent: h.absent, explain: { attention: h.outputs.attention !== null } })),
    fusionMethods: fusionMethods(m),
    defaultFusion: m.defaultFusion,
    answerability: m.answerability ?? null,
  };
}

async function readPredictBody(c: Context<AppEnv>, suite: SuiteEntry): Promise<PredictBody> {
  const max = maxPredictBodyBytes(suite.manifest);
  const type = c.req.header("content-type") ?? "";
  if (/^multipart\/form-data\b/i.test(type)) {
    const tooLarge = () => new AppError(413, "body_too_large", `the body is over ${max} bytes`);
    if (Number(c.req.header("content-length") ?? "0") > max) throw tooLarge();
    const bytes = await readCapped(c.req.raw.body, max, tooLarge);
    let form: FormData;
    try {
      form = await new Response(bytes, { headers: { "content-type": type } }).formData();
    } catch {
      throw new AppError(400, "invalid_multipart", "the multipart body could not be parsed");
    }
    return parseFormPredict(suite.manifest, form);
  }
  if (!/^application\/json\b/i.test(type)) throw new AppError(415, "unsupported_media_type", "send application/json or multipart/form-data");
  return parseJsonPredict(suite.manifest, await readJsonBody(c, max));
}

export const suiteRoutes = new Hono<AppEnv>()
  .get("/v1/suites", (c) => c.json({ suites: listSuites().map(describeSuite) }))
  .get("/v1/suites/:suite", (c) => c.json(describeSuite(suiteOr404(c.req.param("suite")))))
  .post("/v1/suites/:suite/predict", async (c) => {
    const suite = suiteOr404(c.req.param("suite"));
    const body = await readPredictBody(c, suite);
    const r = await predict(c, suite, body);
    const row = r.rows[0]!;
    c.header("Server-Timing", r.timing.header());
    const cache = Object.fromEntries(Object.entries(r.cache).map(([name, s]) => [name, s === "none" ? "none" : s[0]!]));
    return c.json({
      suite: suite.manifest.id,
      predictions: row.predictions,
      ...(row.score !== undefined ? { score: row.score } : {}),
      ...(row.answerable !== undefined ? { answerable: row.answerable } : {}),
      fusion: r.choice.fusion,
      modalitiesUsed: r.choice.used,
      models: r.models,
      cache,
      ...(r.degraded ? { degraded: true } : {}),
      ...(row.explanation ? { explanation: row.explanation } : {}),
      timings: r.timing.toJSON(),
    });
  });
