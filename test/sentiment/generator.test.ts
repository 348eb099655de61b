import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  classOf,
  decodeWavPcm16,
  encodePng,
  encodeWav,
  faceFromValence,
  generateSample,
  renderFace,
  SAMPLE_RATE,
  synthVoice,
  voiceFromValence,
} from "../../functions/tasks/sentiment/index";
import { decodePng } from "../../scripts/dataset/png";
import { main as generate } from "../../scripts/dataset/sentiment";

const N = 3000;
const samples = Array.from({ length: N }, (_, i) => generateSample(77, i));

describe("sentiment generator", () => {
  it("is deterministic per (seed, index) and differs across seeds", () => {
    expect(generateSample(77, 5)).toEqual(samples[5]);
    const other = Array.from({ length: 20 }, (_, i) => generateSample(78, i).text);
    expect(other).not.toEqual(samples.slice(0, 20).map((s) => s.text));
  });

  it("labels every sample by the sign of its score", () => {
    expect(classOf(-2)).toBe("negative");
    expect(classOf(0)).toBe("neutral");
    expect(classOf(3)).toBe("positive");
    expect(() => classOf(Number.NaN)).toThrow();
    for (const s of samples) {
      expect(Number.isInteger(s.score) && s.score >= -3 && s.score <= 3).toBe(true);
      expect(s.label).toBe(classOf(s.score));
      if (s.kind === "sarcastic") {
        expect(s.score).toBeLessThan(0);
        expect(s.surface).toBe("positive");
      }
      if (s.kind === "literal") expect(s.surface).toBe(s.score > 0 ? "positive" : s.score < 0 ? "negative" : "neutral");
      if (s.kind === "ambiguous") expect(s.surface).toBe("none");
    }
  });

  it("mixes the kinds about 50/25/25 and keeps both channels unreadable rarely", () => {
    const frac = (f: (s: (typeof samples)[number]) => boolean) => samples.filter(f).length / N;
    expect(frac((s) => s.kind === "literal")).toBeCloseTo(0.5, 1);
    expect(frac((s) => s.kind === "sarcastic")).toBeCloseTo(0.22, 1);
    expect(frac((s) => s.kind === "ambiguous")).toBeCloseTo(0.28, 1);
    expect(frac((s) => s.faceCondition !== "clear" && s.voiceCondition !== "clear")).toBeLessThan(0.05);
    expect(frac((s) => s.faceCondition !== "clear")).toBeGreaterThan(0.35);
    // sincere positive text outnumbers sarcasm: a text-only model must answer "positive" to it
    expect(frac((s) => s.kind === "literal" && s.score > 0)).toBeGreaterThan(frac((s) => s.kind === "sarcastic"));
  });

  it("draws sarcastic text from the same distribution as sincere positive text", () => {
    const words = (kind: "sarcastic" | "literal") => {
      const counts = new Map<string, number>();
      const texts = samples.filter((s) => s.kind === kind && s.score !== 0 && s.surface === "positive").map((s) => s.text.toLowerCase());
      for (const t of texts) for (const w of new Set(t.split(/[^a-z']+/).filter(Boolean))) counts.set(w, (counts.get(w) ?? 0) + 1);
      return { counts, n: texts.length };
    };
    const sarcastic = words("sarcastic");
    const sincere = words("literal");
    expect(sarcastic.n).toBeGreaterThan(400);
    for (const [w, c] of sincere.counts) {
      const a = c / sincere.n;
      const b = (sarcastic.counts.get(w) ?? 0) / sarcastic.n;
      // two samples of ~700 from one distribution: differences stay within a few standard errors
      expect(Math.abs(a - b), `word "${w}"`).toBeLessThan(0.06);
    }
    for (const w of sarcastic.counts.keys()) expect(sincere.counts.has(w), `word "${w}" only in sarcasm`).toBe(true);
  });

  it("renders anti-aliased faces whose mouth follows the valence", () => {
    const happy = renderFace(faceFromValence(3, { width: 96, height: 96 }));
    const sad = renderFace(faceFromValence(-3, { width: 96, height: 96 }));
    expect(happy.data.length).toBe(96 * 96 * 3);
    const colours = new Set<number>();
    for (let i = 0; i < happy.data.length; i += 3) colours.add((happy.data[i]! << 16) | (happy.data[i + 1]! << 8) | happy.data[i + 2]!);
    expect(colours.size).toBeGreaterThan(20); // edges blend: many intermediate colours
    // the mouth: ink rows around the corners vs the centre. A smile's centre is lower than its corners.
    const darkRows = (img: typeof happy, x: number) => {
      const rows: number[] = [];
      for (let y = 60; y < 96; y++) if (img.data[(y * 96 + x) * 3]! < 90) rows.push(y);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Number.NaN;
    };
    expect(darkRows(happy, 48) - darkRows(happy, 40)).toBeGreaterThan(1);
    expect(darkRows(sad, 48) - darkRows(sad, 40)).toBeLessThan(-1);
    expect(renderFace(samples[3]!.face)).toEqual(renderFace(samples[3]!.face));
  });

  it("synthesises a voice whose pitch rises when positive and falls when negative", () => {
    const pitchSlope = (v: number) => {
      const x = synthVoice(voiceFromValence(v, { snrDb: Infinity, durationS: 2, seed: 3 }));
      expect(x.length).toBe(2 * SAMPLE_RATE);
      const f0s: number[] = [];
      for (let s = 0; s + 640 < x.length; s += 800) {
        let energy = 0;
        for (let i = 0; i < 640; i++) energy += x[s + i]! ** 2;
        if (energy / 640 < 1e-4) continue;
        let best = 0;
        let lag = 0;
        for (let l = 40; l < 150; l++) {
          let c = 0;
          for (let i = 0; i < 400; i++) c += x[s + i]! * x[s + i + l]!;
          if (c > best) [best, lag] = [c, l];
        }
        if (lag > 0) f0s.push(SAMPLE_RATE / lag);
      }
      const half = Math.floor(f0s.length / 2);
      const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
      expect(f0s.length).toBeGreaterThan(10);
      return median(f0s.slice(half)) / median(f0s.slice(0, half));
    };
    expect(pitchSlope(3)).toBeGreaterThan(1.1);
    expect(pitchSlope(-3)).toBeLessThan(0.9);
  });

  it("writes WAV and PNG files that standard decoders read back", () => {
    const wave = synthVoice(samples[0]!.voice);
    const wav = decodeWavPcm16(encodeWav(wave, SAMPLE_RATE));
    expect(wav.sampleRate).toBe(16000);
    expect(wav.samples.length).toBe(wave.length);
    for (let i = 0; i < wave.length; i += 997) expect(Math.abs(wav.samples[i]! - wave[i]!)).toBeLessThanOrEqual(1 / 32768 + 1e-7);
    const img = renderFace(samples[1]!.face);
    const back = decodePng(encodePng(img));
    expect(back.width).toBe(img.width);
    expect(Buffer.from(back.rgb).equals(Buffer.from(img.data))).toBe(true);
  });

  it("the CLI writes the same files for the same seed", async () => {
    const a = mkdtempSync(join(tmpdir(), "sentiment-a-"));
    const b = mkdtempSync(join(tmpdir(), "sentiment-b-"));
    try {
      await generate(["--seed", "9", "--count", "4", "--out", a, "--quiet", "--arrays"]);
      await generate(["--suite", "sentiment", "--seed", "9", "--count", "4", "--out", b, "--quiet", "--arrays"]);
      const lines = readFileSync(join(a, "data.jsonl"), "utf8").trim().split("\n");
      expect(lines).toHaveLength(4);
      const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
      for (const k of ["id", "text", "image", "audio", "label", "score", "kind"]) expect(rec).toHaveProperty(k);
      for (const sub of ["png", "wav"]) {
        const files = readdirSync(join(a, sub)).sort();
        expect(files).toHaveLength(4);
        for (const f of files) expect(readFileSync(join(a, sub, f)).equals(readFileSync(join(b, sub, f)))).toBe(true);
      }
      for (const f of ["data.jsonl", "faces64.u8", "audio.i16"]) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);
      expect(readFileSync(join(a, "audio.i16")).length).toBe(4 * 48000 * 2);
      await expect(generate(["--seed", "x", "--out", a])).rejects.toThrow(/--seed/);
      await expect(generate(["--count", "3"])).rejects.toThrow(/--out/);
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });
});
