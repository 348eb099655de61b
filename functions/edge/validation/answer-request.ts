/**
 * Parsing of /v1/answer and /v1/answer/batch requests, from JSON or from multipart form data, into
 * one shape. Pure apart from reading the form's file part, so most of it is unit-tested in Node.
 */
import { AppError } from "../errors";
import { MAX_BATCH_QUESTIONS, MAX_TEXT_CHARS, MAX_TOP_K } from "../limits";
import { type FusionMethod, isFusionMethod, manifest } from "../models/manifest";
import { decodeBase64Image } from "./image-bytes";

export { MAX_BATCH_QUESTIONS, MAX_TOP_K };

export type ImageSource = { readonly kind: "bytes"; readonly bytes: Uint8Array } | { readonly kind: "url"; readonly url: string };

export interface AnswerRequest {
  readonly questions: readonly string[];
  readonly image: ImageSource;
  readonly fusion: FusionMethod;
  readonly topK: number;
  readonly allowDegraded: boolean;
  readonly explain: boolean;
  /** From /v1/answer/batch (`questions`) rather than /v1/answer (`question`): names fields in errors. */
  readonly batch: boolean;
}

function question(q: unknown, where: string): string {
  if (q === undefined || q === null) throw new AppError(400, "invalid_question", `${where} is missing: send the question as a string`);
  if (typeof q !== "string") throw new AppError(400, "invalid_question", `${where} must be a string`);
  if (q.trim() === "") throw new AppError(400, "empty_question", `${where} is empty`);
  if (q.length > MAX_TEXT_CHARS) throw new AppError(413, "question_too_long", `${where} is over ${MAX_TEXT_CHARS} characters`);
  return q;
}

function fusion(raw: unknown, fallback: FusionMethod): FusionMethod {
  // Fusion names are lower-case identifiers: " Concat " means concat.
  const f = typeof raw === "string" ? raw.trim().toLowerCase() : raw;
  if (f === undefined || f === null || f === "") return fallback;
  if (!isFusionMethod(f)) {
    throw new AppError(400, "unknown_fusion", `fusion must be one of ${manifest.fusionMethods.join(", ")}`, { valid: [...manifest.fusionMethods] });
  }
  return f;
}

function topK(k: unknown): number {
  if (k === undefined || k === null || k === "") return 3;
  const n = typeof k === "string" ? Number(k) : k;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > MAX_TOP_K) throw new AppError(400, "invalid_top_k", `topK must be an integer from 1 to ${MAX_TOP_K}`);
  return n;
}

function flag(v: unknown, name: string): boolean {
  if (v === undefined || v === null || v === "" || v === false || v === "false") return false;
  if (v === true || v === "true") return true;
  throw new AppError(400, "invalid_flag", `${name} must be true or false`);
}

function questions(body: Record<string, unknown>, batch: boolean): string[] {
  if (!batch) return [question(body.question, "question")];
  const qs = body.questions;
  if (!Array.isArray(qs)) throw new AppError(400, "invalid_questions", `questions must be an array of 1 to ${MAX_BATCH_QUESTIONS} strings`);
  if (qs.length === 0) throw new AppError(400, "invalid_questions", "questions is empty");
  if (qs.length > MAX_BATCH_QUESTIONS) throw new AppError(413, "too_many_questions", `at most ${MAX_BATCH_QUESTIONS} questions per batch`);
  return qs.map((q, i) => question(q, `questions[${i}]`));
}

/** The fields each form accepts: a misspelt option must be an error, not a silently ignored default. */
const OPTIONS = ["fusion", "topK", "allowDegraded", "explain"] as const;
const JSON_FIELDS = { single: new Set(["question", "image", ...OPTIONS]), batch: new Set(["questions", "image", ...OPTIONS]) };
const IMAGE_FIELDS: ReadonlySet<string> = new Set(["base64", "url"]);
const FORM_FIELDS = { single: new Set(["question", "image", "imageUrl", ...OPTIONS]), batch: new Set(["question", "questions", "image", "imageUrl", ...OPTIONS]) };

function rejectUnknown(names: Iterable<string>, allowed: ReadonlySet<string>, where = ""): void {
  for (const name of names) {
    if (!allowed.has(name)) {
      throw new AppError(400, "unknown_field", `unknown field ${where}${name}; this route takes ${[...allowed].map((f) => where + f).join(", ")}`, { field: where + name });
    }
  }
}

export function parseJsonAnswerRequest(body: unknown, batch: boolean, defaultFusion: FusionMethod): AnswerRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new AppError(400, "invalid_body", "send a JSON object");
  const b = body as Record<string, unknown>;
  rejectUnknown(Object.keys(b), batch ? JSON_FIELDS.batch : JSON_FIELDS.single);
  const img = b.image as Record<string, unknown> | undefined;
  let image: ImageSource;
  if (typeof img !== "object" || img === null || Array.isArray(img)) {
    throw new AppError(400, "missing_image", 'send image as { "base64": "..." } or { "url": "https://..." }');
  }
  rejectUnknown(Object.keys(img), IMAGE_FIELDS, "image.");
  if (typeof img.base64 === "string" && img.url === undefined) {
    image = { kind: "bytes", bytes: decodeBase64Image(img.base64) };
  } else if (typeof img.url === "string" && img.base64 === undefined) {
    image = { kind: "url", url: img.url };
  } else {
    throw new AppError(400, "invalid_image_field", "image needs exactly one of base64 (string) or url (string)");
  }
  return { questions: questions(b, batch), image, fusion: fusion(b.fusion, defaultFusion), topK: topK(b.topK), allowDegraded: flag(b.allowDegraded, "allowDegraded"), explain: flag(b.explain, "explain"), batch };
}

/** A field sent twice where one value is taken would otherwise be settled silently by whichever came first. */
function rejectRepeated(form: FormData, names: Iterable<string>): void {
  for (const name of names) {
    if (form.getAll(name).length > 1) throw new AppError(400, "invalid_multipart", `send one ${name} part, not ${form.getAll(name).length}`, { field: name });
  }
}

/** Multipart: an `image` file part (or an `imageUrl` field), `question` (batch: repeated `question` or `questions` fields), `fusion`, `topK`, `allowDegraded`, `explain`. */
export async function parseFormAnswerRequest(form: FormData, batch: boolean, defaultFusion: FusionMethod): Promise<AnswerRequest> {
  rejectUnknown(form.keys(), batch ? FORM_FIELDS.batch : FORM_FIELDS.single);
  rejectRepeated(form, batch ? ["image", "imageUrl", ...OPTIONS] : ["question", "image", "imageUrl", ...OPTIONS]);
  const file = form.get("image");
  const url = form.get("imageUrl");
  let image: ImageSource;
  if (file !== null && typeof file !== "string" && url === null) image = { kind: "bytes", bytes: new Uint8Array(await file.arrayBuffer()) };
  else if (typeof url === "string" && file === null) image = { kind: "url", url };
  else throw new AppError(400, "missing_image", "send exactly one of an image file part or an imageUrl field");
  // A batch takes the repeated field under either name: users reach for the JSON field's name too.
  const qs = batch ? [...form.getAll("question"), ...form.getAll("questions")] : form.getAll("question");
  if (batch && qs.length === 0) throw new AppError(400, "invalid_questions", "send the questions as repeated question (or questions) form fields");
  const body: Record<string, unknown> = batch ? { questions: qs } : { question: qs.length === 1 ? qs[0] : qs.length === 0 ? undefined : qs };
  return {
    questions: questions(body, batch),
    image,
    fusion: fusion(form.get("fusion") ?? undefined, defaultFusion),
    topK: topK(form.get("topK") ?? undefined),
    allowDegraded: flag(form.get("allowDegraded") ?? undefined, "allowDegraded"),
    explain: flag(form.get("explain") ?? undefined, "explain"),
    batch,
  };
}
