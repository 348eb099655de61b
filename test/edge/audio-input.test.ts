// Audio inputs at the edge (features/kinds/audio.ts) through the sentiment suite: the RIFF/WAVE
// header, size and duration are checked before anything is sent to the feature function; a valid
// WAV goes through the same per-modality cache as every other modality.
import { describe, expect, it } from "vitest";
import { type ErrorBody, postJson } from "./helpers";
import { faultCounts, setFault } from "./scenes";

/** PCM16 mono WAV of `seconds` of a sine at `hz`. */
function wav(seconds: number, rate = 16000, hz = 220): Uint8Array {
  const n = Math.round(seconds * rate);
  const out = new Uint8Array(44 + n * 2);
  const v = new DataView(out.buffer);
  const text = (at: number, s: string) => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  text(0, "RIFF");
  v.setUint32(4, 36 + n * 2, true);
  text(8, "WAVE");
  text(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  text(36, "data");
  v.setUint32(40, n * 2, true);
  for (let i = 0; i < n; i++) v.setInt16(44 + i * 2, Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)), true);
  return out;
}

function b64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const TEXT = "honestly this was a lovely afternoon";
const predict = (body: unknown) => postJson("/v1/suites/sentiment/predict", body);

describe("audio inputs (sentiment suite)", () => {
  it("refuses what is not a WAV, too long, too short, by URL or as text, before the feature function sees it", async () => {
    await setFault("pass");
    const before = (await faultCounts()).forwarded;
    const cases: [unknown, number, string][] = [
      [{ base64: b64(new TextEncoder().encode("ID3 definitely not a wave file")) }, 415, "unsupported_audio_type"],
      [{ base64: b64(wav(31)) }, 413, "audio_too_long"],
      [{ base64: b64(wav(0.1)) }, 400, "audio_too_short"],
      [{ url: "https://example.com/a.wav" }, 400, "url_not_supported"],
      ["a transcript is not audio", 400, "invalid_input"],
      [{ base64: "" }, 400, "empty_audio"],
    ];
    for (const [voice, status, code] of cases) {
      const res = await predict({ inputs: { text: TEXT, voice } });
      expect(res.status, code).toBe(status);
      expect(((await res.json()) as ErrorBody).error.code).toBe(code);
    }
    expect((await faultCounts()).forwarded).toBe(before);
  });

  it("optional modalities: text alone answers with a score; adding a voice uses it and caches it per modality", async () => {
    await setFault("pass");
    type Body = { predictions: { label: string; score: number }[]; score?: number; modalitiesUsed: string[]; cache: Record<string, string> };
    const alone = (await (await predict({ inputs: { text: TEXT } })).json()) as Body;
    expect(alone.modalitiesUsed).toEqual(["text"]);
    expect(alone.cache).toEqual({ text: expect.stringMatching(/hit|miss/), face: "none", voice: "none" });
    expect(Number.isFinite(alone.score)).toBe(true);
    const voice = { base64: b64(wav(1.5, 16000, 330)) };
    const first = (await (await predict({ inputs: { text: TEXT, voice } })).json()) as Body;
    expect(first.modalitiesUsed).toEqual(["text", "voice"]);
    expect(first.cache.voice).toBe("miss");
    const second = (await (await predict({ inputs: { text: TEXT, voice, face: null } })).json()) as Body;
    expect(second.cache).toEqual({ text: "hit", face: "none", voice: "hit" });
    expect(second.predictions).toEqual(first.predictions);
  });
});
