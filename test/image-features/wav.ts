/** Test helper: write WAV files byte by byte (independent of the server's parser), honest or broken. */
export interface WavSpec {
  rate: number;
  channels: number;
  /** Interleaved frames: frames[f][c] in [-1, 1]. */
  frames: number[][];
  encoding?: "pcm8" | "pcm16" | "pcm24" | "pcm32" | "float32" | "float64";
  extensible?: boolean;
}

export function makeWav(spec: WavSpec): Buffer {
  const enc = spec.encoding ?? "pcm16";
  const bits = { pcm8: 8, pcm16: 16, pcm24: 24, pcm32: 32, float32: 32, float64: 64 }[enc];
  const tag = enc.startsWith("float") ? 3 : 1;
  const block = (spec.channels * bits) / 8;
  const data = Buffer.alloc(spec.frames.length * block);
  let at = 0;
  for (const frame of spec.frames) {
    for (let c = 0; c < spec.channels; c++) {
      const v = frame[c] ?? 0;
      const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));
      if (enc === "pcm8") data.writeUInt8(clamp(Math.round(v * 128) + 128, 0, 255), at);
      else if (enc === "pcm16") data.writeInt16LE(clamp(Math.round(v * 32768), -32768, 32767), at);
      else if (enc === "pcm24") data.writeIntLE(clamp(Math.round(v * 8388608), -8388608, 8388607), at, 3);
      else if (enc === "pcm32") data.writeInt32LE(clamp(Math.round(v * 2147483648), -2147483648, 2147483647), at);
      else if (enc === "float32") data.writeFloatLE(v, at);
      else data.writeDoubleLE(v, at);
      at += bits / 8;
    }
  }
  const fmt = Buffer.alloc(spec.extensible ? 40 : 16);
  fmt.writeUInt16LE(spec.extensible ? 0xfffe : tag, 0);
  fmt.writeUInt16LE(spec.channels, 2);
  fmt.writeUInt32LE(spec.rate, 4);
  fmt.writeUInt32LE(spec.rate * block, 8);
  fmt.writeUInt16LE(block, 12);
  fmt.writeUInt16LE(bits, 14);
  if (spec.extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(bits, 18);
    fmt.writeUInt32LE(0, 20);
    fmt.writeUInt16LE(tag, 24); // sub-format GUID starts with the format tag
    Buffer.from("000000001000800000aa00389b71", "hex").copy(fmt, 26);
  }
  return riff([chunk("fmt ", fmt), chunk("data", data)]);
}

export function chunk(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, "latin1");
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

export function riff(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from("WAVE", "latin1"), ...chunks]);
  const head = Buffer.alloc(8);
  head.write("RIFF", 0, "latin1");
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** A sine of `seconds` at `freq` Hz, `channels` identical channels scaled by `gain`. */
export function sine(rate: number, seconds: number, freq: number, channels = 1, gain = 0.5): number[][] {
  return Array.from({ length: Math.round(rate * seconds) }, (_, i) => new Array<number>(channels).fill(gain * Math.sin((2 * Math.PI * freq * i) / rate)));
}

/** Silence of `seconds` as 8-bit mono PCM, built directly (a 10-minute file without 4.8 M frame arrays). */
export function silentPcm8(rate: number, seconds: number): Buffer {
  const head = makeWav({ rate, channels: 1, frames: [], encoding: "pcm8" });
  const fmt = head.subarray(12, 36);
  return riff([fmt, chunk("data", Buffer.alloc(Math.round(rate * seconds), 128))]);
}
