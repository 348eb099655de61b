/**
 * The generative process of one sample (docs/task-sentiment.md has the information budget):
 *   kind ~ literal 0.50 / sarcastic 0.22 / ambiguous 0.28
 *   s    ~ per kind (sarcastic: -1..-3; literal: positive 0.5, negative 0.25, neutral 0.25;
 *          ambiguous: neutral 0.5, positive 0.35, negative 0.15), |s| uniform in 1..3
 *   which channels are unreadable ~ face only 0.42 / voice only 0.42 / both 0.03 / neither 0.13
 *   a readable face or voice shows valence s + N(0, 0.25); an unreadable one shows a valence drawn
 *   independently of s, so it carries no information by construction
 *   the voice of a sarcastic sample has the drawl (when readable)
 * Everything is drawn from (seed, index) with separate streams per part.
 */
import { classOf, type SentimentLabel, type UtteranceKind } from "./labels";
import { Rng } from "./random";
import { utterance, type Surface } from "./text";
import { DEFAULT_FACE, type FaceParams } from "./face";
import { prosodyFor, type VoiceParams } from "./voice";
import type { Rgb } from "./image";
import { drawAugment, type PixelAugment } from "./augment";

export const KIND_WEIGHTS: Readonly<Record<UtteranceKind, number>> = { literal: 0.5, sarcastic: 0.22, ambiguous: 0.28 };
/** [negative, neutral, positive] weights per kind */
export const CLASS_WEIGHTS: Readonly<Record<UtteranceKind, readonly [number, number, number]>> = {
  literal: [0.25, 0.25, 0.5],
  sarcastic: [1, 0, 0],
  ambiguous: [0.15, 0.5, 0.35],
};
/** [face unreadable only, voice unreadable only, both, neither] */
export const UNREADABLE_WEIGHTS = [0.42, 0.42, 0.03, 0.13] as const;
/** standard deviation of the valence a readable face or voice shows around s */
export const EXPRESSION_NOISE = 0.25;

export type FaceCondition = "clear" | "away" | "covered" | "dark";
export type VoiceCondition = "clear" | "noisy";

export interface Codec {
  kind: "none" | "jpeg" | "webp";
  quality: number;
  /** JPEG chroma subsampling */
  chroma: "4:2:0" | "4:4:4";
}

export interface SentimentSample {
  id: string;
  seed: number;
  index: number;
  score: number;
  label: SentimentLabel;
  kind: UtteranceKind;
  text: string;
  surface: Surface;
  face: FaceParams;
  faceCondition: FaceCondition;
  augment: PixelAugment;
  codec: Codec;
  voice: VoiceParams;
  voiceCondition: VoiceCondition;
}

const STREAM = { latent: 1, text: 2, face: 3, voice: 4, augment: 5 } as const;
const KINDS_ORDER: readonly UtteranceKind[] = ["literal", "sarcastic", "ambiguous"];

const SKINS: readonly Rgb[] = [[255, 224, 189], [241, 194, 125], [224, 172, 105], [198, 134, 66], [141, 85, 36], [92, 56, 30], [255, 205, 180]];
const HAIRS: readonly Rgb[] = [[20, 15, 10], [70, 45, 25], [140, 90, 45], [200, 160, 90], [120, 120, 120], [160, 50, 30]];

function drawScore(rng: Rng, kind: UtteranceKind): number {
  const cls = rng.weighted(CLASS_WEIGHTS[kind]);
  const magnitude = rng.int(1, 3);
  return cls === 0 ? -magnitude : cls === 1 ? 0 : magnitude;
}

/** A score drawn from the marginal of s (what an unreadable channel shows: nothing about this s). */
function drawPriorScore(rng: Rng): number {
  const kind = KINDS_ORDER[rng.weighted(KINDS_ORDER.map((k) => KIND_WEIGHTS[k]))]!;
  return drawScore(rng, kind);
}

function jitter(rng: Rng, c: Rgb, amount: number): Rgb {
  return [c[0] + rng.uniform(-amount, amount), c[1] + rng.uniform(-amount, amount), c[2] + rng.uniform(-amount, amount)].map((x) =>
    Math.max(0, Math.min(255, Math.round(x))),
  ) as unknown as Rgb;
}

function drawFace(rng: Rng, valence: number, condition: FaceCondition): FaceParams {
  let width: number;
  let height: number;
  if (rng.chance(0.7)) width = height = rng.int(96, 160);
  else {
    width = rng.int(80, 192);
    height = Math.round(Math.max(80, Math.min(192, width * rng.uniform(0.65, 1.55))));
  }
  const background: Rgb = rng.chance(0.6) ? jitter(rng, [225, 230, 235], 25) : [rng.int(60, 255), rng.int(60, 255), rng.int(60, 255)];
  return {
    ...DEFAULT_FACE,
    width,
    height,
    valence,
    cx: 0.5 + rng.uniform(-0.08, 0.08),
    cy: 0.5 + rng.uniform(-0.08, 0.08),
    size: rng.uniform(0.62, 0.92),
    roll: rng.uniform(-0.22, 0.22),
    skin: jitter(rng, rng.pick(SKINS), 12),
    hair: jitter(rng, rng.pick(HAIRS), 12),
    ink: jitter(rng, [35, 25, 25], 25),
    background,
    lineWidth: rng.uniform(0.02, 0.05),
    pose: condition === "away" ? "away" : "frontal",
    covered: condition === "covered",
    light: condition === "dark" ? rng.uniform(0.05, 0.14) : rng.chance(0.15) ? rng.uniform(0.55, 0.8) : rng.uniform(0.8, 1),
  };
}

function drawVoice(rng: Rng, valence: number, drawl: boolean, condition: VoiceCondition): VoiceParams {
  const prosody = prosodyFor(valence, drawl);
  const syllableRate = Math.max(1.5, prosody.syllableRate + 0.2 * rng.normal());
  const syllablesN = rng.int(5, 11);
  return {
    durationS: Math.max(1, Math.min(3, syllablesN / syllableRate + 0.25)),
    valence,
    f0Hz: rng.uniform(90, 240) * 2 ** ((0.6 * valence) / 12),
    syllableRate,
    slopeSemitones: prosody.slopeSemitones + 0.6 * rng.normal(),
    rangeSemitones: prosody.rangeSemitones + 0.3 * rng.normal(),
    loudnessDb: -20 + 1.5 * valence + rng.uniform(-4, 4),
    tilt: rng.uniform(0.8, 1.6),
    formantScale: rng.uniform(0.85, 1.2),
    drawl,
    snrDb: condition === "noisy" ? rng.uniform(-12, -4) : rng.uniform(5, 30),
    noiseColour: rng.uniform(0, 0.9),
    seed: rng.int(0, 0x7fffffff),
  };
}

function drawCodec(rng: Rng): Codec {
  const r = rng.next();
  if (r < 0.4) return { kind: "jpeg", quality: rng.int(40, 95), chroma: rng.chance(0.5) ? "4:2:0" : "4:4:4" };
  if (r < 0.5) return { kind: "webp", quality: rng.int(50, 95), chroma: "4:2:0" };
  return { kind: "none", quality: 100, chroma: "4:4:4" };
}

function clampValence(v: number): number {
  return Math.max(-3.5, Math.min(3.5, v));
}

export function sampleId(seed: number, index: number): string {
  return `s${seed}-${String(index).padStart(6, "0")}`;
}

/** Draw sample `index` of the split `seed`: the latent score, the text and the face/voice parameters. */
export function generateSample(seed: number, index: number): SentimentSample {
  if (!Number.isInteger(seed) || !Number.isInteger(index) || index < 0) throw new Error("seed and index must be integers, index >= 0");
  const latent = Rng.for(seed, index, STREAM.latent);
  const kind = KINDS_ORDER[latent.weighted(KINDS_ORDER.map((k) => KIND_WEIGHTS[k]))]!;
  const score = drawScore(latent, kind);
  const pattern = latent.weighted(UNREADABLE_WEIGHTS);
  const faceReadable = pattern === 1 || pattern === 3;
  const voiceReadable = pattern === 0 || pattern === 3;
  const faceCondition: FaceCondition = faceReadable ? "clear" : latent.pick(["away", "covered", "dark"] as const);
  const voiceCondition: VoiceCondition = voiceReadable ? "clear" : "noisy";
  const faceValence = clampValence((faceReadable ? score : drawPriorScore(latent)) + EXPRESSION_NOISE * latent.normal());
  const voiceValence = clampValence((voiceReadable ? score : drawPriorScore(latent)) + EXPRESSION_NOISE * latent.normal());
  const drawl = voiceReadable ? kind === "sarcastic" : latent.chance(KIND_WEIGHTS.sarcastic);

  const { text, surface } = utterance(Rng.for(seed, index, STREAM.text), kind, score);
  const face = drawFace(Rng.for(seed, index, STREAM.face), faceValence, faceCondition);
  const voice = drawVoice(Rng.for(seed, index, STREAM.voice), voiceValence, drawl, voiceCondition);
  const augRng = Rng.for(seed, index, STREAM.augment);
  const augment = drawAugment(augRng);
  if (faceCondition === "dark") augment.noise = Math.max(augment.noise, augRng.uniform(4, 10));
  const codec = drawCodec(augRng);
  return { id: sampleId(seed, index), seed, index, score, label: classOf(score), kind, text, surface, face, faceCondition, augment, codec, voice, voiceCondition };
}

/** The noise stream for the pixel augmentation of a sample (kept apart so it is reproducible). */
export function augmentRng(seed: number, index: number): Rng {
  return Rng.for(seed, index, 6);
}
