// Parsing of predict requests (validation/predict-request.ts) and the WAV header check
// (features/kinds/audio.ts): pure, so tested in Node against the shipped sentiment manifest.
import { describe, expect, it } from "vitest";
import { AppError } from "../../functions/edge/errors";
import { readWavHeader } from "../../functions/edge/features/kinds/audio";
import { maxPredictBodyBytes, parseFormPredict, parseJsonPredict } from "../../functions/edge/validation/predict-request";
import { parseSuiteManifest } from "../../functions/suites/manifest";
import sentimentJson from "../../models/sentiment/manifest.json";

const m = parseSuiteManifest(sentimentJson);

function wavHeader(rate: number, channels: number, bits: number, dataBytes: number): Uint8Array {
  const out = new Uint8Array(44 + dataBytes);
  const v = new DataView(out.buffer);
  [..."RIFF"].forEach((c, i) => v.setUint8(i, c.charCodeAt(0)));
  v.setUint32(4, 36 + dataBytes, true);
  [..."WAVEfmt "].forEach((c, i) => v.setUint8(8 + i, c.charCodeAt(0)));
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, rate, true);
  v.setUint16(34, bits, true);
  [..."data"].forEach((c, i) => v.setUint8(36 + i, c.charCodeAt(0)));
  v.setUint32(40, dataBytes, true);
  return out;
}

const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
  return "ok";
};

describe("predict request parsing", () => {
  it("reads inputs per modality kind; null leaves an optional modality out", () => {
    const r = parseJsonPredict(m, { inputs: { text: "great", face: { url: "https://example.com/f.png" }, voice: null }, topK: 2, explain: true });
    expect([...r.inputs.keys()]).toEqual(["text", "face"]);
    expect(r.inputs.get("text")).toEqual({ form: "text", texts: ["great"] });
    expect(r.inputs.get("face")).toEqual({ form: "url", url: "https://example.com/f.png" });
    expect(r).toMatchObject({ topK: 2, explain: true, allowDegraded: false, fusion: undefined });
  });

  it("stable codes for unknown modalities and fields, wrong forms, bad base64 and topK", () => {
    expect(code(() => parseJsonPredict(m, { inputs: { smell: "x" } }))).toBe("unknown_modality");
    expect(code(() => parseJsonPredict(m, { inputs: {}, top_k: 1 }))).toBe("unknown_field");
    expect(code(() => parseJsonPredict(m, { inputs: "text" }))).toBe("invalid_inputs");
    expect(code(() => parseJsonPredict(m, { inputs: { text: { base64: "AAAA" } } }))).toBe("invalid_input");
    expect(code(() => parseJsonPredict(m, { inputs: { face: { base64: "@@@" } } }))).toBe("invalid_base64");
    expect(code(() => parseJsonPredict(m, { inputs: { face: { base64: "AAAA", url: "https://x" } } }))).toBe("invalid_input");
    expect(code(() => parseJsonPredict(m, { inputs: {}, topK: m.task.labels.length + 1 }))).toBe("invalid_top_k");
    expect(code(() => parseJsonPredict(m, { inputs: { text: "x".repeat(1001) } }))).toBe("input_too_large");
  });

  it("multipart: one part per modality plus option fields", async () => {
    const form = new FormData();
    form.set("text", "fine");
    form.set("voice", new File([wavHeader(16000, 1, 16, 32000)], "v.wav"));
    form.set("fusion", "gated");
    const r = await parseFormPredict(m, form);
    expect(r.fusion).toBe("gated");
    expect(r.inputs.get("voice")?.form).toBe("bytes");
    const bad = new FormData();
    bad.set("smell", "x");
    await expect(parseFormPredict(m, bad)).rejects.toMatchObject({ code: "unknown_modality" });
    const twice = new FormData();
    twice.set("text", "fine");
    twice.append("fusion", "gated");
    twice.append("fusion", "concat");
    await expect(parseFormPredict(m, twice)).rejects.toMatchObject({ status: 400, code: "invalid_multipart", details: { field: "fusion" } });
  });

  it("caps the body at every modality's limit in base64", () => {
    expect(maxPredictBodyBytes(m)).toBeGreaterThan(Math.ceil((16777216 * 4) / 3));
  });
});

describe("WAV header", () => {
  it("reads rate, channels, bits and duration; refuses what is not RIFF/WAVE", () => {
    expect(readWavHeader(wavHeader(16000, 2, 16, 16000 * 2 * 2 * 3))).toEqual({ channels: 2, sampleRate: 16000, bitsPerSample: 16, seconds: 3 });
    expect(readWavHeader(new TextEncoder().encode("RIFF....AVI LIST"))).toBeNull();
    expect(readWavHeader(wavHeader(0, 1, 16, 10))).toBeNull();
  });
});
