/**
 * The model-repository config: `models/repository/<name>/config.json` next to integer version
 * folders `<v>/model.onnx`, like a Triton model repository (one folder a model). This schema is
 * the contract (docs/image-features.md); the Triton repository is generated from it.
 *
 * Two ways to name versions, both accepted:
 * - flat (one version): `version`, `humanVersion`, `sha256` (and optionally `file`, which must be
 *   `<version>/model.onnx`);
 * - `versions`: `{ "1": { humanVersion, sha256 }, "2": {...} }`, optionally pinned with `version`.
 * The server serves the pinned version, else the highest listed one. Every served file is
 * checked against its sha256 before it is loaded.
 */
import { z } from "zod";

const positiveInt = z.number().int().positive();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits");
/** Model names end up in URLs, metric labels and Triton folder names. */
export const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const modelName = z.string().regex(MODEL_NAME, "must be 1-64 of a-z 0-9 . _ - starting with a letter or digit");

/** Batch dimension first (-1 = dynamic), then fixed per-item dims. */
const batchedShape = z
  .array(z.number().int().min(-1))
  .min(2)
  .refine((s) => s[0] === -1 && s.slice(1).every((d) => d >= 1), "must be [-1, d1, d2, ...] with fixed dims after the batch dim");

export const TensorSchema = z.strictObject({ name: z.string().min(1), datatype: z.literal("FP32"), shape: batchedShape });

const rgb = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]);

export const ImagePreprocessSchema = z.strictObject({
  kind: z.literal("image"),
  /** [width, height] of the model input. */
  size: z.tuple([positiveInt, positiveInt]),
  /** letterbox: pad to the target aspect, centred, never stretch ("contain" is an alias). */
  fit: z.enum(["letterbox", "contain"]).default("letterbox"),
  /** Padding colour: the per-channel median of the border pixels, or a fixed colour. */
  background: z.union([z.literal("border-median"), rgb]).default("border-median"),
  /** Transparent pixels are flattened onto this colour first. */
  alpha: rgb.default([255, 255, 255]),
  kernel: z.literal("lanczos3").default("lanczos3"),
  channels: z.enum(["RGB", "L"]).default("RGB"),
  layout: z.enum(["NCHW", "NHWC"]).default("NCHW"),
  scale: z.literal("x/255").default("x/255"),
  /** Optional per-channel normalisation after x/255: (x - mean) / std. */
  mean: z.array(z.number()).nullable().default(null),
  std: z.array(z.number().positive()).nullable().default(null),
});

export const AudioPreprocessSchema = z.strictObject({
  kind: z.literal("audio"),
  /** The model's sample rate; other rates are resampled (Hann-windowed sinc). */
  sampleRate: z.number().int().min(1000).max(384000),
  channels: z.literal("mono-mixdown").default("mono-mixdown"),
  minSeconds: z.number().min(0).default(0),
  maxSeconds: z.number().positive().default(30),
  /** pad-or-trim: zeros appended, or the first `samples` kept. */
  length: z.literal("pad-or-trim").default("pad-or-trim"),
  samples: positiveInt,
});

export const PreprocessSchema = z.discriminatedUnion("kind", [ImagePreprocessSchema, AudioPreprocessSchema]);

const VersionEntrySchema = z.strictObject({ humanVersion: z.string().min(1), sha256 });

export const ModelConfigSchema = z
  .strictObject({
    name: modelName,
    kind: z.enum(["image", "audio"]),
    description: z.string().optional(),
    version: positiveInt.optional(),
    humanVersion: z.string().min(1).optional(),
    file: z.string().optional(),
    sha256: sha256.optional(),
    versions: z.record(z.string().regex(/^[1-9][0-9]*$/, "version keys are positive integers"), VersionEntrySchema).optional(),
    maxBatchSize: positiveInt.max(1024),
    /** Extra names the model answers to in /v2/models/{name} (for clients not yet switched). */
    aliases: z.array(modelName).default([]),
    input: TensorSchema,
    outputs: z.array(TensorSchema).min(1),
    preprocess: PreprocessSchema,
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (c.preprocess.kind !== c.kind) issue(["preprocess", "kind"], `must equal kind "${c.kind}"`);
    const flat = c.sha256 !== undefined || c.humanVersion !== undefined || c.file !== undefined;
    if (flat && (c.version === undefined || c.sha256 === undefined || c.humanVersion === undefined)) {
      issue(["version"], "the flat form needs version, humanVersion and sha256 together");
    }
    if (!flat && !c.versions) issue(["versions"], "give either versions {...} or version + humanVersion + sha256");
    if (c.file !== undefined && c.version !== undefined && c.file !== `${c.version}/model.onnx`) {
      issue(["file"], `must be "${c.version}/model.onnx" (integer version folders)`);
    }
    if (!flat && c.version !== undefined && c.versions && !(String(c.version) in c.versions)) {
      issue(["version"], `pinned version ${c.version} is not in versions`);
    }
    if (new Set(c.outputs.map((o) => o.name)).size !== c.outputs.length) issue(["outputs"], "output names must be unique");
    if (c.aliases.includes(c.name)) issue(["aliases"], "an alias may not repeat the name");
    const shape = c.input.shape;
    const p = c.preprocess;
    if (p.kind === "image") {
      const ch = p.channels === "RGB" ? 3 : 1;
      const [w, h] = p.size;
      const want = p.layout === "NCHW" ? [-1, ch, h, w] : [-1, h, w, ch];
      if (shape.length !== 4 || shape.some((d, i) => d !== want[i])) {
        issue(["input", "shape"], `must be ${JSON.stringify(want)} for ${p.channels} ${p.layout} images of size [${w}, ${h}]`);
      }
      for (const key of ["mean", "std"] as const) {
        const v = p[key];
        if (v && v.length !== ch) issue(["preprocess", key], `needs ${ch} values`);
      }
    } else {
      if (shape.length !== 2 || shape[1] !== p.samples) issue(["input", "shape"], `must be [-1, ${p.samples}] (preprocess.samples)`);
      if (p.minSeconds > p.maxSeconds) issue(["preprocess", "minSeconds"], "must not exceed maxSeconds");
    }
  });

export type ModelConfigInput = z.input<typeof ModelConfigSchema>;
export type ModelConfig = z.output<typeof ModelConfigSchema>;
export type ImagePreprocess = z.output<typeof ImagePreprocessSchema>;
export type AudioPreprocess = z.output<typeof AudioPreprocessSchema>;
export type Preprocess = z.output<typeof PreprocessSchema>;
export type Tensor = z.output<typeof TensorSchema>;

/** One version of a model, resolved: which integer version, its human version and checksum. */
export interface ModelVersion {
  version: number;
  humanVersion: string;
  sha256: string;
}

/** All versions a config names, ascending. */
export function listVersions(c: ModelConfig): ModelVersion[] {
  const byVersion = new Map<number, ModelVersion>();
  for (const [v, e] of Object.entries(c.versions ?? {})) byVersion.set(Number(v), { version: Number(v), ...e });
  if (c.version !== undefined && c.sha256 && c.humanVersion) byVersion.set(c.version, { version: c.version, humanVersion: c.humanVersion, sha256: c.sha256 });
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/** The version the server serves: the pinned one, else the highest. */
export function servedVersion(c: ModelConfig): ModelVersion {
  const all = listVersions(c);
  const pinned = c.version !== undefined ? all.find((v) => v.version === c.version) : undefined;
  const chosen = pinned ?? all[all.length - 1];
  if (!chosen) throw new Error(`model ${c.name} names no version`);
  return chosen;
}
