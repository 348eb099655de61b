/**
 * A small synthetic item per modality kind, run once through a model's preprocessing and encoder at
 * start-up, so the first real request does not pay V8's compilation of the decode and resize paths
 * (the encoder's own session is warmed in encoder-worker.ts). The image is non-square so the
 * letterbox path runs; the audio is a 0.5 s 16-bit mono WAV at 22.05 kHz so resampling runs.
 */
import sharp from "sharp";
import type { Preprocess } from "../repository/config-schema.js";

export async function warmupItem(p: Preprocess): Promise<Buffer> {
  switch (p.kind) {
    case "image": {
      const [w, h] = [96, 64];
      const rgb = Buffer.alloc(w * h * 3, 240);
      for (let i = 0; i < rgb.length; i += 7) rgb[i] = 40; // some structure, not a flat colour
      return sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
    }
    case "audio":
      return wav16(22_050, 0.5);
  }
}

/** A mono 16-bit PCM WAV of a quiet 220 Hz tone. */
function wav16(rate: number, seconds: number): Buffer {
  const n = Math.round(rate * seconds);
  const out = Buffer.alloc(44 + 2 * n);
  out.write("RIFF", 0, "ascii");
  out.writeUInt32LE(36 + 2 * n, 4);
  out.write("WAVEfmt ", 8, "ascii");
  out.writeUInt32LE(16, 16); // fmt chunk size
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * 2, 28); // byte rate
  out.writeUInt16LE(2, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write("data", 36, "ascii");
  out.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 220 * i) / rate)), 44 + 2 * i);
  return out;
}
