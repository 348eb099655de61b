/**
 * WAV (RIFF/WAVE) parsing, strict: every size is checked against the bytes actually there, so a
 * hostile header can neither read past the buffer nor make us allocate for data that is not sent.
 * Supports PCM 8/16/24/32-bit, IEEE float 32/64-bit, and WAVE_FORMAT_EXTENSIBLE wrapping either.
 * Errors are ProtocolErrors with stable codes (docs/image-features.md, "Audio errors").
 */
import { ProtocolError } from "../protocol.js";

export interface WavInfo {
  format: "pcm" | "float";
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
  frames: number;
  /** Where the sample data starts and its length in bytes. */
  dataOffset: number;
  dataBytes: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 384_000;
const MAX_CHANNELS = 32;

const corrupt = (index: number, why: string) => new ProtocolError(400, "corrupt_audio", `audio ${index} is not a valid WAV file: ${why}`);

export function isRiffWave(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && Buffer.from(bytes.subarray(0, 4)).toString("latin1") === "RIFF" && Buffer.from(bytes.subarray(8, 12)).toString("latin1") === "WAVE";
}

const STREAMED_SIZE = 0xffffffff;

/** Read the header chunks of a WAV file (no sample decoding). */
export function parseWav(bytes: Buffer, index: number): WavInfo {
  if (!isRiffWave(bytes)) {
    if (bytes.length >= 4 && ["RIFX", "RF64", "FORM"].includes(bytes.subarray(0, 4).toString("latin1"))) {
      throw new ProtocolError(415, "unsupported_audio_encoding", `audio ${index} is ${bytes.subarray(0, 4).toString("latin1")}; only little-endian RIFF/WAVE is supported`);
    }
    throw new ProtocolError(415, "unsupported_audio_format", `audio ${index} is not a WAV (RIFF/WAVE) file`);
  }
  // A WAV streamed to a pipe (ffmpeg, sox) cannot know its length and writes 0xFFFFFFFF as the RIFF
  // and data sizes: such a size reads as "to the end of the file" (whole frames for the data).
  const declared = bytes.readUInt32LE(4);
  const riffEnd = declared === STREAMED_SIZE ? bytes.length : 8 + declared;
  if (riffEnd > bytes.length) throw corrupt(index, `RIFF header says ${riffEnd} bytes, the file has ${bytes.length} (truncated)`);
  let fmt: Omit<WavInfo, "frames" | "dataOffset" | "dataBytes"> | undefined;
  let data: { offset: number; size: number } | undefined;
  let at = 12;
  while (at + 8 <= riffEnd) {
    const id = bytes.subarray(at, at + 4).toString("latin1");
    const body = at + 8;
    let size = bytes.readUInt32LE(at + 4);
    const streamedData = id === "data" && size === STREAMED_SIZE && fmt !== undefined;
    if (streamedData && fmt) size = Math.floor((riffEnd - body) / fmt.blockAlign) * fmt.blockAlign;
    if (body + size > riffEnd) throw corrupt(index, `chunk "${id.replace(/[^\x20-\x7e]/g, "?")}" of ${size} bytes runs past the end of the file`);
    if (id === "fmt ") {
      if (fmt) throw corrupt(index, "more than one fmt chunk");
      if (size < 16) throw corrupt(index, `fmt chunk is ${size} bytes, at least 16 needed`);
      let tag = bytes.readUInt16LE(body);
      const channels = bytes.readUInt16LE(body + 2);
      const sampleRate = bytes.readUInt32LE(body + 4);
      const byteRate = bytes.readUInt32LE(body + 8);
      const blockAlign = bytes.readUInt16LE(body + 12);
      const bitsPerSample = bytes.readUInt16LE(body + 14);
      if (tag === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40) throw corrupt(index, "WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes");
        tag = bytes.readUInt16LE(body + 24); // first two bytes of the sub-format GUID
      }
      if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
        throw new ProtocolError(415, "unsupported_audio_encoding", `audio ${index} uses WAV format tag ${tag}; only PCM (1) and IEEE float (3) are supported`);
      }
      const format = tag === WAVE_FORMAT_PCM ? "pcm" : "float";
      if (channels === 0) throw corrupt(index, "0 channels");
      if (channels > MAX_CHANNELS) throw corrupt(index, `${channels} channels (at most ${MAX_CHANNELS})`);
      if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
        throw new ProtocolError(400, "unsupported_sample_rate", `audio ${index} has sample rate ${sampleRate} Hz; accepted: ${MIN_SAMPLE_RATE}-${MAX_SAMPLE_RATE} Hz`);
      }
      const okBits = format === "pcm" ? [8, 16, 24, 32] : [32, 64];
      if (!okBits.includes(bitsPerSample)) {
        throw new ProtocolError(415, "unsupported_audio_encoding", `audio ${index}: ${bitsPerSample}-bit ${format} samples are not supported (${okBits.join(", ")})`);
      }
      if (blockAlign !== (channels * bitsPerSample) / 8) throw corrupt(index, `block align ${blockAlign} does not match ${channels} channels of ${bitsPerSample} bits`);
      if (byteRate !== sampleRate * blockAlign) throw corrupt(index, `byte rate ${byteRate} does not match ${sampleRate} Hz x ${blockAlign} bytes`);
      fmt = { format, channels, sampleRate, bitsPerSample, blockAlign };
    } else if (id === "data") {
      if (data) throw corrupt(index, "more than one data chunk");
      if (!fmt) throw corrupt(index, "data chunk before the fmt chunk");
      data = { offset: body, size };
      if (streamedData) break; // it runs to the end: what follows is a partial frame, not a chunk
    }
    at = body + size + (size % 2); // chunks are word aligned
  }
  if (!fmt) throw corrupt(index, "no fmt chunk");
  if (!data) throw corrupt(index, "no data chunk");
  if (data.size % fmt.blockAlign !== 0) throw corrupt(index, `data chunk of ${data.size} bytes is not a whole number of ${fmt.blockAlign}-byte frames`);
  return { ...fmt, frames: data.size / fmt.blockAlign, dataOffset: data.offset, dataBytes: data.size };
}

/** Decode the samples and mix them down to mono: the mean of the channels, float64 in [-1, 1]. */
export function decodeMono(bytes: Buffer, info: WavInfo, index: number): Float64Array {
  const { channels, frames, bitsPerSample, format } = info;
  const out = new Float64Array(frames);
  const bytesPer = bitsPerSample / 8;
  const read: (at: number) => number =
    format === "float"
      ? bitsPerSample === 32
        ? (at) => bytes.readFloatLE(at)
        : (at) => bytes.readDoubleLE(at)
      : bitsPerSample === 8
        ? (at) => (bytes[at]! - 128) / 128
        : bitsPerSample === 16
          ? (at) => bytes.readInt16LE(at) / 32768
          : bitsPerSample === 24
            ? (at) => bytes.readIntLE(at, 3) / 8388608
            : (at) => bytes.readInt32LE(at) / 2147483648;
  let at = info.dataOffset;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, at += bytesPer) sum += read(at);
    if (!Number.isFinite(sum)) throw corrupt(index, `sample ${f} is not a finite number`);
    out[f] = channels === 1 ? sum : sum / channels;
  }
  return out;
}
