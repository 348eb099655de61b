/**
 * Audio modalities: WAV bytes (base64 or a file part). The edge reads only the RIFF header to refuse
 * what the feature function would refuse anyway (not WAV, too long, too large) before sending it;
 * decoding, mixdown and resampling happen there.
 */
import { AppError } from "../../errors";
import { binaryFromJson, binaryFromPart } from "./binary-input";
import type { ModalityKindModule } from "./kind";

export interface WavInfo {
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly seconds: number;
}

const ascii = (b: Uint8Array, at: number) => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/** Parses the RIFF/WAVE chunks up to `data`; null when it is not a WAV file. */
export function readWavHeader(b: Uint8Array): WavInfo | null {
  if (b.length < 12 || ascii(b, 0) !== "RIFF" || ascii(b, 8) !== "WAVE") return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let fmt: { channels: number; sampleRate: number; bitsPerSample: number } | null = null;
  for (let at = 12; at + 8 <= b.length; ) {
    const id = ascii(b, at);
    const size = view.getUint32(at + 4, true);
    if (id === "fmt " && at + 24 <= b.length) fmt = { channels: view.getUint16(at + 10, true), sampleRate: view.getUint32(at + 12, true), bitsPerSample: view.getUint16(at + 22, true) };
    if (id === "data") {
      if (!fmt || fmt.channels < 1 || fmt.sampleRate < 1 || fmt.bitsPerSample < 8) return null;
      const bytes = Math.min(size, b.length - at - 8); // streamed WAVs may carry a 0 or 0xffffffff size
      return { ...fmt, seconds: (size === 0 || size === 0xffffffff ? b.length - at - 8 : bytes) / (fmt.sampleRate * fmt.channels * (fmt.bitsPerSample / 8)) };
    }
    at += 8 + size + (size % 2);
  }
  return null;
}

export const audioKind: ModalityKindModule = {
  kind: "audio",
  fromJson: binaryFromJson,
  fromPart: binaryFromPart,
  checkBytes(bytes, mod, where) {
    if (mod.kind !== "audio") return;
    if (bytes.byteLength === 0) throw new AppError(400, "empty_audio", `${where} is empty`, { modality: mod.name });
    if (bytes.byteLength > mod.limits.maxBytes) throw new AppError(413, "audio_too_large", `${where} is over ${mod.limits.maxBytes} bytes`, { modality: mod.name });
    const wav = readWavHeader(bytes);
    if (!wav) throw new AppError(415, "unsupported_audio_type", `${where} must be a WAV file (RIFF/WAVE with fmt and data chunks)`, { modality: mod.name });
    if (wav.seconds > mod.limits.maxSeconds) throw new AppError(413, "audio_too_long", `${where} is ${wav.seconds.toFixed(2)} s; at most ${mod.limits.maxSeconds} s`, { modality: mod.name });
    if (mod.limits.minSeconds !== undefined && wav.seconds < mod.limits.minSeconds) throw new AppError(400, "audio_too_short", `${where} is ${wav.seconds.toFixed(2)} s; at least ${mod.limits.minSeconds} s`, { modality: mod.name });
  },
  async fetchUrl(_url, _policy, where) {
    throw new AppError(400, "url_not_supported", `${where}: audio is sent as base64 or a file part, not a URL`);
  },
};
