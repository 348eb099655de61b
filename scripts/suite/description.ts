/**
 * The short suite description a user writes (suite.yaml or suite.json) for `npm run suite:pack`:
 * task, modalities with the files of their encoders, and the heads. The packager turns it into a
 * manifest v2 (functions/suites/manifest-schema.ts) with checksums and tensor specs read from the
 * ONNX files. Strict: an unknown key is an error that names the key, where it is and the closest
 * valid key, so a typo never silently drops a setting.
 */
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { MODALITY_KINDS } from "../../functions/suites/manifest-schema";

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MODALITY_NAME = /^[a-z][a-z0-9_]{0,31}$/;
const id = (what: string) => z.string().regex(ID, `${what} must be lower-case letters, digits, '.', '_' or '-' (${ID})`);
const positiveInt = z.number().int().positive();

const EdgeText = z.strictObject({
  runs: z.literal("edge"),
  /** A transformers.js-style folder: tokenizer.json (+ tokenizer_config.json, config.json) and onnx/model_quantized.onnx or onnx/model.onnx. */
  folder: z.string().min(1).optional(),
  /** Or an ONNX file plus its tokenizer.json. */
  file: z.string().min(1).optional(),
  tokenizer: z.string().min(1).optional(),
  /** Which graph output holds the features (default: the only one, or last_hidden_state). */
  output: z.string().min(1).optional(),
  pooling: z.enum(["mean", "none"]).optional(),
  normalize: z.boolean().optional(),
  id: id("encoder id").optional(),
  version: z.string().min(1).optional(),
});

const remoteCommon = {
  runs: z.literal("remote"),
  file: z.string().min(1),
  /** Model name in the repository / on the feature function (default <suite>-<modality>). */
  model: id("model name").optional(),
  /** Integer version folder (default 1). */
  modelVersion: positiveInt.optional(),
  id: id("encoder id").optional(),
  version: z.string().min(1).optional(),
  /** Graph outputs to serve (default: all). */
  outputs: z.array(z.string().min(1)).min(1).optional(),
  maxBatchSize: positiveInt.max(1024).optional(),
  description: z.string().optional(),
};

const ImagePreprocess = z.strictObject({
  fit: z.enum(["letterbox", "contain"]).optional(),
  background: z.union([z.literal("border-median"), z.tuple([z.number().int(), z.number().int(), z.number().int()])]).optional(),
  alpha: z.tuple([z.number().int(), z.number().int(), z.number().int()]).optional(),
  mean: z.array(z.number()).optional(),
  std: z.array(z.number().positive()).optional(),
});
const AudioPreprocess = z.strictObject({
  sampleRate: z.number().int().min(1000).max(384000),
  minSeconds: z.number().min(0).optional(),
  maxSeconds: z.number().positive().optional(),
});

const RemoteImage = z.strictObject({ ...remoteCommon, preprocess: ImagePreprocess.optional() });
const RemoteAudio = z.strictObject({ ...remoteCommon, preprocess: AudioPreprocess });

const base = {
  name: z.string().regex(MODALITY_NAME, `modality name must be lower-case letters, digits or '_', starting with a letter (${MODALITY_NAME})`),
  required: z.boolean().default(true),
  title: z.string().optional(),
};

const TextModality = z.strictObject({
  ...base,
  kind: z.literal("text"),
  limits: z.strictObject({ maxChars: positiveInt.optional(), maxTokens: positiveInt.optional() }).optional(),
  encoder: EdgeText,
});
const ImageModality = z.strictObject({
  ...base,
  kind: z.literal("image"),
  limits: z.strictObject({ maxBytes: positiveInt.optional(), maxPixels: positiveInt.optional() }).optional(),
  encoder: RemoteImage,
});
const AudioModality = z.strictObject({
  ...base,
  kind: z.literal("audio"),
  limits: z.strictObject({ maxBytes: positiveInt.optional(), maxSeconds: z.number().positive().optional() }).optional(),
  encoder: RemoteAudio,
});

const HeadDescription = z.strictObject({
  file: z.string().min(1),
  fusion: id("fusion"),
  id: id("head id").optional(),
  version: z.string().min(1).optional(),
  modalities: z.array(z.string().min(1)).min(1),
  /** graph input name -> "<modality>.<encoder output>" */
  inputs: z.record(z.string().min(1), z.string().regex(/^[a-z][a-z0-9_]*\.[^.]+$/, 'must be "<modality>.<encoder output>"')),
  outputs: z.strictObject({ logits: z.string().min(1), score: z.string().min(1).optional(), attention: z.string().min(1).optional() }).optional(),
  maskInput: z.string().min(1).optional(),
  attentionGrid: z.strictObject({ rows: positiveInt, cols: positiveInt, modality: z.string().min(1) }).optional(),
  temperature: z.number().positive().optional(),
});

export const DescriptionSchema = z.strictObject({
  id: id("suite id"),
  version: z.string().min(1).default("1.0.0"),
  title: z.string().min(1),
  description: z.string().default(""),
  seed: z.number().int().optional(),
  task: z.strictObject({
    labels: z.array(z.string().min(1)).min(1),
    regression: z.strictObject({ name: z.string().min(1), min: z.number(), max: z.number() }).optional(),
  }),
  modalities: z.array(z.unknown()).min(1),
  /** A heads.json written by scripts/heads/train_heads.py, or a list of heads. */
  heads: z.unknown(),
  defaultFusion: id("defaultFusion").optional(),
});

export type TextModalityDescription = z.output<typeof TextModality>;
export type ImageModalityDescription = z.output<typeof ImageModality>;
export type AudioModalityDescription = z.output<typeof AudioModality>;
export type ModalityDescription = TextModalityDescription | ImageModalityDescription | AudioModalityDescription;
export type HeadDescription = z.output<typeof HeadDescription>;
export type SuiteDescription = Omit<z.output<typeof DescriptionSchema>, "modalities" | "heads"> & {
  modalities: ModalityDescription[];
  heads: string | HeadDescription[];
};

export class DescriptionError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}:\n  - ${problems.join("\n  - ")}`);
  }
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

export function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const dist = editDistance(word.toLowerCase(), o.toLowerCase());
    if (dist < bestD) [best, bestD] = [o, dist];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function didYouMean(word: string, options: readonly string[]): string {
  const c = closest(word, options);
  return c ? ` (did you mean '${c}'?)` : ` (valid: ${options.join(", ")})`;
}

/** Keys a strict object at `path` accepts, for suggestions. */
function shapeKeys(schema: z.ZodType): string[] {
  const s = schema as unknown as { shape?: Record<string, unknown> };
  return s.shape ? Object.keys(s.shape) : [];
}

function locate(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

/** The object schema at `path` (through optionals, defaults and arrays), for "did you mean" suggestions. */
function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  const unwrap = (t: unknown): unknown => {
    let cur = t as { def?: { type?: string; innerType?: unknown } };
    while (cur?.def && ["optional", "default", "nullable"].includes(cur.def.type ?? "")) cur = cur.def.innerType as typeof cur;
    return cur;
  };
  let cur = unwrap(root);
  for (const p of path) {
    if (typeof p === "number") {
      const def = (cur as { def?: { type?: string; element?: unknown } }).def;
      if (def?.type !== "array") return undefined;
      cur = unwrap(def.element);
      continue;
    }
    const shape = (cur as { shape?: Record<string, unknown> }).shape;
    if (!shape || !(String(p) in shape)) return undefined;
    cur = unwrap(shape[String(p)]);
  }
  return cur as z.ZodType;
}

function problemsOf(error: z.ZodError, root: z.ZodType, prefix: readonly PropertyKey[] = []): string[] {
  const out: string[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      const valid = shapeKeys(schemaAt(root, issue.path) ?? z.object({}));
      for (const key of issue.keys) out.push(`${locate(path)}: unknown key '${key}'${didYouMean(key, valid)}`);
    } else {
      out.push(`${locate(path)}: ${issue.message}`);
    }
  }
  return out;
}

const MODALITY_SCHEMAS = { text: TextModality, image: ImageModality, audio: AudioModality } as const;

/** Parses YAML or JSON text into a validated description; throws DescriptionError listing every problem. */
export function parseDescription(text: string, source: string): SuiteDescription {
  let raw: unknown;
  try {
    raw = source.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new DescriptionError(source, [`not valid ${source.endsWith(".json") ? "JSON" : "YAML"}: ${(err as Error).message}`]);
  }
  const problems: string[] = [];
  const top = DescriptionSchema.safeParse(raw);
  if (!top.success) problems.push(...problemsOf(top.error, DescriptionSchema));
  const mods: ModalityDescription[] = [];
  const rawMods = (raw as { modalities?: unknown })?.modalities;
  if (Array.isArray(rawMods)) {
    rawMods.forEach((m, i) => {
      const where: PropertyKey[] = ["modalities", i];
      const kind = (m as { kind?: unknown })?.kind;
      if (typeof kind !== "string" || !(MODALITY_KINDS as readonly string[]).includes(kind)) {
        problems.push(
          `${locate([...where, "kind"])}: ${typeof kind === "string" ? `'${kind}' is not a modality kind` : "missing"}; use ${MODALITY_KINDS.join(" | ")}${typeof kind === "string" ? didYouMean(kind, MODALITY_KINDS).replace(/ \(valid: .*\)$/, "") : ""}`,
        );
        return;
      }
      const schema = MODALITY_SCHEMAS[kind as keyof typeof MODALITY_SCHEMAS];
      const r = schema.safeParse(m);
      if (r.success) mods.push(r.data);
      else problems.push(...problemsOf(r.error, schema, where));
    });
    const names = mods.map((m) => m.name);
    const dup = names.filter((n, i) => names.indexOf(n) !== i);
    if (dup.length) problems.push(`modalities: duplicate names ${[...new Set(dup)].join(", ")}`);
    for (const [i, m] of mods.entries()) {
      if (m.kind === "text" && !m.encoder.folder && !(m.encoder.file && m.encoder.tokenizer)) {
        problems.push(`modalities[${i}].encoder: give 'folder' (a transformers.js-style folder) or 'file' and 'tokenizer'`);
      }
      if (m.kind === "text" && m.encoder.folder && m.encoder.file) problems.push(`modalities[${i}].encoder: give either 'folder' or 'file', not both`);
    }
  }
  const rawHeads = (raw as { heads?: unknown })?.heads;
  const heads: HeadDescription[] = [];
  if (Array.isArray(rawHeads)) {
    if (rawHeads.length === 0) problems.push("heads: empty; list heads or name a heads.json");
    rawHeads.forEach((h, i) => {
      const r = HeadDescription.safeParse(h);
      if (r.success) heads.push(r.data);
      else problems.push(...problemsOf(r.error, HeadDescription, ["heads", i]));
    });
  } else if (typeof rawHeads !== "string" || rawHeads.length === 0) {
    problems.push("heads: give the path of a heads.json written by scripts/heads/train_heads.py, or a list of heads");
  }
  if (problems.length) throw new DescriptionError(source, problems);
  return { ...top.data!, modalities: mods, heads: typeof rawHeads === "string" ? rawHeads : heads };
}
