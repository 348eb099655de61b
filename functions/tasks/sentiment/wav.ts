/** WAV (RIFF, PCM 16-bit) writer and a strict reader for mono or multi-channel PCM16 files. */

/** Float samples in [-1, 1] -> 16-bit PCM mono WAV bytes. Values are clipped; rounding is to nearest. */
export function encodeWav(samples: Float32Array, sampleRate: number): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 384000) throw new Error(`bad sample rate ${sampleRate}`);
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (off: number, s: string) => {
    for (let i = 0; i < s.length; i++) bytes[off + i] = s.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const x = Math.max(-1, Math.min(1, samples[i]!));
    view.setInt16(44 + i * 2, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true);
  }
  return bytes;
}

/** Quantise float samples exactly as encodeWav does, back to float (PCM16 / 32768). */
export function pcm16RoundTrip(samples: Float32Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const x = Math.max(-1, Math.min(1, samples[i]!));
    out[i] = Math.max(-32768, Math.min(32767, Math.round(x * 32768))) / 32768;
  }
  return out;
}

/** Read a PCM16 WAV written by encodeWav (or any canonical PCM16 file): mono mixdown, PCM16 / 32768. */
export function decodeWavPcm16(bytes: Uint8Array): { sampleRate: number; samples: Float32Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (off: number) => String.fromCharCode(bytes[off]!, bytes[off + 1]!, bytes[off + 2]!, bytes[off + 3]!);
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new Error("not a RIFF/WAVE file");
  let off = 12;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  while (off + 8 <= bytes.length) {
    const id = tag(off);
    const size = view.getUint32(off + 4, true);
    const body = off + 8;
    if (body + size > bytes.length) throw new Error(`chunk ${id} runs past the end of the file`);
    if (id === "fmt ") {
      if (view.getUint16(body, true) !== 1) throw new Error("only PCM WAV is supported here");
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
    } else if (id === "data") {
      if (bits !== 16 || channels < 1) throw new Error("expected 16-bit PCM with at least one channel");
      const frames = Math.floor(size / (2 * channels));
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        let s = 0;
        for (let c = 0; c < channels; c++) s += view.getInt16(body + (i * channels + c) * 2, true) / 32768;
        samples[i] = s / channels;
      }
      return { sampleRate, samples };
    }
    off = body + size + (size & 1);
  }
  throw new Error("no data chunk");
}
