/**
 * Audio preprocessing: a WAV file -> the model's fixed-length mono float waveform. Decode (wav.ts),
 * mix down to mono, resample to the model rate (resample.ts), enforce the length limits, then
 * pad with zeros at the end or keep the first `samples`. Any feature front end (log-mel...) lives
 * inside the ONNX graph, so training and serving compute it identically.
 */
import type { AudioPreprocess } from "../repository/config-schema.js";
import { ProtocolError } from "../protocol.js";
import { resample, ZERO_CROSSINGS } from "./resample.js";
import type { ItemPreprocessor } from "./types.js";
import { decodeMono, parseWav } from "./wav.js";

/** The audio settings wavToWaveform needs (a subset of the config's preprocess section). */
export type AudioSettings = Pick<AudioPreprocess, "sampleRate" | "minSeconds" | "maxSeconds" | "samples">;

/**
 * WAV bytes -> the model's input waveform (`samples` floats at `sampleRate`, mono), exactly as the
 * server computes it. Exported for training and parity tests. Throws ProtocolErrors.
 */
export function wavToWaveform(bytes: Uint8Array, p: AudioSettings, index = 0, out: Float32Array = new Float32Array(p.samples)): Float32Array {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const info = parseWav(buf, index);
  // Checked from the header, before any sample is decoded.
  const seconds = info.frames / info.sampleRate;
  if (seconds > p.maxSeconds) throw new ProtocolError(413, "audio_too_long", `audio ${index} is ${seconds.toFixed(2)} s long; the limit is ${p.maxSeconds} s`);
  if (seconds < p.minSeconds || info.frames === 0) {
    throw new ProtocolError(400, "audio_too_short", `audio ${index} is ${seconds.toFixed(3)} s long; at least ${p.minSeconds} s are needed`);
  }
  const mono = resample(decodeMono(buf, info, index), info.sampleRate, p.sampleRate);
  const n = Math.min(mono.length, p.samples);
  for (let i = 0; i < n; i++) out[i] = mono[i]!;
  out.fill(0, n, p.samples);
  return out;
}

export function audioPreprocessor(p: AudioPreprocess): ItemPreprocessor {
  return {
    itemSize: p.samples,
    async prepare(bytes, index, out) {
      wavToWaveform(bytes, p, index, out);
    },
    describe() {
      return {
        kind: "audio",
        accepted_content: "audio/wav (PCM 8/16/24/32-bit, float 32/64-bit, any channel count)",
        preprocess: JSON.stringify(p),
        preprocess_summary: `WAV decode; mono mixdown (mean); resample to ${p.sampleRate} Hz (Hann-windowed sinc, ${ZERO_CROSSINGS} zero crossings); ${p.minSeconds}-${p.maxSeconds} s; pad with zeros or trim to ${p.samples} samples`,
        sample_rate: p.sampleRate,
        samples: p.samples,
        max_seconds: p.maxSeconds,
        min_seconds: p.minSeconds,
      };
    },
  };
}
