/**
 * POST /v1/answer and /v1/answer/batch: questions + one image → answers per question, from JSON or
 * multipart, over the Sort-of-CLEVR suite (features/answer.ts → the suite pipeline). This file
 * reads requests and shapes responses; the response contract predates suites and is kept.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { readJsonBody } from "../middleware/json-body";
import { manifest } from "../models/manifest";
import { type AnswerRequest, parseFormAnswerRequest, parseJsonAnswerRequest } from "../validation/answer-request";
import { readCapped } from "../util/read-capped";
import { MAX_IMAGE_BYTES } from "../validation/image-bytes";
import { answer } from "../features/answer";

const MAX_BODY_BYTES = Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 256 * 1024;

async function readAnswerRequest(c: Context<AppEnv>, batch: boolean): Promise<AnswerRequest> {
  const type = c.req.header("content-type") ?? "";
  if (/^multipart\/form-data\b/i.test(type)) {
    const tooLarge = () => new AppError(413, "body_too_large", `the body is over ${MAX_BODY_BYTES} bytes`);
    if (Number(c.req.header("content-length") ?? "0") > MAX_BODY_BYTES) throw tooLarge();
    const bytes = await readCapped(c.req.raw.body, MAX_BODY_BYTES, tooLarge);
    let form: FormData;
    try {
      form = await new Response(bytes, { headers: { "content-type": type } }).formData();
    } catch {
      throw new AppError(400, "invalid_multipart", "the multipart body could not be parsed");
    }
    return parseFormAnswerRequest(form, batch, manifest.defaultFusion);
  }
  if (!/^application\/json\b/i.test(type)) throw new AppError(415, "unsupported_media_type", "send application/json or multipart/form-data");
  return parseJsonAnswerRequest(await readJsonBody(c, MAX_BODY_BYTES), batch, manifest.defaultFusion);
}

const flagOf = (degraded: boolean) => (degraded ? { degraded: true as const } : {});

export const answerRoutes = new Hono<AppEnv>()
  .post("/v1/answer", async (c) => {
    const req = await readAnswerRequest(c, false);
    const r = await answer(c, req);
    c.header("Server-Timing", r.timing.header());
    return c.json({
      answers: r.answers[0],
      ...(r.answerable[0] !== undefined ? { answerable: r.answerable[0] } : {}),
      fusion: r.fusion,
      modalitiesUsed: r.modalitiesUsed,
      models: r.models,
      cache: { text: r.cache.text[0], image: r.cache.image },
      ...flagOf(r.degraded),
      ...(r.explanations[0] ? { explanation: r.explanations[0] } : {}),
      timings: r.timing.toJSON(),
    });
  })
  .post("/v1/answer/batch", async (c) => {
    const req = await readAnswerRequest(c, true);
    const r = await answer(c, req);
    c.header("Server-Timing", r.timing.header());
    return c.json({
      results: req.questions.map((question, i) => ({
        question,
        answers: r.answers[i],
        ...(r.answerable[i] !== undefined ? { answerable: r.answerable[i] } : {}),
        cache: { text: r.cache.text[i] },
        ...(r.explanations[i] ? { explanation: r.explanations[i] } : {}),
      })),
      fusion: r.fusion,
      modalitiesUsed: r.modalitiesUsed,
      models: r.models,
      cache: { image: r.cache.image },
      ...flagOf(r.degraded),
      timings: r.timing.toJSON(),
    });
  });
