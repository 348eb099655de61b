/**
 * A voice-like signal: a harmonic source (pitch contour) shaped by two formants per syllable and a
 * syllable-rate amplitude envelope, then background noise at a given SNR. Valence moves the pitch
 * contour (rising when positive, falling when negative), the pitch range, the pitch level, the
 * loudness and the tempo; the sarcastic "drawl" is slow with an exaggerated fall on every
 * syllable. Pure TypeScript, deterministic from params.seed.
 */
import { Rng } from "./random";

export const SAMPLE_RATE = 16000;

export interface VoiceParams {
  /** seconds, 0.5..3 */
  durationS: number;
  /** -3.5..3.5 */
  valence: number;
  /** the speaker's base pitch in Hz (80..300) */
  f0Hz: number;
  /** syllables a second (1.5..8) */
  syllableRate: number;
  /** pitch change over the whole utterance in semitones (positive = rising) */
  slopeSemitones: number;
  /** pitch excursion within a syllable in semitones */
  rangeSemitones: number;
  /** RMS level of the voice in dBFS (-40..-6) */
  loudnessDb: number;
  /** spectral tilt of the harmonics (0.6..2: higher is duller) */
  tilt: number;
  /** scales formant frequencies (speaker size, 0.8..1.25) */
  formantScale: number;
  /** sarcastic prosody: every syllable falls steeply, the last ones are drawn out */
  drawl: boolean;
  /** signal-to-noise ratio of the background noise in dB; Infinity = clean */
  snrDb: number;
  /** 0 = white noise .. 1 = strongly low-passed (rumble, babble-like) */
  noiseColour: number;
  /** seeds syllable timing, vowels and noise */
  seed: number;
}

export const DEFAULT_VOICE: VoiceParams = {
  durationS: 2,
  valence: 0,
  f0Hz: 150,
  syllableRate: 4.2,
  slopeSemitones: 0,
  rangeSemitones: 2,
  loudnessDb: -20,
  tilt: 1.1,
  formantScale: 1,
  drawl: false,
  snrDb: 25,
  noiseColour: 0.3,
  seed: 1,
};

/** How valence moves prosody; `drawl` overrides tempo and contour. */
export function prosodyFor(valence: number, drawl: boolean): Pick<VoiceParams, "syllableRate" | "slopeSemitones" | "rangeSemitones"> {
  const v = Math.max(-3.5, Math.min(3.5, valence));
  if (drawl) return { syllableRate: 2.6 + 0.1 * v, slopeSemitones: -9 + 0.5 * v, rangeSemitones: -4.5 };
  return { syllableRate: 4.2 + 0.45 * v, slopeSemitones: 2.2 * v, rangeSemitones: 1.6 + 0.5 * v };
}

/** A voice with the given valence and the default (or overridden) speaker and channel. */
export function voiceFromValence(valence: number, overrides: Partial<VoiceParams> = {}): VoiceParams {
  const drawl = overrides.drawl ?? false;
  return { ...DEFAULT_VOICE, ...prosodyFor(valence, drawl), loudnessDb: -20 + 1.5 * valence, f0Hz: 150 * 2 ** ((0.6 * valence) / 12), ...overrides, valence };
}

const VOWELS: readonly (readonly [number, number])[] = [
  [730, 1090], [530, 1840], [270, 2290], [570, 840], [300, 870], [660, 1720], [490, 1350],
];
const TABLE_SIZE = 4096;
const SINE = Float32Array.from({ length: TABLE_SIZE + 1 }, (_, i) => Math.sin((2 * Math.PI * i) / TABLE_SIZE));

interface Syllable {
  start: number;
  end: number;
  f1: number;
  f2: number;
  accent: number;
}

function syllables(p: VoiceParams, rng: Rng, total: number): Syllable[] {
  const out: Syllable[] = [];
  const lead = rng.uniform(0.05, 0.15);
  let t = lead;
  const rate = Math.max(1, p.syllableRate);
  while (t < total - 0.1) {
    let len = (1 / rate) * rng.uniform(0.85, 1.15);
    // the drawl lengthens the last third of the utterance
    if (p.drawl && t > total * 0.6) len *= 1.5;
    const end = Math.min(total - 0.05, t + len * 0.85);
    const [f1, f2] = rng.pick(VOWELS);
    out.push({ start: t, end, f1: f1 * p.formantScale, f2: f2 * p.formantScale, accent: rng.uniform(0.7, 1.0) });
    t += len;
  }
  return out;
}

/** Synthesise the waveform: Float32Array at 16 kHz, values in [-1, 1]. */
export function synthVoice(p: VoiceParams): Float32Array {
  const duration = Math.max(0.5, Math.min(3, p.durationS));
  const n = Math.round(duration * SAMPLE_RATE);
  const rng = new Rng(p.seed >>> 0);
  const syl = syllables(p, rng, duration);
  const voice = new Float32Array(n);
  const block = 160; // 10 ms: pitch, envelope and harmonic amplitudes are updated per block
  let phase = 0;
  let si = 0;
  const amps = new Float32Array(64);
  for (let b0 = 0; b0 < n; b0 += block) {
    const t = b0 / SAMPLE_RATE;
    while (si < syl.length - 1 && t >= syl[si]!.end && t >= syl[si + 1]!.start) si++;
    const s = syl[si];
    let env = 0;
    let within = 0;
    if (s && t >= s.start && t < s.end) {
      within = (t - s.start) / (s.end - s.start);
      env = s.accent * Math.sin(Math.PI * within) ** 0.7;
    }
    const excursion = p.drawl ? p.rangeSemitones * (within - 0.2) : p.rangeSemitones * Math.sin(Math.PI * within);
    const semis = p.slopeSemitones * (t / duration - 0.5) + excursion;
    const f0 = p.f0Hz * 2 ** (semis / 12);
    const kMax = Math.min(amps.length, Math.floor(5000 / f0));
    for (let k = 1; k <= kMax; k++) {
      const fk = k * f0;
      const formant = 1 + 3 * Math.exp(-(((fk - (s?.f1 ?? 500)) / 150) ** 2)) + 2 * Math.exp(-(((fk - (s?.f2 ?? 1500)) / 250) ** 2));
      amps[k - 1] = (formant / k ** p.tilt) * env;
    }
    const step = (f0 / SAMPLE_RATE) * TABLE_SIZE;
    const end = Math.min(n, b0 + block);
    for (let i = b0; i < end; i++) {
      let x = 0;
      if (env > 0) {
        // sin(k*phase) for every k by the Chebyshev recurrence: one table lookup per sample
        const idx = phase | 0;
        const s1 = SINE[idx]!;
        const c2 = 2 * SINE[(idx + TABLE_SIZE / 4) % TABLE_SIZE]!;
        let prev = 0;
        let cur = s1;
        for (let k = 1; k <= kMax; k++) {
          x += amps[k - 1]! * cur;
          const next = c2 * cur - prev;
          prev = cur;
          cur = next;
        }
      }
      voice[i] = x;
      phase = (phase + step) % TABLE_SIZE;
    }
  }
  // level: RMS over the voiced part
  let energy = 0;
  let voiced = 0;
  for (let i = 0; i < n; i++) {
    const x = voice[i]!;
    if (x !== 0) {
      energy += x * x;
      voiced++;
    }
  }
  const rms = Math.sqrt(energy / Math.max(1, voiced)) || 1;
  const gain = 10 ** (p.loudnessDb / 20) / rms;
  const noiseRms = Number.isFinite(p.snrDb) ? 10 ** (p.loudnessDb / 20) / 10 ** (p.snrDb / 20) : 0;
  const out = new Float32Array(n);
  const c = Math.max(0, Math.min(0.98, p.noiseColour));
  // one-pole low-pass keeps the noise's RMS by scaling with sqrt((1+c)/(1-c))
  const norm = Math.sqrt((1 + c) / (1 - c));
  let lp = 0;
  for (let i = 0; i < n; i++) {
    lp = c * lp + (1 - c) * rng.normal();
    const x = voice[i]! * gain + noiseRms * lp * norm;
    out[i] = x > 1 ? 1 : x < -1 ? -1 : x;
  }
  return out;
}
