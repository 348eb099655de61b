// Head selection (functions/edge/inference/head-selection.ts) over a three-modality suite with an
// optional modality, heads for subsets and a dropout-trained head, and over Sort-of-CLEVR.
import { describe, expect, it } from "vitest";
import { selectHead } from "../../functions/edge/inference/head-selection";
import { AppError } from "../../functions/edge/errors";
import { parseSuiteManifest, type SuiteManifest } from "../../functions/suites/manifest";
import socManifest from "../../models/sort-of-clevr/manifest.json";

const readSuiteManifest = (_dir: string) => parseSuiteManifest(socManifest);

const sha = "0".repeat(64);
const out = (name: string, d: number) => ({ name, datatype: "FP32", shape: [-1, d] });
const head = (id: string, fusion: string, modalities: string[], absent: "zeros" | null = null) => ({
  id, version: "1", fusion, file: `heads/${id}.onnx`, sha256: sha, bytes: 1, modalities, absent,
  inputs: modalities.map((m) => ({ name: m, modality: m, output: "pooled" })),
  outputs: { logits: "logits" },
});
const remote = (model: string) => ({ runs: "remote", model, id: model, version: "1", sha256: sha, outputs: [out("pooled", 8)] });

const tri: SuiteManifest = parseSuiteManifest({
  schemaVersion: 2, id: "tri", version: "1", title: "three modalities",
  task: { kind: "classification", labels: ["neg", "pos"] },
  modalities: [
    { name: "text", kind: "text", required: true, limits: { maxChars: 100, maxTokens: 16 },
      encoder: { runs: "edge", id: "t", version: "1", file: "t.onnx", sha256: sha, bytes: 1, tokenizer: { file: "tok.json", sha256: sha, bytes: 1 },
                 inputs: [{ name: "input_ids", datatype: "INT64", shape: [-1, -1] }], outputs: [out("pooled", 8)] } },
    { name: "face", kind: "image", required: false, limits: { maxBytes: 1000 }, encoder: remote("face") },
    { name: "voice", kind: "audio", required: false, limits: { maxBytes: 1000, maxSeconds: 5 }, encoder: remote("voice") },
  ],
  heads: [
    head("concat-all", "concat", ["text", "face", "voice"]),
    head("concat-tf", "concat", ["text", "face"]),
    head("gated-all", "gated", ["text", "face", "voice"], "zeros"),
    head("text-only", "text-only", ["text"]),
  ],
  defaultFusion: "concat",
});

const pick = (m: SuiteManifest, provided: string[], fusion?: string, failed?: string[]) =>
  selectHead(m, { fusion, provided: new Set(provided), ...(failed ? { failed: new Set(failed) } : {}) });

function code(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof AppError) return `${err.status} ${err.code}`;
    throw err;
  }
  return "no error";
}

describe("head selection", () => {
  it("takes the head of the requested (or default) fusion whose modalities equal the provided set", () => {
    expect(pick(tri, ["text", "face", "voice"]).head.id).toBe("concat-all");
    expect(pick(tri, ["text", "face"]).head.id).toBe("concat-tf");
    expect(pick(tri, ["text", "face"]).used).toEqual(["text", "face"]);
  });

  it("else a dropout-trained head whose absent covers the missing optional modalities", () => {
    const c = pick(tri, ["text", "voice"], "gated");
    expect(c.head.id).toBe("gated-all");
    expect(c.used).toEqual(["text", "voice"]);
    expect(c.zeroed).toEqual(["face"]);
  });

  it("else the largest head of that fusion over a subset of what was sent (extra optional inputs are ignored)", () => {
    const c = pick(tri, ["text", "face", "voice"], "text-only");
    expect(c.head.id).toBe("text-only");
    expect(c.used).toEqual(["text"]);
  });

  it("no head of the fusion fits: 400 no_head_for_modalities naming the fusions that would", () => {
    try {
      pick(tri, ["text", "voice"], "concat");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("no_head_for_modalities");
      expect((err as AppError).details?.fusionsThatFit).toEqual(["gated", "text-only"]);
    }
  });

  it("a missing required modality is a 400 naming it; an unknown fusion is a 400 listing the suite's", () => {
    expect(code(() => pick(tri, ["face"]))).toBe("400 missing_modality");
    expect(code(() => pick(tri, ["text"], "bilinear"))).toBe("400 unknown_fusion");
  });

  it("degraded: drops the failed modality and reselects, falling back to a head over what is left", () => {
    const c = pick(tri, ["text", "face"], "concat", ["voice"]);
    expect(c.head.id).toBe("concat-tf");
    const soc = readSuiteManifest("models/sort-of-clevr");
    const d = pick(soc, ["question"], "attention", ["image"]);
    // Today's suite has no text-only head: the attention head answers with the image zeroed.
    const textOnly = soc.heads.find((h) => h.modalities.length === 1 && h.modalities[0] === "question");
    expect(d.head.id).toBe(textOnly ? textOnly.id : "soc-head-attention");
    expect(d.used).toEqual(["question"]);
  });

  it("Sort-of-CLEVR: every fusion has the (question, image) head; the question alone is a missing_modality", () => {
    const soc = readSuiteManifest("models/sort-of-clevr");
    for (const f of ["concat", "sum", "product", "bilinear", "attention"]) expect(pick(soc, ["question", "image"], f).head.id).toBe(`soc-head-${f}`);
    expect(code(() => pick(soc, ["question"]))).toBe("400 missing_modality");
  });
});
