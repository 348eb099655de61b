/**
 * Generate a split of the multimodal sentiment task (docs/task-sentiment.md).
 *
 *   npm run gen:data -- --suite sentiment --seed S --count N --out DIR [--start K] [--arrays] [--no-files] [--quiet]
 *   npx tsx scripts/dataset/sentiment.ts --seed S --count N --out DIR ...   (same, directly)
 *
 * Writes to DIR:
 *   data.jsonl        one sample a line: { id, text, image, audio, label, score, kind, ... }
 *   png/<id>.png      the face image (rendered, augmented, codec round trip), unless --no-files
 *   wav/<id>.wav      16 kHz mono PCM16 voice, unless --no-files
 *   meta.json         seed, start, count, labels, generator parameters
 * With --arrays (what scripts/sentiment/ trains on), the serving path's inputs precomputed by the
 * feature function's own preprocessing modules (functions/image-features/preprocess/), with the
 * settings of models/repository/sentiment-{face,audio}/config.json:
 *   faces64.u8        N x 64 x 64 x 3: the PNG decoded and letterboxed (white bars, Lanczos-3)
 *   audio.i16         N x 48000 int16: the WAV decoded, padded with zeros or trimmed to 3 s (x 32768)
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { imagePreprocessor } from "../../functions/image-features/preprocess/image";
import { wavToWaveform } from "../../functions/image-features/preprocess/audio";
import {
  augmentImage,
  augmentRng,
  CLASS_WEIGHTS,
  encodePng,
  encodeWav,
  EXPRESSION_NOISE,
  generateSample,
  KIND_WEIGHTS,
  LABELS,
  renderFace,
  SAMPLE_RATE,
  synthVoice,
  UNREADABLE_WEIGHTS,
  type RgbImage,
  type SentimentSample,
} from "../../functions/tasks/sentiment/index";

export const FACE_INPUT = 64;
export const AUDIO_SAMPLES = 48000;
/** The preprocess sections of models/repository/sentiment-face and sentiment-audio config.json. */
export const FACE_PREPROCESS = {
  kind: "image", size: [FACE_INPUT, FACE_INPUT], fit: "letterbox", background: [255, 255, 255], alpha: [255, 255, 255],
  kernel: "lanczos3", channels: "RGB", layout: "NCHW", scale: "x/255", mean: null, std: null,
} as const;
export const AUDIO_PREPROCESS = { kind: "audio", sampleRate: 16000, channels: "mono-mixdown", minSeconds: 0.25, maxSeconds: 30, length: "pad-or-trim", samples: AUDIO_SAMPLES } as const;
const faceServing = imagePreprocessor({ ...FACE_PREPROCESS, size: [FACE_INPUT, FACE_INPUT], background: [255, 255, 255], alpha: [255, 255, 255], mean: null, std: null }, { maxPixels: 40_000_000 });

interface Args {
  seed: number;
  start: number;
  count: number;
  out: string;
  arrays: boolean;
  files: boolean;
  quiet: boolean;
}

function usage(): string {
  return "usage: sentiment.ts --seed S --count N --out DIR [--start K] [--arrays] [--no-files] [--quiet]";
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { seed: 7, start: 0, count: 100, out: "", arrays: false, files: true, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${usage()}`);
      return v;
    };
    if (a === "--seed") args.seed = Number(value());
    else if (a === "--count") args.count = Number(value());
    else if (a === "--start") args.start = Number(value());
    else if (a === "--out") args.out = value();
    else if (a === "--arrays") args.arrays = true;
    else if (a === "--no-files") args.files = false;
    else if (a === "--quiet") args.quiet = true;
    else if (a === "--suite") {
      if (value() !== "sentiment") throw new Error("this generator is --suite sentiment");
    } else throw new Error(`unknown argument ${a}\n${usage()}`);
  }
  if (!args.out) throw new Error(`--out is required\n${usage()}`);
  for (const k of ["seed", "start", "count"] as const) {
    if (!Number.isInteger(args[k]) || args[k] < 0) throw new Error(`--${k} must be a non-negative integer`);
  }
  if (args.count < 1) throw new Error("--count must be at least 1");
  return args;
}

/** Face pixels after the codec round trip the sample drew (JPEG/WebP via sharp, or none). */
export async function faceImage(sample: SentimentSample): Promise<RgbImage> {
  const rendered = augmentImage(renderFace(sample.face), sample.augment, augmentRng(sample.seed, sample.index));
  if (sample.codec.kind === "none") return rendered;
  const raw = sharp(Buffer.from(rendered.data), { raw: { width: rendered.width, height: rendered.height, channels: 3 } });
  const encoded =
    sample.codec.kind === "jpeg"
      ? await raw.jpeg({ quality: sample.codec.quality, chromaSubsampling: sample.codec.chroma }).toBuffer()
      : await raw.webp({ quality: sample.codec.quality }).toBuffer();
  const { data, info } = await sharp(encoded).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

export function facePng(img: RgbImage): Uint8Array {
  return encodePng(img, (raw) => deflateSync(raw, { level: 6 }));
}

/** What the face encoder sees: the feature function's preprocessing of the PNG, as HWC bytes. */
export async function servedFace(png: Uint8Array): Promise<Uint8Array> {
  const plane = FACE_INPUT * FACE_INPUT;
  const x = new Float32Array(3 * plane);
  await faceServing.prepare(Buffer.from(png), 0, x);
  const out = new Uint8Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round(x[c * plane + i]! * 255);
  return out;
}

/** What the audio encoder sees: the feature function's decoding of the WAV, as PCM16 (exact). */
export function servedAudio(wav: Uint8Array): Int16Array {
  const x = wavToWaveform(wav, AUDIO_PREPROCESS);
  const out = new Int16Array(AUDIO_SAMPLES);
  for (let i = 0; i < AUDIO_SAMPLES; i++) out[i] = Math.round(x[i]! * 32768);
  return out;
}

export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const t0 = Date.now();
  mkdirSync(args.out, { recursive: true });
  if (args.files) {
    mkdirSync(join(args.out, "png"), { recursive: true });
    mkdirSync(join(args.out, "wav"), { recursive: true });
  }
  const jsonl = openSync(join(args.out, "data.jsonl"), "w");
  const faces = args.arrays ? openSync(join(args.out, "faces64.u8"), "w") : -1;
  const audio = args.arrays ? openSync(join(args.out, "audio.i16"), "w") : -1;
  const counts: Record<string, number> = {};
  try {
    for (let n = 0; n < args.count; n++) {
      const index = args.start + n;
      const sample = generateSample(args.seed, index);
      const img = await faceImage(sample);
      const png = facePng(img);
      const wave = synthVoice(sample.voice);
      const wav = encodeWav(wave, SAMPLE_RATE);
      const image = args.files ? `png/${sample.id}.png` : null;
      const audioPath = args.files ? `wav/${sample.id}.wav` : null;
      if (args.files) {
        writeFileSync(join(args.out, image!), png);
        writeFileSync(join(args.out, audioPath!), wav);
      }
      if (args.arrays) {
        writeSync(faces, await servedFace(png));
        const pcm = servedAudio(wav);
        writeSync(audio, new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      }
      const record = {
        id: sample.id,
        text: sample.text,
        image,
        audio: audioPath,
        label: sample.label,
        score: sample.score,
        kind: sample.kind,
        index,
        surface: sample.surface,
        faceCondition: sample.faceCondition,
        voiceCondition: sample.voiceCondition,
        drawl: sample.voice.drawl,
        faceValence: round(sample.face.valence),
        voiceValence: round(sample.voice.valence),
        imageSize: [img.width, img.height],
        durationS: round(wave.length / SAMPLE_RATE),
        snrDb: round(sample.voice.snrDb),
        codec: sample.codec.kind,
      };
      writeSync(jsonl, JSON.stringify(record) + "\n");
      const key = `${sample.kind}/${sample.label}`;
      counts[key] = (counts[key] ?? 0) + 1;
      if (!args.quiet && ((n + 1) % 250 === 0 || n + 1 === args.count)) {
        process.stderr.write(`\rgenerated ${n + 1}/${args.count} samples, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
    }
  } finally {
    closeSync(jsonl);
    if (faces >= 0) closeSync(faces);
    if (audio >= 0) closeSync(audio);
  }
  const meta = {
    generator: "sentiment",
    seed: args.seed,
    start: args.start,
    count: args.count,
    labels: LABELS,
    sampleRate: SAMPLE_RATE,
    arrays: args.arrays ? { faces64: [args.count, FACE_INPUT, FACE_INPUT, 3], audio: [args.count, AUDIO_SAMPLES] } : null,
    kindWeights: KIND_WEIGHTS,
    classWeights: CLASS_WEIGHTS,
    unreadableWeights: UNREADABLE_WEIGHTS,
    expressionNoise: EXPRESSION_NOISE,
    counts,
  };
  writeFileSync(join(args.out, "meta.json"), JSON.stringify(meta, null, 2) + "\n");
  if (!args.quiet) process.stderr.write(`\ndone: ${args.out} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
