/**
 * /v1/answer, /v1/answer/batch and the benchmark route: the VQA view of the Sort-of-CLEVR suite's
 * pipeline (features/predict.ts), so an answer and a predict call on the same inputs run the same
 * head on the same cached features. Questions go to the "question" modality (one row each), the
 * image to "image" (shared by every row).
 */
import type { Context } from "hono";
import type { AppEnv } from "../env";
import type { Answer } from "../inference/answers";
import { VQA_SUITE_ID } from "../models/manifest";
import { suiteOr404 } from "../models/suites";
import type { ServerTiming } from "../timing";
import type { AnswerRequest } from "../validation/answer-request";
import type { Explanation } from "./explain";
import type { ModalityInput } from "./kinds";
import type { FieldName } from "./modalities";
import { predict } from "./predict";
import { modelTag } from "../../suites/manifest";

export type CacheStatus = "hit" | "miss";

export interface AnswerResult {
  answers: Answer[][];
  /** Per question; undefined when the suite has no question grammar. */
  answerable: (boolean | undefined)[];
  explanations: (Explanation | undefined)[];
  cache: { text: CacheStatus[]; image: CacheStatus | "none" };
  fusion: string;
  /** The modalities the chosen head read (the text-only head and degraded answers: the question alone). */
  modalitiesUsed: string[];
  models: { text: string; image: string; head: string };
  degraded: boolean;
  timing: ServerTiming;
}

export async function answer(c: Context<AppEnv>, req: AnswerRequest): Promise<AnswerResult> {
  const suite = suiteOr404(VQA_SUITE_ID);
  const field: FieldName = (mod) => (mod.name === "question" ? { name: req.batch ? "questions" : "question", list: req.batch } : { name: mod.name, list: false });
  const r = await predict(c, suite, {
    inputs: new Map<string, ModalityInput>([
      ["question", { form: "text", texts: req.questions }],
      ["image", req.image.kind === "bytes" ? { form: "bytes", bytes: req.image.bytes } : { form: "url", url: req.image.url }],
    ]),
    fusion: req.fusion,
    topK: req.topK,
    allowDegraded: req.allowDegraded,
    explain: req.explain,
    field,
  });
  const text = r.cache.question;
  const image = r.cache.image;
  const imageEncoder = suite.manifest.modalities.find((m) => m.name === "image")!.encoder;
  return {
    answers: r.rows.map((row) => row.predictions),
    answerable: r.rows.map((row) => row.answerable),
    explanations: r.rows.map((row) => row.explanation),
    cache: { text: text === "none" || text === undefined ? req.questions.map(() => "miss") : text, image: image === "none" || image === undefined ? "none" : image[0]! },
    fusion: r.choice.fusion,
    modalitiesUsed: [...r.choice.used],
    models: { text: r.models.question!, image: r.models.image ?? modelTag(imageEncoder), head: r.models.head! },
    degraded: r.degraded,
    timing: r.timing,
  };
}
