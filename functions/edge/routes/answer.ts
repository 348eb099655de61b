/**
 * POST /v1/answer and /v1/answer/batch: questions + one image → answers per question.
 * The image is featurised once (or read from the cache), each distinct question once, then the
 * chosen fusion head runs on both. With `allowDegraded`, a failing image side yields a text-only
 * answer flagged `degraded: true` (never cached) instead of a 502/504.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import type { ImageFeatures } from "../clients/image-features-client";
import { fetchImageUrl } from "../clients/image-url";
import { imageFeaturesFor } from "../features/image";
import { type CacheStatus, textFeaturesFor } from "../features/text";
import { type Answer, topK } from "../inference/answers";
import { readJsonBody } from "../middleware/json-body";
import { manifest } from "../models/manifest";
import { getServices } from "../services";
import { ServerTiming } from "../timing";
import { type AnswerRequest, parseFormAnswerRequest, parseJsonAnswerRequest } from "../validation/answer-request";
import { checkImageBytes, MAX_IMAGE_BYTES } from "../validation/image-bytes";

const MAX_BODY_BYTES = Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 256 * 1024;

async function readAnswerRequest(c: Context<AppEnv>, batch: boolean): Promise<AnswerRequest> {
  const type = c.req.header("content-type") ?? "";
  if (/^multipart\/form-data\b/i.test(type)) {
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > MAX_BODY_BYTES) throw new AppError(413, "body_too_large", `the body is over ${MAX_BODY_BYTES} bytes`);
    let form: FormData;
    try {
      form = await c.req.raw.formData();
    } catch {
      throw new AppError(400, "invalid_multipart", "the multipart body could not be parsed");
    }
    return parseFormAnswerRequest(form, batch, manifest.defaultFusion);
  }
  if (!/^application\/json\b/i.test(type)) throw new AppError(415, "unsupported_media_type", "send application/json or multipart/form-data");
  return parseJsonAnswerRequest(await readJsonBody(c, MAX_BODY_BYTES), batch, manifest.defaultFusion);
}

interface AnswerResult {
  answers: Answer[][];
  cache: { text: CacheStatus[]; image: CacheStatus | "none" };
  degraded: boolean;
  timing: ServerTiming;
}

async function answer(c: Context<AppEnv>, req: AnswerRequest): Promise<AnswerResult> {
  const timing = new ServerTiming();
  const services = getServices(c.env);
  const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  const bytes =
    req.image.kind === "bytes"
      ? req.image.bytes
      : await timing.measure("fetch", () => fetchImageUrl((req.image as { url: string }).url, { allowPrivate: services.config.imageUrlAllowPrivate, timeoutMs: services.config.imageUrlTimeoutMs, maxRedirects: 3 }));
  checkImageBytes(bytes);

  // Text and image features are independent: fetch them concurrently.
  const imagePromise = imageFeaturesFor(services.imageClient, services.imageCache, bytes, waitUntil, timing).then(
    (ok) => ({ ok }),
    (error: unknown) => ({ error }),
  );
  const text = await textFeaturesFor(services.suiteText, services.textCache, req.questions, waitUntil, timing, req.questions.length > 1 ? "questions" : "question");
  const image = await imagePromise;

  let features: ImageFeatures;
  let imageCache: CacheStatus | "none";
  let degraded = false;
  if ("error" in image) {
    const err = image.error;
    const upstreamDown = err instanceof AppError && (err.status === 502 || err.status === 504);
    if (!(upstreamDown && req.allowDegraded)) throw err;
    // Degraded: the head sees an all-zero image, so only the question's prior drives the answer.
    features = zeroImage();
    imageCache = "none";
    degraded = true;
  } else {
    features = image.ok.features;
    imageCache = image.ok.cache;
  }
  const logits = await timing.measure("fuse", () => services.heads.run(req.fusion, { text: text.vectors, pooled: features.pooled, grid: features.grid }));
  return { answers: logits.map((l) => topK(l, manifest.labels, req.topK)), cache: { text: text.cache, image: imageCache }, degraded, timing };
}

function zeroImage(): ImageFeatures {
  const pooled = manifest.image.outputs.find((o) => o.name === "pooled")!.shape;
  const grid = manifest.image.outputs.find((o) => o.name === "grid")!.shape;
  return { pooled: new Float32Array(pooled[1]!), grid: new Float32Array(grid[1]! * grid[2]!) };
}

function models(fusion: string) {
  const head = manifest.heads.find((h) => h.fusion === fusion)!;
  return {
    text: `${manifest.text.id}@${manifest.text.version}`,
    image: `${manifest.image.id}@${manifest.image.version}`,
    head: `${head.id}@${head.version}`,
  };
}

export const answerRoutes = new Hono<AppEnv>()
  .post("/v1/answer", async (c) => {
    const req = await readAnswerRequest(c, false);
    const r = await answer(c, req);
    c.header("Server-Timing", r.timing.header());
    return c.json({
      answers: r.answers[0],
      fusion: req.fusion,
      models: models(req.fusion),
      cache: { text: r.cache.text[0], image: r.cache.image },
      ...(r.degraded ? { degraded: true } : {}),
      timings: r.timing.toJSON(),
    });
  })
  .post("/v1/answer/batch", async (c) => {
    const req = await readAnswerRequest(c, true);
    const r = await answer(c, req);
    c.header("Server-Timing", r.timing.header());
    return c.json({
      results: req.questions.map((question, i) => ({ question, answers: r.answers[i], cache: { text: r.cache.text[i] } })),
      fusion: req.fusion,
      models: models(req.fusion),
      cache: { image: r.cache.image },
      ...(r.degraded ? { degraded: true } : {}),
      timings: r.timing.toJSON(),
    });
  });
