/**
 * The loaded models of every suite: one text encoder per edge encoder file and one ONNX session per
 * head file, created on first use and shared by every request, route and suite that names the same
 * file (keyed by sha256). A failed load is forgotten so the next request retries.
 */
import type { EdgeEncoder, Head, Modality } from "../../suites/manifest";
import { contentVersion } from "../../suites/manifest";
import type { SuiteEntry } from "../models/suites";
import { createSession, type ModelSession } from "./ort";
import { TextFeatureEncoder } from "./text-encoder";
import { ModelFileMissingError, type ModelFileReader, type TextModelFiles } from "./text-model";

const encoders = new Map<string, TextFeatureEncoder>();
const heads = new Map<string, Promise<ModelSession>>();
/**
 * Head sessions are created one at a time: several first requests for different heads arriving
 * together (the demo's fusion comparison) otherwise load several graphs into the wasm heap at once.
 */
let loading: Promise<unknown> = Promise.resolve();

async function required(read: ModelFileReader, path: string): Promise<Uint8Array> {
  const bytes = await read(path);
  if (!bytes) throw new ModelFileMissingError(path);
  return bytes;
}

/** The files and spec of a text modality's edge encoder (tokenizer + ONNX). */
export async function textModelFiles(mod: Modality, enc: EdgeEncoder, read: ModelFileReader): Promise<TextModelFiles> {
  if (mod.kind !== "text" || !enc.tokenizer) throw new Error(`modality ${mod.name} has no edge text encoder`);
  return {
    spec: {
      id: enc.id,
      // Cache keys carry the version: tag it with the file's hash so retrained files never hit old entries.
      version: contentVersion(enc),
      quantization: enc.quantization,
      maxTokens: mod.limits.maxTokens,
      output: enc.outputs[0]!.name,
      pooling: enc.pooling,
      normalize: enc.normalize,
    },
    tokenizer: { tokenizerJson: JSON.parse(new TextDecoder().decode(await required(read, enc.tokenizer.file))) },
    modelBytes: await required(read, enc.file),
  };
}

export function textEncoderOf(suite: SuiteEntry, modality: string, assets: Fetcher): TextFeatureEncoder {
  const mod = suite.manifest.modalities.find((m) => m.name === modality);
  if (!mod || mod.encoder.runs !== "edge") throw new Error(`suite ${suite.manifest.id} has no edge encoder for ${modality}`);
  const enc = mod.encoder;
  const key = `${enc.sha256}:${enc.tokenizer?.sha256 ?? ""}:${mod.kind === "text" ? mod.limits.maxTokens : 0}`;
  let e = encoders.get(key);
  if (!e) {
    const read = suite.files(assets);
    e = new TextFeatureEncoder(() => textModelFiles(mod, enc, read));
    encoders.set(key, e);
  }
  return e;
}

export function headSession(suite: SuiteEntry, head: Head, assets: Fetcher): Promise<ModelSession> {
  let s = heads.get(head.sha256);
  if (!s) {
    const read = suite.files(assets);
    const load = loading.catch(() => undefined).then(async () => createSession(await required(read, head.file)));
    loading = load;
    s = load;
    s.catch(() => heads.delete(head.sha256));
    heads.set(head.sha256, s);
  }
  return s;
}
