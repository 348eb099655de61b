/**
 * Shared test helpers: start the real server on a loopback port against the fixture encoder, build
 * images from known pixels, speak the binary tensor extension, and run the ONNX file directly.
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import { type Config, DEFAULTS } from "../../functions/image-features/config.js";
import { type RunningServer, startServer } from "../../functions/image-features/server.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const FIXTURE_MODEL = resolve(ROOT, "test/fixtures/image-encoder/image-encoder.onnx");
export const FIXTURE_AUDIO_MODEL = resolve(ROOT, "test/image-features/fixtures/audio-encoder.onnx");

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Config of the fixture image model: the contract's tensors, letterbox preprocessing. */
export function fixtureImageConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "fixture-image",
    kind: "image",
    versions: { "1": { humanVersion: "0.0.1", sha256: sha(FIXTURE_MODEL) } },
    maxBatchSize: 32,
    aliases: ["image-encoder"],
    input: { name: "image", datatype: "FP32", shape: [-1, 3, 75, 75] },
    outputs: [
      { name: "pooled", datatype: "FP32", shape: [-1, 64] },
      { name: "grid", datatype: "FP32", shape: [-1, 225, 66] },
    ],
    preprocess: { kind: "image", size: [75, 75], fit: "letterbox", background: "border-median" },
    ...overrides,
  };
}

/** Config of the fixture audio model (scripts/fixtures/make-audio-encoder.py): 0.5 s at 16 kHz. */
export function fixtureAudioConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "fixture-audio",
    kind: "audio",
    versions: { "1": { humanVersion: "0.0.1", sha256: sha(FIXTURE_AUDIO_MODEL) } },
    maxBatchSize: 16,
    input: { name: "audio", datatype: "FP32", shape: [-1, 8000] },
    outputs: [
      { name: "waveform", datatype: "FP32", shape: [-1, 8000] },
      { name: "energy", datatype: "FP32", shape: [-1, 1] },
    ],
    preprocess: { kind: "audio", sampleRate: 16000, minSeconds: 0.05, maxSeconds: 2, samples: 8000 },
    ...overrides,
  };
}

/** Write a model repository in a temp folder: each entry is a config and the ONNX file per version. */
export function makeRepository(models: { config: Record<string, unknown>; files: Record<string, string> }[]): string {
  const root = mkdtempSync(join(tmpdir(), "edgefuse-repo-"));
  for (const m of models) {
    const dir = join(root, String(m.config.name));
    for (const [version, file] of Object.entries(m.files)) {
      mkdirSync(join(dir, version), { recursive: true });
      copyFileSync(file, join(dir, version, "model.onnx"));
    }
    writeFileSync(join(dir, "config.json"), JSON.stringify(m.config, null, 2));
  }
  return root;
}

let fixtureRepo: string | undefined;
/** The default test repository: fixture-image (alias image-encoder) and fixture-audio. */
export function fixtureRepository(): string {
  return (fixtureRepo ??= makeRepository([
    { config: fixtureImageConfig(), files: { "1": FIXTURE_MODEL } },
    { config: fixtureAudioConfig(), files: { "1": FIXTURE_AUDIO_MODEL } },
  ]));
}
export const TOKEN = "test-token-0123456789abcdef";
export const PIXELS = 75 * 75;

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function testConfig(overrides: DeepPartial<Config> = {}): Config {
  const base = structuredClone(DEFAULTS);
  return {
    ...base,
    ...overrides,
    host: "127.0.0.1",
    port: 0,
    repositories: (overrides.repositories as string[] | undefined) ?? [fixtureRepository()],
    models: (overrides.models as string[] | undefined) ?? [],
    provider: "cpu",
    auth: { enabled: true, token: TOKEN, ...overrides.auth },
    batching: { ...base.batching, ...overrides.batching },
    limits: { ...base.limits, ...overrides.limits },
  } as Config;
}

export function start(overrides: DeepPartial<Config> = {}): Promise<RunningServer> {
  return startServer(testConfig(overrides), () => {});
}

export const authHeaders = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${TOKEN}`, ...extra });

/** Deterministic RGB pixels ([y][x][c]) from a seed. */
export function rawPixels(seed: number, width = 75, height = 75): Buffer {
  const out = Buffer.alloc(width * height * 3);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) & 0xff;
  }
  return out;
}

export function encode(raw: Buffer, format: "png" | "jpeg" | "webp", width = 75, height = 75): Promise<Buffer> {
  const img = sharp(raw, { raw: { width, height, channels: 3 } });
  if (format === "png") return img.png().toBuffer();
  if (format === "jpeg") return img.jpeg({ quality: 90 }).toBuffer();
  return img.webp({ lossless: true }).toBuffer();
}

/** The tensor the contract says raw pixels map to: NCHW, x/255. */
export function expectedTensor(raw: Buffer, pixels = PIXELS): Float32Array {
  const out = new Float32Array(3 * pixels);
  for (let i = 0; i < pixels; i++) for (let c = 0; c < 3; c++) out[c * pixels + i] = (raw[3 * i + c] ?? 0) / 255;
  return out;
}

export function jsonInfer(images: Buffer[], extra: Record<string, unknown> = {}) {
  return JSON.stringify({ inputs: [{ name: "image", datatype: "BYTES", shape: [images.length], data: images.map((b) => b.toString("base64")) }], ...extra });
}

/** Body for the binary tensor extension: JSON header, then each BYTES element as u32le length + bytes. */
export function binaryInfer(images: Buffer[], extra: Record<string, unknown> = {}): { body: Buffer; headerLength: number } {
  const elements = Buffer.concat(images.flatMap((b) => [Buffer.from(new Uint32Array([b.length]).buffer), b]));
  const header = Buffer.from(
    JSON.stringify({ inputs: [{ name: "image", datatype: "BYTES", shape: [images.length], parameters: { binary_data_size: elements.length } }], ...extra }),
  );
  return { body: Buffer.concat([header, elements]), headerLength: header.length };
}

export interface DecodedOutput {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Parse a JSON or binary infer response into float32 outputs. */
export async function readInfer(res: Response): Promise<{ header: Record<string, unknown>; outputs: Map<string, DecodedOutput> }> {
  const bytes = Buffer.from(await res.arrayBuffer());
  const len = res.headers.get("inference-header-content-length");
  const jsonEnd = len === null ? bytes.length : Number(len);
  const header = JSON.parse(bytes.subarray(0, jsonEnd).toString("utf8")) as { outputs: { name: string; shape: number[]; data?: number[]; parameters?: { binary_data_size?: number } }[] };
  const outputs = new Map<string, DecodedOutput>();
  let at = jsonEnd;
  for (const o of header.outputs) {
    const size = o.parameters?.binary_data_size;
    let data: Float32Array;
    if (size !== undefined) {
      data = new Float32Array(size / 4);
      Buffer.from(data.buffer).set(bytes.subarray(at, at + size));
      at += size;
    } else {
      data = Float32Array.from(o.data ?? []);
    }
    outputs.set(o.name, { name: o.name, shape: o.shape, data });
  }
  return { header: header as unknown as Record<string, unknown>, outputs };
}

let direct: Promise<ort.InferenceSession> | undefined;

/** Run the ONNX file directly with onnxruntime-node (default options), as the reference. */
export async function runDirect(tensor: Float32Array, count: number, model = FIXTURE_MODEL, size: [number, number] = [75, 75]): Promise<Record<string, Float32Array>> {
  const session = model === FIXTURE_MODEL ? await (direct ??= ort.InferenceSession.create(model)) : await ort.InferenceSession.create(model);
  const out = await session.run({ image: new ort.Tensor("float32", tensor, [count, 3, size[1], size[0]]) });
  const result: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(out)) result[name] = t.data as Float32Array;
  return result;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

/** Parse one model's histogram buckets out of a /metrics body. */
export function histogram(metrics: string, name: string, model = "fixture-image"): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of metrics.matchAll(new RegExp(`^${name}_bucket\\{model="${model}",le="([^"]+)"\\} (\\d+)$`, "gm"))) out.set(m[1] ?? "", Number(m[2]));
  return out;
}

/** fetch's BodyInit wants an ArrayBuffer-backed view; Buffers may sit on a shared pool. */
export const bodyOf = (b: string | Buffer): BodyInit => (typeof b === "string" ? b : new Uint8Array(b));
