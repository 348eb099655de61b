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

/** Pause before each background head load, so the answer that triggered the warm-up goes out first. */
const WARMUP_PAUSE_MS = 100;
/** Suites whose heads this isolate has started to warm (warmSuiteHeads runs once per suite version). */
const warming = new Set<string>();

export interface WarmupReport {
  /** false when this suite version was already being warmed in this isolate (nothing done). */
  readonly started: boolean;
  /** Head ids loaded (and probed) by this call, already loaded before it, and failed to load. */
  readonly loaded: readonly string[];
  readonly alreadyLoaded: readonly string[];
  readonly failed: readonly string[];
}

/**
 * Loads, one after another, every head of a suite that is not loaded yet, and runs each once on
 * synthetic inputs (so V8 compiles its kernels now, not in a request). Meant for `waitUntil` after a
 * suite's first answer: a user who then tries another fusion finds its session ready. One at a time,
 * so a request that needs a head waits behind at most one background load. Never throws: a head that
 * fails here is forgotten, then loaded (and its error reported) by the request that needs it.
 */
export async function warmSuiteHeads(suite: SuiteEntry, assets: Fetcher): Promise<WarmupReport> {
  const key = `${suite.manifest.id}@${suite.manifest.version}`;
  const loaded: string[] = [];
  const alreadyLoaded: string[] = [];
  const failed: string[] = [];
  if (warming.has(key)) return { started: false, loaded, alreadyLoaded, failed };
  warming.add(key);
  for (const head of suite.manifest.heads) {
    // Yield first: the answer that triggered this is still being delivered (under `wrangler dev` its
    // proxy shares this thread, and a head load is 10-300 ms of CPU that would hold the response).
    await new Promise((resolve) => setTimeout(resolve, WARMUP_PAUSE_MS));
    if (heads.has(head.sha256)) {
      alreadyLoaded.push(head.id);
      continue;
    }
    let session: ModelSession;
    try {
      session = await headSession(suite, head, assets);
    } catch {
      failed.push(head.id);
      continue;
    }
    // Synthetic inputs of guessed shapes may not suit every head: then only the warm-up run is skipped.
    await session.probe().catch(() => undefined);
    loaded.push(head.id);
  }
  return { started: true, loaded, alreadyLoaded, failed };
}

/** Whether this isolate holds a session (loaded or loading) for the head's file. */
export function isHeadLoaded(head: Head): boolean {
  return heads.has(head.sha256);
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
