/**
 * The answer pipeline shared by /v1/answer, /v1/answer/batch and the benchmark route: image bytes
 * (fetched when given by URL), text and image features through their caches (concurrently), the
 * chosen fusion head, top-k. With `allowDegraded`, a failing image side yields a text-only answer
 * flagged `degraded` (the head sees an all-zero image) instead of a 502/504, and nothing is cached.
 */
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import type { ImageFeatures } from "../clients/image-features-client";
import { fetchImageUrl } from "../clients/image-url";
import { type Answer, topK } from "../inference/answers";
import { contentVersion, imageDims, manifest } from "../models/manifest";
import type { FusionMethod } from "../limits";
import { getServices, type Services } from "../services";
import { ServerTiming } from "../timing";
import type { AnswerRequest } from "../validation/answer-request";
import { checkImageBytes } from "../validation/image-bytes";
import { imageFeaturesFor } from "./image";
import { type CacheStatus, textFeaturesFor } from "./text";

export interface AnswerResult {
  answers: Answer[][];
  cache: { text: CacheStatus[]; image: CacheStatus | "none" };
  degraded: boolean;
  timing: ServerTiming;
}

export async function answer(c: Context<AppEnv>, req: AnswerRequest): Promise<AnswerResult> {
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
  const text = await textFeaturesFor(services.suiteText, services.textCache, req.questions, waitUntil, timing, req.batch ? "questions" : "question");
  const image = await imagePromise;

  let features: ImageFeatures;
  let imageCache: CacheStatus | "none";
  let imageKey: string | null = null;
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
    imageKey = image.ok.key;
  }
  const logits = await timing.measure("fuse", () => fuse(services, req.fusion, text, features, imageKey));
  return { answers: logits.map((l) => topK(l, manifest.labels, req.topK)), cache: { text: text.cache, image: imageCache }, degraded, timing };
}

/**
 * Runs the head for the questions whose fused result is not cached. A head's logits are a pure
 * function of its version and the two cached feature vectors, so they are memoised in the isolate
 * too (never for degraded answers, which have no image key).
 */
async function fuse(services: Services, fusion: FusionMethod, text: { keys: string[]; vectors: Float32Array[] }, image: ImageFeatures, imageKey: string | null): Promise<Float32Array[]> {
  const head = services.heads.entry(fusion)!;
  const keys = imageKey ? text.keys.map((k) => `fused:${head.id}@${contentVersion(head)}:${k}:${imageKey}`) : null;
  const logits: (Float32Array | undefined)[] = keys ? keys.map((k) => services.fusedCache.get(k)) : text.vectors.map(() => undefined);
  const todo = logits.flatMap((l, i) => (l ? [] : [i]));
  if (todo.length > 0) {
    const fresh = await services.heads.run(fusion, { text: todo.map((i) => text.vectors[i]!), pooled: image.pooled, grid: image.grid });
    todo.forEach((i, j) => {
      logits[i] = fresh[j]!;
      if (keys) services.fusedCache.set(keys[i]!, fresh[j]!);
    });
  }
  return logits as Float32Array[];
}

function zeroImage(): ImageFeatures {
  const { pooledDim, gridCells, gridDim } = imageDims();
  return { pooled: new Float32Array(pooledDim), grid: new Float32Array(gridCells * gridDim) };
}
