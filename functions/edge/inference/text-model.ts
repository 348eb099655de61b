/**
 * Describes a text encoder and reads its files from a folder-like source: either the project's own
 * suite (models/manifest.json) or a transformers.js-style folder (tokenizer.json,
 * onnx/model_quantized.onnx, mean pooling, L2 normalisation).
 */
import { contentVersion } from "../models/content-version";
import type { TokenizerFiles } from "./tokenizer";

export type ModelFileReader = (path: string) => Promise<Uint8Array | null>;

export interface TextModelSpec {
  readonly id: string;
  readonly version: string;
  readonly quantization: string;
  readonly maxTokens: number;
  /** Output to read; for pooling "mean" it is [batch, seq, hidden], else [batch, dim]. */
  readonly output: string;
  readonly pooling: "none" | "mean";
  readonly normalize: boolean;
}

export interface TextModelFiles {
  readonly spec: TextModelSpec;
  readonly tokenizer: TokenizerFiles;
  readonly modelBytes: Uint8Array;
}

/** The `text` and `tokenizer` sections of models/manifest.json that the edge relies on. */
export interface ManifestTextSection {
  readonly tokenizer: { readonly file: string; readonly maxTokens: number };
  readonly text: {
    readonly id: string;
    readonly version: string;
    readonly file: string;
    /** When given, it tags the version (see models/content-version.ts). */
    readonly sha256?: string;
    readonly quantization: string;
    readonly dim: number;
    readonly pooling?: "none" | "mean";
    readonly normalize?: boolean;
    readonly outputs: readonly { readonly name: string }[];
  };
}

export class ModelFileMissingError extends Error {
  constructor(readonly path: string) {
    super(`model file not found: ${path}`);
  }
}

async function required(read: ModelFileReader, path: string): Promise<Uint8Array> {
  const bytes = await read(path);
  if (!bytes) throw new ModelFileMissingError(path);
  return bytes;
}

async function optionalJson(read: ModelFileReader, path: string): Promise<unknown> {
  const bytes = await read(path);
  return bytes ? JSON.parse(new TextDecoder().decode(bytes)) : undefined;
}

export async function textModelFromManifest(manifest: ManifestTextSection, read: ModelFileReader): Promise<TextModelFiles> {
  const { text, tokenizer } = manifest;
  const output = text.outputs[0]?.name;
  if (!output) throw new Error("manifest text model lists no outputs");
  return {
    spec: {
      id: text.id,
      // Cache keys carry the version: tag it with the file's hash so retrained files never hit old entries.
      version: text.sha256 ? contentVersion({ version: text.version, sha256: text.sha256 }) : text.version,
      quantization: text.quantization,
      maxTokens: tokenizer.maxTokens,
      output,
      pooling: text.pooling ?? "none",
      normalize: text.normalize ?? false,
    },
    tokenizer: { tokenizerJson: JSON.parse(new TextDecoder().decode(await required(read, tokenizer.file))) },
    modelBytes: await required(read, text.file),
  };
}

/**
 * A transformers.js-style folder, e.g. Xenova/all-MiniLM-L6-v2: the sentence embedding is the
 * masked mean of `last_hidden_state`, L2-normalised, as sentence-transformers does.
 */
export async function textModelFromTransformersJsFolder(
  read: ModelFileReader,
  identity: { id: string; version: string; modelFile?: string },
): Promise<TextModelFiles> {
  const tokenizerConfig = (await optionalJson(read, "tokenizer_config.json")) as { model_max_length?: number } | undefined;
  const config = (await optionalJson(read, "config.json")) as { max_position_embeddings?: number } | undefined;
  const modelFile = identity.modelFile ?? "onnx/model_quantized.onnx";
  const limits = [tokenizerConfig?.model_max_length, config?.max_position_embeddings].filter(
    (n): n is number => typeof n === "number" && n > 0 && n < 1e6,
  );
  return {
    spec: {
      id: identity.id,
      version: identity.version,
      quantization: modelFile.includes("quantized") ? "int8" : "fp32",
      maxTokens: limits.length ? Math.min(...limits) : 512,
      output: "last_hidden_state",
      pooling: "mean",
      normalize: true,
    },
    tokenizer: {
      tokenizerJson: JSON.parse(new TextDecoder().decode(await required(read, "tokenizer.json"))),
      tokenizerConfig,
    },
    modelBytes: await required(read, modelFile),
  };
}
