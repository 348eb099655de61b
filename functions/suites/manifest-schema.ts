/**
 * The suite manifest, schema version 2 (docs/suites.md): one folder per suite under models/<id>/,
 * describing the task, the modalities with their encoders and limits, and the fusion heads.
 *
 * Pure zod, no node: imports: the edge Worker, Node scripts, the feature function and the packager
 * all validate with this one schema. Cross-field rules (names that must refer to each other) are in
 * the superRefine at the bottom, so a manifest that parses is one the edge can serve.
 */
import { z } from "zod";

export const SUITE_SCHEMA_VERSION = 2;

/** Identifiers that end up in URLs, file names and cache keys: lower-case, no spaces or slashes. */
const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const id = (what: string) => z.string().regex(ID, `${what} must match ${ID} (lower-case letters, digits, '.', '_', '-')`);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "sha256 must be 64 lower-case hex digits");
/** A path inside the suite folder: relative, '/'-separated, never leaving the folder. */
const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.includes("\\") && p.split("/").every((s) => s !== "" && s !== "." && s !== ".."), "file must be a relative path inside the suite folder");

export const DATATYPES = ["FP32", "FP16", "INT64", "INT32", "INT8", "UINT8", "BOOL", "BYTES"] as const;

export const TensorSpecSchema = z.strictObject({
  name: z.string().min(1),
  datatype: z.enum(DATATYPES),
  /** -1 marks a dynamic dimension (the batch dimension always is). */
  shape: z.array(z.number().int().min(-1)).min(1),
});

export const FileEntrySchema = z.strictObject({
  file: relativePath,
  sha256,
  bytes: z.number().int().min(0),
});

export const MODALITY_KINDS = ["text", "image", "audio"] as const;
export type ModalityKind = (typeof MODALITY_KINDS)[number];

const positiveInt = z.number().int().positive();
/** Per-kind request limits; the edge enforces them before any model runs. */
export const TextLimitsSchema = z.strictObject({ maxChars: positiveInt, maxTokens: positiveInt });
export const ImageLimitsSchema = z.strictObject({ maxBytes: positiveInt, maxPixels: positiveInt.optional() });
export const AudioLimitsSchema = z.strictObject({ maxBytes: positiveInt, maxSeconds: z.number().positive(), minSeconds: z.number().min(0).optional() });

/** An encoder that runs in the Worker (onnxruntime-web). Text encoders carry their tokenizer. */
export const EdgeEncoderSchema = z.strictObject({
  runs: z.literal("edge"),
  id: id("encoder id"),
  version: z.string().min(1),
  file: relativePath,
  sha256,
  bytes: z.number().int().min(0),
  quantization: z.string().min(1).default("none"),
  tokenizer: FileEntrySchema.optional(),
  inputs: z.array(TensorSpecSchema).min(1),
  outputs: z.array(TensorSpecSchema).min(1),
  /** "mean": masked mean over tokens of a [N, T, D] output; "none": the output is already [N, D]. */
  pooling: z.enum(["none", "mean"]).default("none"),
  normalize: z.boolean().default(false),
  /** The unquantized original, kept for evaluation; never served. */
  fp32: FileEntrySchema.optional(),
});

/** An encoder served by the feature function (or Triton/KServe) as a named model of the repository. */
export const RemoteEncoderSchema = z.strictObject({
  runs: z.literal("remote"),
  /** Model name on the feature function: POST /v2/models/<model>/infer. */
  model: id("remote model name"),
  /** Integer version folder in models/repository/<model>/. */
  modelVersion: z.number().int().positive().optional(),
  id: id("encoder id"),
  version: z.string().min(1),
  /** sha256 of models/repository/<model>/<modelVersion>/<file>: tags the cache keys. */
  sha256,
  bytes: z.number().int().min(0).optional(),
  /** Informational: the model's own input after the feature function's preprocessing. */
  inputs: z.array(TensorSpecSchema).optional(),
  outputs: z.array(TensorSpecSchema).min(1),
});

export const EncoderSchema = z.discriminatedUnion("runs", [EdgeEncoderSchema, RemoteEncoderSchema]);

const modalityBase = {
  /** The key of this modality in requests (`inputs.<name>`, a multipart part name). */
  name: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, "modality name must match /^[a-z][a-z0-9_]{0,31}$/"),
  required: z.boolean(),
  title: z.string().optional(),
  encoder: EncoderSchema,
};

export const ModalitySchema = z.discriminatedUnion("kind", [
  z.strictObject({ ...modalityBase, kind: z.literal("text"), limits: TextLimitsSchema }),
  z.strictObject({ ...modalityBase, kind: z.literal("image"), limits: ImageLimitsSchema }),
  z.strictObject({ ...modalityBase, kind: z.literal("audio"), limits: AudioLimitsSchema }),
]);

/** Fusion methods the project's trainers produce; a suite may name others (lower-case ids). */
export const KNOWN_FUSIONS = ["concat", "sum", "product", "bilinear", "tensor", "lmf", "attention", "gated", "text-only"] as const;

export const HeadInputSchema = z.strictObject({
  /** The head graph's input name. */
  name: z.string().min(1),
  /** Which modality's features feed it … */
  modality: z.string().min(1),
  /** … and which output of that modality's encoder. */
  output: z.string().min(1),
});

export const HeadSchema = z.strictObject({
  id: id("head id"),
  version: z.string().min(1),
  fusion: id("fusion"),
  file: relativePath,
  sha256,
  bytes: z.number().int().min(0),
  /** The set of modalities this head consumes. */
  modalities: z.array(z.string().min(1)).min(1),
  inputs: z.array(HeadInputSchema).min(1),
  outputs: z.strictObject({
    /** [N, labels] logits (softmax gives the scores). */
    logits: z.string().min(1),
    /** Optional [N] or [N, 1] regression output (task.regression). */
    score: z.string().min(1).nullable().default(null),
    /** Optional [N, cells] attention weights over a grid (explanations). */
    attention: z.string().min(1).nullable().default(null),
  }),
  /** Shape of the attention grid when outputs.attention is set (rows × cols = cells). */
  attentionGrid: z.strictObject({ rows: positiveInt, cols: positiveInt, modality: z.string().min(1) }).optional(),
  /**
   * "zeros": trained with modality dropout, so a missing optional modality of `modalities` may be
   * fed as zeros (plus maskInput). null: every modality of `modalities` must be present.
   */
  absent: z.enum(["zeros"]).nullable().default(null),
  /** Optional name of an [N, M] FP32 presence-mask input, M = modalities.length in that order. */
  maskInput: z.string().min(1).nullable().default(null),
  /** Calibration temperature already baked into the logits; informational. */
  temperature: z.number().positive().default(1),
});

export const TaskSchema = z.strictObject({
  kind: z.literal("classification"),
  labels: z.array(z.string().min(1)).min(1),
  regression: z
    .strictObject({ name: z.string().min(1), min: z.number(), max: z.number(), output: z.string().min(1) })
    .nullable()
    .default(null),
});

export const SuiteManifestSchema = z
  .strictObject({
    schemaVersion: z.literal(SUITE_SCHEMA_VERSION),
    id: id("suite id"),
    version: z.string().min(1),
    title: z.string().min(1),
    description: z.string().default(""),
    /** Seed the suite was generated/trained from, when it is reproducible. */
    seed: z.number().int().nullable().default(null),
    task: TaskSchema,
    modalities: z.array(ModalitySchema).min(1),
    heads: z.array(HeadSchema).min(1),
    defaultFusion: id("defaultFusion"),
    /** VQA only: which question grammar decides `answerable` (functions/tasks/<grammar>/answerability.ts). */
    answerability: z.strictObject({ grammar: id("grammar") }).optional(),
  })
  .superRefine((m, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const modalities = new Map(m.modalities.map((x) => [x.name, x]));
    if (modalities.size !== m.modalities.length) issue(["modalities"], "modality names must be unique");
    const labels = new Set(m.task.labels);
    if (labels.size !== m.task.labels.length) issue(["task", "labels"], "labels must be unique");

    m.modalities.forEach((mod, i) => {
      const enc = mod.encoder;
      if (mod.kind === "text" && enc.runs === "edge" && !enc.tokenizer) issue(["modalities", i, "encoder", "tokenizer"], `text modality ${mod.name} runs at the edge and needs a tokenizer`);
      if (mod.kind !== "text" && enc.runs === "edge") issue(["modalities", i, "encoder", "runs"], `only text encoders run at the edge; ${mod.kind} modality ${mod.name} must be "remote"`);
      if (new Set(enc.outputs.map((o) => o.name)).size !== enc.outputs.length) issue(["modalities", i, "encoder", "outputs"], "output names must be unique");
      enc.outputs.forEach((o, j) => {
        if (o.datatype !== "FP32") issue(["modalities", i, "encoder", "outputs", j, "datatype"], "encoder outputs must be FP32 features");
        if (o.shape.slice(1).some((d) => d < 1) && !(enc.runs === "edge" && enc.pooling === "mean")) {
          issue(["modalities", i, "encoder", "outputs", j, "shape"], `output ${o.name} must have fixed feature dims after the batch dimension`);
        }
      });
    });

    const headIds = new Set<string>();
    m.heads.forEach((h, i) => {
      if (headIds.has(h.id)) issue(["heads", i, "id"], `duplicate head id ${h.id}`);
      headIds.add(h.id);
      if (new Set(h.modalities).size !== h.modalities.length) issue(["heads", i, "modalities"], "modalities must be unique");
      for (const name of h.modalities) if (!modalities.has(name)) issue(["heads", i, "modalities"], `unknown modality ${name}`);
      h.inputs.forEach((input, j) => {
        const mod = modalities.get(input.modality);
        if (!h.modalities.includes(input.modality)) issue(["heads", i, "inputs", j, "modality"], `input ${input.name} reads ${input.modality}, which is not in the head's modalities`);
        else if (mod && !mod.encoder.outputs.some((o) => o.name === input.output)) issue(["heads", i, "inputs", j, "output"], `${input.modality}'s encoder has no output ${input.output}`);
      });
      for (const name of h.modalities) if (!h.inputs.some((x) => x.modality === name)) issue(["heads", i, "inputs"], `no input reads modality ${name}`);
      if (h.maskInput && h.inputs.some((x) => x.name === h.maskInput)) issue(["heads", i, "maskInput"], "maskInput must not also be a feature input");
      if (h.outputs.attention && !h.attentionGrid) issue(["heads", i, "attentionGrid"], "a head with an attention output needs attentionGrid { rows, cols, modality }");
      if (h.attentionGrid && !h.modalities.includes(h.attentionGrid.modality)) issue(["heads", i, "attentionGrid", "modality"], "attentionGrid.modality must be one of the head's modalities");
      if (h.outputs.score && !m.task.regression) issue(["heads", i, "outputs", "score"], "a score output needs task.regression");
    });
    if (!m.heads.some((h) => h.fusion === m.defaultFusion)) issue(["defaultFusion"], `no head has fusion ${m.defaultFusion}`);
  });

export type SuiteManifest = z.output<typeof SuiteManifestSchema>;
export type SuiteManifestInput = z.input<typeof SuiteManifestSchema>;
export type Modality = SuiteManifest["modalities"][number];
export type Encoder = Modality["encoder"];
export type EdgeEncoder = z.output<typeof EdgeEncoderSchema>;
export type RemoteEncoder = z.output<typeof RemoteEncoderSchema>;
export type Head = z.output<typeof HeadSchema>;
export type TensorSpec = z.output<typeof TensorSpecSchema>;
export type FileEntry = z.output<typeof FileEntrySchema>;
