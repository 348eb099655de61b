// The Triton Python-backend preprocessing model (models/triton/*-preprocess/<v>/model.py), run
// under /usr/bin/python3 (Debian numpy + PIL) with a stand-in for triton_python_backend_utils,
// must compute what the Node feature function computes: images within 1/255 (PNG, JPEG, WebP,
// odd sizes, non-square, greyscale, alpha, palette, large), audio within 1e-5, same error codes.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS } from "../../functions/image-features/config.js";
import { configureSharp } from "../../functions/image-features/preprocess/image.js";
import { createPreprocessor } from "../../functions/image-features/preprocess/index.js";
import type { ProtocolError } from "../../functions/image-features/protocol.js";
import { type ModelConfig, ModelConfigSchema } from "../../functions/image-features/repository/config-schema.js";
import { writeTritonRepository } from "../../functions/image-features/triton/cli.js";
import { fixtureAudioConfig, fixtureImageConfig, rawPixels, ROOT } from "./helpers.js";
import { toJson } from "./triton/config-json.js";
import { MODEL_CONFIG_SCHEMA } from "./triton/model-config-schema.js";
import { parsePbtxt } from "./triton/pbtxt.js";
import { makeWav, sine } from "./wav.js";

const PYTHON = "/usr/bin/python3";
/** The generated config.pbtxt carries the server default (functions/image-features/config.ts). */
const MAX_PIXELS = DEFAULTS.limits.maxPixels;
const STUB = resolve(ROOT, "test/image-features/triton/python");
const hasPython = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import numpy, PIL"]).status === 0;

type PyResult = { error: string } | { outputs: Record<string, { shape: number[]; dtype: string; data: string }> };

/** Run the generated model.py on requests of encoded items, as Triton would. */
function runPython(tritonDir: string, model: string, requests: Buffer[][]): PyResult[] {
  const config = toJson(parsePbtxt(readFileSync(join(tritonDir, model, "config.pbtxt"), "utf8")), MODEL_CONFIG_SCHEMA);
  const job = { model_py: join(tritonDir, model, "1", "model.py"), model_config: config, requests: requests.map((r) => r.map((b) => b.toString("base64"))) };
  const run = spawnSync(PYTHON, [join(STUB, "run_model.py")], { input: JSON.stringify(job), env: { PYTHONPATH: STUB, PATH: process.env.PATH ?? "" }, maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`model.py failed: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString()) as PyResult[];
}

/** The WAV as a pipe writer leaves it: RIFF and data sizes 0xFFFFFFFF, a partial frame at the end. */
function streamedWav(wav: Buffer, tail = 3): Buffer {
  const out = Buffer.concat([wav, Buffer.alloc(tail, 0x41)]);
  out.writeUInt32LE(0xffffffff, 4);
  out.writeUInt32LE(0xffffffff, out.indexOf("data", 12, "latin1") + 4);
  return out;
}

function floats(b64: string): Float32Array {
  const bytes = Buffer.from(b64, "base64");
  const out = new Float32Array(bytes.length / 4);
  Buffer.from(out.buffer).set(bytes);
  return out;
}

async function nodeTensor(config: ModelConfig, item: Buffer): Promise<Float32Array | string> {
  const pre = createPreprocessor(config.preprocess, { maxPixels: MAX_PIXELS });
  const out = new Float32Array(pre.itemSize);
  try {
    await pre.prepare(item, 0, out);
    return out;
  } catch (err) {
    return (err as ProtocolError).code;
  }
}

/** A smooth scene with shapes, at any size: what real uploads look like more than noise does. */
function scene(w: number, h: number, seed: number): Buffer {
  const raw = Buffer.alloc(w * h * 3);
  const rnd = rawPixels(seed, 8, 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inCircle = (x - w * 0.3) ** 2 + (y - h * 0.5) ** 2 < (Math.min(w, h) * 0.2) ** 2;
      const inSquare = Math.abs(x - w * 0.7) < Math.min(w, h) * 0.15 && Math.abs(y - h * 0.4) < Math.min(w, h) * 0.15;
      const base = [245 - (x % 7), 243, 240 + (y % 5)];
      const c = inCircle ? [rnd[0]!, 40, 60] : inSquare ? [30, rnd[1]!, 200] : base;
      raw.set(c, (y * w + x) * 3);
    }
  }
  return raw;
}

const raw = (data: Buffer, w: number, h: number, channels: 1 | 3 | 4 = 3) => sharp(data, { raw: { width: w, height: h, channels } });

describe.skipIf(!hasPython)("Triton Python-backend preprocessing = Node preprocessing", () => {
  let tritonDir: string;
  const image = ModelConfigSchema.parse(fixtureImageConfig());
  const grey = ModelConfigSchema.parse(fixtureImageConfig({ name: "grey-image", aliases: [], input: { name: "image", datatype: "FP32", shape: [-1, 1, 64, 48] }, preprocess: { kind: "image", size: [48, 64], channels: "L", background: [255, 255, 255], mean: [0.5], std: [0.25] } }));
  const audio = ModelConfigSchema.parse(fixtureAudioConfig());

  beforeAll(async () => {
    configureSharp();
    const { makeRepository, FIXTURE_MODEL, FIXTURE_AUDIO_MODEL } = await import("./helpers.js");
    const repo = makeRepository([
      { config: fixtureImageConfig(), files: { "1": FIXTURE_MODEL } },
      { config: fixtureImageConfig({ name: "grey-image", aliases: [], input: grey.input, preprocess: grey.preprocess }), files: { "1": FIXTURE_MODEL } },
      { config: fixtureAudioConfig(), files: { "1": FIXTURE_AUDIO_MODEL } },
    ]);
    tritonDir = resolve(repo, "..", `${repo.split("/").pop()}-triton`);
    await writeTritonRepository(repo, tritonDir, false);
  });

  it("images: PNG, JPEG, WebP, odd sizes, non-square, greyscale, alpha, palette, large, within 1/255", async () => {
    const cases: [string, Buffer][] = [
      ["75x75 PNG (no resize)", await raw(rawPixels(3), 75, 75).png().toBuffer()],
      ["300x200 scene PNG (letterbox + downscale)", await raw(scene(300, 200, 1), 300, 200).png().toBuffer()],
      ["120x90 scene JPEG q85", await raw(scene(120, 90, 2), 120, 90).jpeg({ quality: 85 }).toBuffer()],
      ["97x33 odd-size WebP lossless", await raw(scene(97, 33, 3), 97, 33).webp({ lossless: true }).toBuffer()],
      ["33x101 tall PNG (upscale)", await raw(scene(33, 101, 4), 33, 101).png().toBuffer()],
      ["50x80 greyscale PNG", await raw(scene(50, 80, 5), 50, 80).toColourspace("b-w").png().toBuffer()],
      ["64x64 RGBA PNG with an alpha gradient", await raw(Buffer.from(Array.from({ length: 64 * 64 * 4 }, (_, i) => (i % 4 === 3 ? (i >> 2) % 256 : (i * 7) % 256))), 64, 64, 4).png().toBuffer()],
      ["40x30 palette PNG", await raw(scene(40, 30, 6), 40, 30).png({ palette: true, colours: 16 }).toBuffer()],
      ["1x1 PNG", await raw(Buffer.from([10, 200, 30]), 1, 1).png().toBuffer()],
      ["1000x700 scene PNG (box pre-shrink path)", await raw(scene(1000, 700, 7), 1000, 700).png().toBuffer()],
      ["150x150 JPEG 4:4:4 q95", await raw(scene(150, 150, 8), 150, 150).jpeg({ quality: 95, chromaSubsampling: "4:4:4" }).toBuffer()],
    ];
    for (const [model, config] of [["fixture-image-preprocess", image], ["grey-image-preprocess", grey]] as const) {
      const results = runPython(tritonDir, model, cases.map(([, b]) => [b]));
      for (const [k, [name, bytes]] of cases.entries()) {
        const py = results[k]!;
        expect("outputs" in py, `${model} ${name}: ${"error" in py ? py.error : ""}`).toBe(true);
        if (!("outputs" in py)) continue;
        const out = py.outputs.image!;
        expect(out.shape).toEqual([1, ...config.input.shape.slice(1)]);
        const node = await nodeTensor(config, bytes);
        expect(typeof node, name).not.toBe("string");
        const pyData = floats(out.data);
        let worst = 0;
        for (let i = 0; i < pyData.length; i++) worst = Math.max(worst, Math.abs(pyData[i]! - (node as Float32Array)[i]!));
        const scale = config.preprocess.kind === "image" && config.preprocess.std ? 1 / config.preprocess.std[0]! : 1;
        expect(worst, `${model} ${name}: max |python - node|`).toBeLessThanOrEqual((scale * 1) / 255 + 1e-6);
      }
    }
  }, 120_000);

  it("batches the items of one request in order, and answers each request on its own", async () => {
    const a = await raw(scene(80, 60, 9), 80, 60).png().toBuffer();
    const b = await raw(scene(60, 80, 10), 60, 80).png().toBuffer();
    const [batch, bad] = runPython(tritonDir, "fixture-image-preprocess", [[a, b], [Buffer.from("not an image")]]);
    expect(batch && "outputs" in batch && batch.outputs.image!.shape).toEqual([2, 3, 75, 75]);
    expect(bad && "error" in bad && bad.error).toMatch(/^unsupported_image_format: /);
  });

  it("audio: WAV decode, mixdown, resampling and pad-or-trim within 1e-5", async () => {
    const cases: Buffer[] = [
      makeWav({ rate: 16000, channels: 1, frames: sine(16000, 0.3, 440) }),
      makeWav({ rate: 44100, channels: 2, frames: sine(44100, 0.7, 300, 2), encoding: "float32" }),
      makeWav({ rate: 8000, channels: 1, frames: sine(8000, 0.4, 1000), encoding: "pcm8" }),
      makeWav({ rate: 22050, channels: 3, frames: sine(22050, 0.2, 2000, 3), encoding: "pcm24", extensible: true }),
      makeWav({ rate: 48000, channels: 2, frames: sine(48000, 0.6, 5000, 2), encoding: "pcm32" }),
      streamedWav(makeWav({ rate: 16000, channels: 2, frames: sine(16000, 0.3, 700, 2) })),
      streamedWav(makeWav({ rate: 16000, channels: 5, frames: sine(16000, 0.2, 300, 5), encoding: "float32" }), 19),
    ];
    const results = runPython(tritonDir, "fixture-audio-preprocess", cases.map((c) => [c]));
    for (const [k, wav] of cases.entries()) {
      const py = results[k]!;
      expect("outputs" in py, "error" in py ? py.error : "").toBe(true);
      if (!("outputs" in py)) continue;
      const pyData = floats(py.outputs.audio!.data);
      const node = (await nodeTensor(audio, wav)) as Float32Array;
      let worst = 0;
      for (let i = 0; i < pyData.length; i++) worst = Math.max(worst, Math.abs(pyData[i]! - node[i]!));
      expect(worst, `audio case ${k}`).toBeLessThanOrEqual(1e-5);
    }
  }, 120_000);

  it("gives the same error codes as the Node server", async () => {
    const good = makeWav({ rate: 16000, channels: 1, frames: sine(16000, 0.3, 440) });
    const zeroChannels = Buffer.from(good);
    zeroChannels.writeUInt16LE(0, 22);
    const hugeRate = Buffer.from(good);
    hugeRate.writeUInt32LE(4_000_000_000, 24);
    const items: [ModelConfig, string, Buffer][] = [
      [audio, "fixture-audio-preprocess", good.subarray(0, good.length - 50)],
      [audio, "fixture-audio-preprocess", zeroChannels],
      [audio, "fixture-audio-preprocess", hugeRate],
      [audio, "fixture-audio-preprocess", Buffer.from("hello")],
      [audio, "fixture-audio-preprocess", makeWav({ rate: 16000, channels: 1, frames: sine(16000, 3, 440) })],
      [image, "fixture-image-preprocess", (await raw(rawPixels(1), 75, 75).png().toBuffer()).subarray(0, 60)],
      [image, "fixture-image-preprocess", Buffer.from("GIF89a....")],
      [image, "fixture-image-preprocess", await raw(Buffer.alloc(5000 * 3 * 3, 200), 5000, 3).png().toBuffer()],
    ];
    for (const [config, model, item] of items) {
      const [py] = runPython(tritonDir, model, [[item]]);
      const node = await nodeTensor(config, item);
      expect(typeof node).toBe("string");
      expect(py && "error" in py ? py.error.split(":")[0] : "no error", `${model}: node says ${String(node)}`).toBe(node);
    }
  });
});
