/**
 * Packs the encoders of a suite description: edge text encoders are copied into the suite folder
 * (transformers.js-style folders or ONNX + tokenizer.json), remote image/audio encoders become
 * model-repository folders (models/repository/<model>/config.json + <version>/model.onnx, the
 * feature function's layout, config validated by its schema). Tensor specs come from the ONNX
 * graphs, so a name in the description that the graph does not have is an error, with the names
 * it does have.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ModelConfigSchema, type ModelConfigInput } from "../../functions/image-features/repository/config-schema";
import type { Encoder, Modality, TensorSpec } from "../../functions/suites/manifest-schema";
import { didYouMean, type AudioModalityDescription, type ImageModalityDescription, type ModalityDescription, type TextModalityDescription } from "./description";
import { OnnxReadError, readOnnxSignature, type OnnxSignature } from "./onnx-graph";
import { probeOutputs } from "./probe";

export class PackError extends Error {}

export function sha256Of(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function readSignature(path: string, what: string): OnnxSignature {
  if (!existsSync(path)) throw new PackError(`${what}: file not found: ${path}`);
  try {
    return readOnnxSignature(readFileSync(path));
  } catch (err) {
    if (err instanceof OnnxReadError) throw new PackError(`${what}: ${path} is not a readable ONNX model (${err.message})`);
    throw err;
  }
}

const TEXT_INPUTS = ["input_ids", "attention_mask", "token_type_ids"];
const DEFAULT_LIMITS = {
  text: { maxChars: 1000 },
  image: { maxBytes: 10 * 1024 * 1024, maxPixels: 4096 * 4096 }, // the feature function's default --max-pixels
  audio: { maxBytes: 10 * 1024 * 1024 },
};

export interface PackedModality {
  readonly manifest: Modality;
  /** Dims of each encoder output as the heads receive them (edge mean pooling applied), without the batch dim. */
  readonly featureDims: Map<string, number[]>;
  /** Where the remote model's files went (for the report). */
  readonly repositoryFolder?: string;
}

export interface PackContext {
  readonly from: string; // the user's folder
  readonly suiteDir: string; // where suite files go
  readonly repository: string; // models/repository (or a test folder): existing configs are read from here
  readonly repositoryOut: string; // staging folder the new repository entries are written to
  readonly suiteId: string;
  readonly suiteVersion: string;
  readonly force: boolean;
}

function copyInto(ctx: PackContext, src: string, rel: string): { file: string; sha256: string; bytes: number } {
  const dst = join(ctx.suiteDir, rel);
  mkdirSync(dirname(dst), { recursive: true });
  copyFileSync(src, dst);
  const bytes = readFileSync(dst);
  return { file: rel, sha256: sha256Of(bytes), bytes: bytes.length };
}

async function packText(ctx: PackContext, m: TextModalityDescription, i: number): Promise<PackedModality> {
  const where = `modalities[${i}] (${m.name})`;
  const enc = m.encoder;
  let onnxPath: string;
  let tokenizerPath: string;
  const extras: string[] = [];
  let maxTokensDefault = 128;
  if (enc.folder) {
    const folder = resolve(ctx.from, enc.folder);
    if (!existsSync(folder)) throw new PackError(`${where}.encoder.folder: not found: ${folder}`);
    const candidates = ["onnx/model_quantized.onnx", "onnx/model.onnx", "model_quantized.onnx", "model.onnx"];
    const found = candidates.find((c) => existsSync(join(folder, c)));
    if (!found) throw new PackError(`${where}.encoder.folder: ${folder} has none of ${candidates.join(", ")} (a transformers.js-style folder)`);
    onnxPath = join(folder, found);
    tokenizerPath = join(folder, "tokenizer.json");
    for (const extra of ["tokenizer_config.json", "config.json"]) if (existsSync(join(folder, extra))) extras.push(join(folder, extra));
    const readJson = (p: string): Record<string, unknown> => (existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as Record<string, unknown>) : {});
    const tc = readJson(join(folder, "tokenizer_config.json"));
    const cfg = readJson(join(folder, "config.json"));
    const cap = [tc.model_max_length, cfg.max_position_embeddings].filter((x): x is number => typeof x === "number" && x > 0 && x < 1e6);
    if (cap.length) maxTokensDefault = Math.min(...cap, 512);
  } else {
    onnxPath = resolve(ctx.from, enc.file!);
    tokenizerPath = resolve(ctx.from, enc.tokenizer!);
  }
  if (!existsSync(tokenizerPath)) throw new PackError(`${where}.encoder: tokenizer not found: ${tokenizerPath}`);
  try {
    JSON.parse(readFileSync(tokenizerPath, "utf8"));
  } catch {
    throw new PackError(`${where}.encoder: ${tokenizerPath} is not JSON (a Hugging Face tokenizer.json)`);
  }
  const sig = readSignature(onnxPath, `${where}.encoder`);
  for (const input of sig.inputs) {
    if (!TEXT_INPUTS.includes(input.name)) {
      throw new PackError(`${where}.encoder: graph input '${input.name}' is not one the edge can feed (${TEXT_INPUTS.join(", ")})`);
    }
  }
  if (!sig.inputs.some((x) => x.name === "input_ids")) throw new PackError(`${where}.encoder: the graph has no input_ids input`);
  const outNames = sig.outputs.map((o) => o.name);
  const outName = enc.output ?? (outNames.length === 1 ? outNames[0]! : outNames.includes("last_hidden_state") ? "last_hidden_state" : undefined);
  if (!outName) throw new PackError(`${where}.encoder.output: the graph has outputs ${outNames.join(", ")}; say which one holds the features`);
  if (!outNames.includes(outName)) throw new PackError(`${where}.encoder.output: no graph output '${outName}'${didYouMean(outName, outNames)}`);
  const probed = (await probeOutputs(onnxPath, sig.inputs)).get(outName)!;
  const pooling = enc.pooling ?? (probed.length === 3 ? "mean" : "none");
  if (pooling === "mean" && probed.length !== 3) throw new PackError(`${where}.encoder.pooling: 'mean' needs a [batch, tokens, dim] output; '${outName}' is ${JSON.stringify(probed)}`);
  if (pooling === "none" && probed.length !== 2) throw new PackError(`${where}.encoder.pooling: output '${outName}' is ${JSON.stringify(probed)}; use pooling: mean for [batch, tokens, dim] outputs`);
  const dim = probed[probed.length - 1]!;
  const outputShape = pooling === "mean" ? [-1, -1, dim] : [-1, dim];
  const dir = m.name;
  const model = copyInto(ctx, onnxPath, `${dir}/${basename(onnxPath)}`);
  const tokenizer = copyInto(ctx, tokenizerPath, `${dir}/tokenizer.json`);
  for (const extra of extras) copyInto(ctx, extra, `${dir}/${basename(extra)}`);
  const quantized = /quantized|int8|q8/i.test(basename(onnxPath));
  const encoder: Encoder = {
    runs: "edge",
    id: enc.id ?? `${ctx.suiteId}-${m.name}`,
    version: enc.version ?? ctx.suiteVersion,
    ...model,
    quantization: quantized ? "int8" : "none",
    tokenizer,
    inputs: sig.inputs.map((x) => ({ name: x.name, datatype: "INT64", shape: [-1, -1] })),
    outputs: [{ name: outName, datatype: "FP32", shape: outputShape }],
    pooling,
    normalize: enc.normalize ?? Boolean(enc.folder),
  };
  const limits = { maxChars: m.limits?.maxChars ?? DEFAULT_LIMITS.text.maxChars, maxTokens: m.limits?.maxTokens ?? maxTokensDefault };
  const manifest: Modality = { name: m.name, kind: "text", required: m.required, ...(m.title ? { title: m.title } : {}), limits, encoder };
  return { manifest, featureDims: new Map([[outName, [dim]]]) };
}

function repositoryConfig(
  ctx: PackContext,
  m: ImageModalityDescription | AudioModalityDescription,
  where: string,
  sig: OnnxSignature,
  outputs: TensorSpec[],
  model: string,
  version: number,
  sha: string,
): ModelConfigInput {
  if (sig.inputs.length !== 1) throw new PackError(`${where}.encoder: a remote encoder takes one input tensor; the graph has ${sig.inputs.map((x) => x.name).join(", ")}`);
  const input = sig.inputs[0]!;
  if (input.datatype !== "FP32") throw new PackError(`${where}.encoder: input '${input.name}' is ${input.datatype}; the feature function feeds FP32`);
  const shape = input.shape.map((d, k) => (k === 0 ? -1 : d));
  let preprocess: ModelConfigInput["preprocess"];
  if (m.kind === "image") {
    const p = m.encoder.preprocess ?? {};
    if (shape.length !== 4 || shape.slice(1).some((d) => d < 1)) throw new PackError(`${where}.encoder: image input '${input.name}' must be [batch, 3|1, H, W] or [batch, H, W, 3|1] with fixed sizes; it is ${JSON.stringify(input.shape)}`);
    const nchw = shape[1] === 3 || shape[1] === 1;
    const channels = nchw ? shape[1]! : shape[3]!;
    if (channels !== 3 && channels !== 1) throw new PackError(`${where}.encoder: cannot tell the channel axis of ${JSON.stringify(input.shape)}`);
    const [h, w] = nchw ? [shape[2]!, shape[3]!] : [shape[1]!, shape[2]!];
    preprocess = {
      kind: "image", size: [w, h], fit: p.fit ?? "letterbox", background: p.background ?? "border-median", alpha: p.alpha ?? [255, 255, 255],
      kernel: "lanczos3", channels: channels === 3 ? "RGB" : "L", layout: nchw ? "NCHW" : "NHWC", scale: "x/255", mean: p.mean ?? null, std: p.std ?? null,
    };
  } else {
    const p = m.encoder.preprocess;
    if (shape.length !== 2 || shape[1]! < 1) throw new PackError(`${where}.encoder: audio input '${input.name}' must be [batch, samples] with a fixed sample count; it is ${JSON.stringify(input.shape)}`);
    preprocess = {
      kind: "audio", sampleRate: p.sampleRate, channels: "mono-mixdown", minSeconds: p.minSeconds ?? 0,
      maxSeconds: p.maxSeconds ?? Math.max(30, shape[1]! / p.sampleRate), length: "pad-or-trim", samples: shape[1]!,
    };
  }
  const existing = join(ctx.repository, model, "config.json");
  let versions: Record<string, { humanVersion: string; sha256: string }> = {};
  if (existsSync(existing)) {
    const prev = JSON.parse(readFileSync(existing, "utf8")) as { versions?: typeof versions; version?: number; humanVersion?: string; sha256?: string; kind?: string };
    versions = { ...(prev.versions ?? {}) };
    if (prev.version !== undefined && prev.sha256 && prev.humanVersion) versions[String(prev.version)] = { humanVersion: prev.humanVersion, sha256: prev.sha256 };
    const same = versions[String(version)];
    if (same && same.sha256 !== sha && !ctx.force) {
      throw new PackError(`${where}.encoder: ${join(ctx.repository, model, String(version))} already holds a different model (sha256 ${same.sha256.slice(0, 12)}…); raise modelVersion or pass --force`);
    }
    if (prev.kind && prev.kind !== m.kind) throw new PackError(`${where}.encoder: repository model ${model} is a ${prev.kind} model, this modality is ${m.kind}; pick another model name`);
  }
  versions[String(version)] = { humanVersion: m.encoder.version ?? ctx.suiteVersion, sha256: sha };
  const config: ModelConfigInput = {
    name: model, kind: m.kind, description: m.encoder.description ?? `${m.kind} encoder of suite ${ctx.suiteId} (modality ${m.name})`,
    versions, maxBatchSize: m.encoder.maxBatchSize ?? 32,
    input: { name: input.name, datatype: "FP32", shape },
    outputs: outputs.map((o) => ({ name: o.name, datatype: "FP32", shape: o.shape })),
    preprocess,
  };
  const parsed = ModelConfigSchema.safeParse(config);
  if (!parsed.success) throw new PackError(`${where}.encoder: repository config for ${model} is invalid: ${parsed.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
  return config;
}

async function packRemote(ctx: PackContext, m: ImageModalityDescription | AudioModalityDescription, i: number): Promise<PackedModality> {
  const where = `modalities[${i}] (${m.name})`;
  const enc = m.encoder;
  const src = resolve(ctx.from, enc.file);
  const sig = readSignature(src, `${where}.encoder.file`);
  const graphOutputs = sig.outputs.map((o) => o.name);
  const wanted = enc.outputs ?? graphOutputs;
  for (const name of wanted) if (!graphOutputs.includes(name)) throw new PackError(`${where}.encoder.outputs: the graph has no output '${name}'${didYouMean(name, graphOutputs)}`);
  const probed = await probeOutputs(src, sig.inputs);
  const outputs: TensorSpec[] = wanted.map((name) => {
    const dims = probed.get(name)!;
    const typed = sig.outputs.find((o) => o.name === name)!;
    if (typed.datatype !== "FP32") throw new PackError(`${where}.encoder: output '${name}' is ${typed.datatype}; features must be FP32`);
    if (dims.length < 2 || dims.length > 3) throw new PackError(`${where}.encoder: output '${name}' has shape ${JSON.stringify(dims)}; features are [batch, D] or [batch, T, D]`);
    return { name, datatype: "FP32", shape: dims };
  });
  const bytes = readFileSync(src);
  const sha = sha256Of(bytes);
  const model = enc.model ?? `${ctx.suiteId}-${m.name}`.replace(/[^a-z0-9._-]/g, "-");
  const version = enc.modelVersion ?? 1;
  const config = repositoryConfig(ctx, m, where, sig, outputs, model, version, sha);
  const folder = join(ctx.repositoryOut, model);
  mkdirSync(join(folder, String(version)), { recursive: true });
  copyFileSync(src, join(folder, String(version), "model.onnx"));
  writeFileSync(join(folder, "config.json"), JSON.stringify(config, null, 2) + "\n");
  const encoder: Encoder = {
    runs: "remote", model, modelVersion: version, id: enc.id ?? model, version: enc.version ?? ctx.suiteVersion, sha256: sha, bytes: bytes.length,
    inputs: [config.input], outputs,
  };
  const limits =
    m.kind === "image"
      ? { maxBytes: m.limits?.maxBytes ?? DEFAULT_LIMITS.image.maxBytes, maxPixels: m.limits?.maxPixels ?? DEFAULT_LIMITS.image.maxPixels }
      : {
          maxBytes: m.limits?.maxBytes ?? DEFAULT_LIMITS.audio.maxBytes,
          maxSeconds: m.limits?.maxSeconds ?? (config.preprocess.kind === "audio" ? (config.preprocess.maxSeconds ?? 30) : 30),
          ...(m.encoder.preprocess.minSeconds !== undefined ? { minSeconds: m.encoder.preprocess.minSeconds } : {}),
        };
  const manifest = { name: m.name, kind: m.kind, required: m.required, ...(m.title ? { title: m.title } : {}), limits, encoder } as Modality;
  return { manifest, featureDims: new Map(outputs.map((o) => [o.name, o.shape.slice(1)])), repositoryFolder: join(ctx.repository, model) };
}

export async function packEncoder(ctx: PackContext, m: ModalityDescription, i: number): Promise<PackedModality> {
  return m.kind === "text" ? packText(ctx, m, i) : packRemote(ctx, m, i);
}
