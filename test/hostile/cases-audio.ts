/**
 * Generated hostile audio, both at the edge (`/v1/suites/sentiment/predict`, voice modality) and at
 * the feature function (`/v2/models/sentiment-audio/infer`). Besides the hand-picked broken WAVs of
 * test/image-features/audio.test.ts, seeded mutations of a valid WAV's header bytes: each may still
 * be valid (200) or be refused with a stable 4xx, never a 5xx.
 */
import { chunk, makeWav, riff, silentPcm8, sine } from "../image-features/wav";
import { type HostileCase, PNG } from "./cases-edge";

const AUDIO_INFER = "/v2/models/sentiment-audio/infer";
const IMAGE_INFER = "/v2/models/soc-image/infer";
const PREDICT = "/v1/suites/sentiment/predict";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** One BYTES element in the binary extension, input named "input". */
function inferBody(bytes: Uint8Array): { body: Uint8Array; headers: Record<string, string> } {
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: "input", shape: [1], datatype: "BYTES", parameters: { binary_data_size: bytes.length + 4 } }] }));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(bytes.length);
  return { body: Buffer.concat([header, len, Buffer.from(bytes)]), headers: { "content-type": "application/octet-stream", "inference-header-content-length": String(header.length) } };
}

/** Hostile WAVs: hand-made breakages plus seeded mutations of the 44-byte header of a good file. */
export function hostileWavs(): [string, Uint8Array][] {
  const good = makeWav({ rate: 16000, channels: 1, frames: sine(16000, 0.5, 440) });
  const out: [string, Uint8Array][] = [
    ["not a WAV", Buffer.from("hello, this is text")],
    ["PNG", PNG],
    ["RIFF header only", good.subarray(0, 12)],
    ["truncated", good.subarray(0, good.length - 101)],
    ["no fmt chunk", riff([chunk("data", Buffer.alloc(100))])],
    ["no data chunk", riff([chunk("fmt ", good.subarray(20, 36))])],
    ["10 minutes at 8 kHz", silentPcm8(8000, 600)],
    ["NaN floats", makeWav({ rate: 16000, channels: 1, frames: sine(16000, 0.3, 440).map(() => [NaN]), encoding: "float32" })],
    ["Infinity floats", makeWav({ rate: 16000, channels: 1, frames: sine(16000, 0.3, 440).map(() => [Infinity]), encoding: "float32" })],
    ["2 MHz sample rate", makeWav({ rate: 2_000_000, channels: 1, frames: sine(2_000_000, 0.3, 440) })],
    ["8 channels at 44.1 kHz", makeWav({ rate: 44100, channels: 8, frames: sine(44100, 0.3, 440, 8), encoding: "pcm24" })],
  ];
  const r = rng(4242);
  for (let i = 0; i < 24; i++) {
    const b = Buffer.from(good);
    const flips = 1 + Math.floor(r() * 4);
    for (let k = 0; k < flips; k++) b[Math.floor(r() * 44)] = Math.floor(r() * 256);
    out.push([`header mutation ${i}`, b]);
  }
  return out;
}

export function audioCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const [name, wav] of hostileWavs()) {
    // Valid but odd files (mutations that keep the header sane, 8 channels of 24-bit) may be answered.
    const expect = name.startsWith("header mutation") || name.startsWith("8 channels") ? "ok-or-4xx" : "4xx";
    const { body, headers } = inferBody(wav);
    cases.push({ name: `audio model: ${name}`, target: "image", method: "POST", path: AUDIO_INFER, headers, body, expect });
    cases.push({
      name: `edge voice: ${name}`,
      target: "edge",
      method: "POST",
      path: PREDICT,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: { text: "that went well", voice: { base64: Buffer.from(wav).toString("base64") } } }),
      expect,
    });
  }
  // The wrong kind of bytes for a model: refused as unsupported, not a crash or a 5xx.
  const wav = makeWav({ rate: 16000, channels: 1, frames: sine(16000, 0.5, 440) });
  const toImage = inferBody(wav);
  cases.push({ name: "WAV to the image model", target: "image", method: "POST", path: IMAGE_INFER, headers: toImage.headers, body: toImage.body, expect: "4xx" });
  cases.push({ name: "edge voice: a URL (audio has none)", target: "edge", method: "POST", path: PREDICT, headers: { "content-type": "application/json" }, body: JSON.stringify({ inputs: { text: "ok", voice: { url: "https://example.com/a.wav" } } }), expect: "4xx" });
  return cases;
}
