// Audio models through the real server: WAV decoding (PCM 8/16/24/32, float, extensible), mono
// mixdown, resampling, pad-or-trim, and hostile WAVs, each answered with a stable 4xx code.
// The fixture model returns its input (`waveform`), so the preprocessed samples are visible.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wavToWaveform } from "../../functions/image-features/preprocess/audio.js";
import { resample } from "../../functions/image-features/preprocess/resample.js";
import type { RunningServer } from "../../functions/image-features/server.js";
import { authHeaders, bodyOf, encode, rawPixels, readInfer, start } from "./helpers.js";
import { chunk, makeWav, riff, silentPcm8, sine } from "./wav.js";

let server: RunningServer;
const INFER = "/v2/models/fixture-audio/infer";
const SETTINGS = { sampleRate: 16000, minSeconds: 0.05, maxSeconds: 2, samples: 8000 };

beforeAll(async () => {
  server = await start();
});
afterAll(() => server.close());

function request(items: Buffer[]): { body: Buffer; headers: Record<string, string> } {
  const elements = Buffer.concat(items.flatMap((b) => [Buffer.from(new Uint32Array([b.length]).buffer), b]));
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: "input", datatype: "BYTES", shape: [items.length, 1], parameters: { binary_data_size: elements.length } }], parameters: { binary_data_output: true } }));
  return { body: Buffer.concat([header, elements]), headers: { "content-type": "application/octet-stream", "inference-header-content-length": String(header.length) } };
}

async function infer(items: Buffer[]) {
  const { body, headers } = request(items);
  return fetch(`${server.url}${INFER}`, { method: "POST", body: bodyOf(body), headers: authHeaders(headers) });
}

async function errorOf(item: Buffer): Promise<string> {
  const res = await infer([item]);
  const body = (await res.json()) as { code?: string };
  return `${res.status} ${body.code}`;
}

describe("audio models", () => {
  it("serves metadata for the audio model alongside the image model", async () => {
    const meta = (await (await fetch(`${server.url}/v2/models/fixture-audio`, { headers: authHeaders() })).json()) as { inputs: unknown; parameters: Record<string, unknown> };
    expect(meta.inputs).toEqual([{ name: "input", datatype: "BYTES", shape: [-1, 1] }]);
    expect(meta.parameters.kind).toBe("audio");
    expect(meta.parameters.sample_rate).toBe(16000);
    expect(meta.parameters.samples).toBe(8000);
  });

  it("passes 16 kHz PCM16 mono through exactly (int16 / 32768) and pads with zeros", async () => {
    const frames = sine(16000, 0.25, 440);
    const res = await infer([makeWav({ rate: 16000, channels: 1, frames })]);
    expect(res.status).toBe(200);
    const { outputs } = await readInfer(res);
    const wave = outputs.get("waveform")!;
    expect(wave.shape).toEqual([1, 8000]);
    for (let i = 0; i < 4000; i++) expect(wave.data[i]! + 0).toBe(Math.fround(Math.max(-32768, Math.min(32767, Math.round(frames[i]![0]! * 32768))) / 32768) + 0);
    expect(wave.data.subarray(4000).every((v) => v === 0)).toBe(true);
    const energy = outputs.get("energy")!.data[0]!;
    expect(energy).toBeCloseTo((0.5 * 0.5) / 2 / 2, 3); // half the buffer holds a sine of amplitude 0.5 (mean square 0.125)
  });

  it("decodes every supported encoding to the same waveform, mixes channels down and trims long clips", async () => {
    const frames = sine(16000, 1.2, 300, 2); // 1.2 s stereo: trimmed to the first 0.5 s
    const reference = wavToWaveform(makeWav({ rate: 16000, channels: 1, frames: frames.map((f) => [f[0]!]), encoding: "float64" }), SETTINGS);
    for (const encoding of ["pcm8", "pcm16", "pcm24", "pcm32", "float32", "float64"] as const) {
      for (const extensible of [false, true]) {
        const { outputs } = await readInfer(await infer([makeWav({ rate: 16000, channels: 2, frames, encoding, extensible })]));
        const wave = outputs.get("waveform")!.data;
        const tolerance = encoding === "pcm8" ? 1 / 128 : 1e-4;
        let worst = 0;
        for (let i = 0; i < 8000; i++) worst = Math.max(worst, Math.abs(wave[i]! - reference[i]!));
        expect(worst, `${encoding}${extensible ? " extensible" : ""}`).toBeLessThanOrEqual(tolerance);
      }
    }
    // Opposite channels cancel in the mixdown.
    const opposite = sine(16000, 0.5, 300, 1).map(([v]) => [v!, -v!]);
    const { outputs } = await readInfer(await infer([makeWav({ rate: 16000, channels: 2, frames: opposite, encoding: "float32" })]));
    expect(outputs.get("waveform")!.data.every((v) => Math.abs(v) < 1e-7)).toBe(true);
  });

  it("resamples other rates to the model rate, keeping a tone's frequency and level", async () => {
    for (const rate of [8000, 22050, 44100, 48000]) {
      const { outputs } = await readInfer(await infer([makeWav({ rate, channels: 1, frames: sine(rate, 0.5, 1000), encoding: "float32" })]));
      const wave = outputs.get("waveform")!.data;
      // Compare with an ideal 1 kHz sine at 16 kHz away from the edges.
      let worst = 0;
      for (let i = 400; i < 7600; i++) worst = Math.max(worst, Math.abs(wave[i]! - 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000)));
      expect(worst, `${rate} Hz`).toBeLessThan(0.01);
    }
    // Content above the new Nyquist frequency is removed, not aliased.
    const high = resample(Float64Array.from(sine(48000, 0.5, 12000).map(([v]) => v!)), 48000, 16000);
    expect(Math.max(...high.subarray(200, high.length - 200).map(Math.abs))).toBeLessThan(0.01);
  });

  it("batches several clips of one request in order", async () => {
    const clips = [110, 220, 440].map((f) => makeWav({ rate: 16000, channels: 1, frames: sine(16000, 0.5, f) }));
    const { outputs } = await readInfer(await infer(clips));
    const wave = outputs.get("waveform")!;
    expect(wave.shape).toEqual([3, 8000]);
    clips.forEach((clip, k) => expect([...wave.data.subarray(k * 8000, (k + 1) * 8000)]).toEqual([...wavToWaveform(clip, SETTINGS)]));
  });

  it("reads a streamed WAV (RIFF and data sizes 0xFFFFFFFF, as ffmpeg writes to a pipe) to the end of the file, whole frames only", () => {
    const wav = makeWav({ rate: 16000, channels: 2, frames: sine(16000, 0.3, 440, 2) });
    const streamed = Buffer.concat([wav, Buffer.from([1, 2, 3])]); // a partial trailing frame
    streamed.writeUInt32LE(0xffffffff, 4);
    const data = streamed.indexOf("data", 12, "latin1");
    streamed.writeUInt32LE(0xffffffff, data + 4);
    expect([...wavToWaveform(streamed, SETTINGS)]).toEqual([...wavToWaveform(wav, SETTINGS)]);
    // a wide frame (5 channels of 32-bit float: 20 bytes) leaves a partial frame longer than a chunk header
    const wide = makeWav({ rate: 16000, channels: 5, frames: sine(16000, 0.2, 300, 5), encoding: "float32" });
    const wideStreamed = Buffer.concat([wide, Buffer.alloc(19, 0x41)]);
    wideStreamed.writeUInt32LE(0xffffffff, 4);
    wideStreamed.writeUInt32LE(0xffffffff, wideStreamed.indexOf("data", 12, "latin1") + 4);
    expect([...wavToWaveform(wideStreamed, SETTINGS)]).toEqual([...wavToWaveform(wide, SETTINGS)]);
    // any other size that runs past the end is still a truncated file
    const truncated = Buffer.from(wav.subarray(0, wav.length - 100));
    expect(() => wavToWaveform(truncated, SETTINGS)).toThrow(/truncated/);
  });

  it("answers hostile or unsupported WAVs with stable 4xx codes and keeps serving", async () => {
    const good = makeWav({ rate: 16000, channels: 1, frames: sine(16000, 0.5, 440) });
    const fmtOf = (over: (fmt: Buffer) => void) => {
      const copy = Buffer.from(good);
      over(copy.subarray(20, 36)); // the 16-byte fmt body
      return copy;
    };
    const cases: [string, Buffer, string][] = [
      ["not a WAV at all", Buffer.from("hello, this is text"), "415 unsupported_audio_format"],
      ["a PNG sent to an audio model", await encode(rawPixels(1), "png"), "415 unsupported_audio_format"],
      ["empty", Buffer.alloc(0), "415 unsupported_audio_format"],
      ["big-endian RIFX", Buffer.concat([Buffer.from("RIFX"), good.subarray(4)]), "415 unsupported_audio_encoding"],
      ["truncated RIFF", good.subarray(0, good.length - 100), "400 corrupt_audio"],
      ["RIFF header only", good.subarray(0, 12), "400 corrupt_audio"],
      ["data chunk size past the end", (() => { const b = Buffer.from(good); b.writeUInt32LE(0x7fffffff, 40); return b; })(), "400 corrupt_audio"],
      // 0xFFFFFFFF is a streamed WAV's "to the end" (read above); any other size past the end is truncation
      ["RIFF size 0xFFFFFFFE", (() => { const b = Buffer.from(good); b.writeUInt32LE(0xfffffffe, 4); return b; })(), "400 corrupt_audio"],
      ["fmt chunk too short", riff([chunk("fmt ", Buffer.alloc(8)), chunk("data", Buffer.alloc(100))]), "400 corrupt_audio"],
      ["no data chunk", riff([chunk("fmt ", good.subarray(20, 36))]), "400 corrupt_audio"],
      ["no fmt chunk", riff([chunk("data", Buffer.alloc(100))]), "400 corrupt_audio"],
      ["0 channels", fmtOf((f) => f.writeUInt16LE(0, 2)), "400 corrupt_audio"],
      ["1000 channels", fmtOf((f) => f.writeUInt16LE(1000, 2)), "400 corrupt_audio"],
      ["sample rate 0", fmtOf((f) => f.writeUInt32LE(0, 4)), "400 unsupported_sample_rate"],
      ["sample rate 4 GHz", fmtOf((f) => f.writeUInt32LE(4_000_000_000, 4)), "400 unsupported_sample_rate"],
      ["block align lies", fmtOf((f) => f.writeUInt16LE(7, 12)), "400 corrupt_audio"],
      ["byte rate lies", fmtOf((f) => f.writeUInt32LE(1, 8)), "400 corrupt_audio"],
      ["ADPCM", fmtOf((f) => f.writeUInt16LE(2, 0)), "415 unsupported_audio_encoding"],
      ["12-bit PCM", fmtOf((f) => f.writeUInt16LE(12, 14)), "415 unsupported_audio_encoding"],
      ["odd data size", riff([chunk("fmt ", good.subarray(20, 36)), chunk("data", Buffer.alloc(101))]), "400 corrupt_audio"],
      ["too short (10 ms)", makeWav({ rate: 16000, channels: 1, frames: sine(16000, 0.01, 440) }), "400 audio_too_short"],
      ["zero samples", makeWav({ rate: 16000, channels: 1, frames: [] }), "400 audio_too_short"],
      ["NaN samples", makeWav({ rate: 16000, channels: 1, frames: sine(16000, 0.2, 440).map(() => [NaN]), encoding: "float32" }), "400 corrupt_audio"],
      // A 10-minute file: the header says so, and it is refused before any sample is decoded.
      ["10 minutes at 8 kHz u8", silentPcm8(8000, 600), "413 audio_too_long"],
    ];
    for (const [name, bytes, expected] of cases) expect(await errorOf(bytes), name).toBe(expected);
    // A WAV sent to the image model is not an image.
    const res = await fetch(`${server.url}/v2/models/fixture-image/infer`, { method: "POST", body: bodyOf(request([good]).body), headers: authHeaders(request([good]).headers) });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { code: string }).code).toBe("unsupported_image_format");
    expect((await infer([good])).status).toBe(200);
  });
});
