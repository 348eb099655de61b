// The bring-your-own-suite proof: the three-modality fixture suite (test/fixtures/tiny-suite, made by
// `npm run fixtures:tiny-suite`: edge text encoder, remote image and audio encoders, heads from the
// generic trainer, packed by suite:pack) answers through POST /v1/suites/tiny-suite/predict inside
// workerd, with its photo and voice features from the real feature function (started by the global
// setup on a repository that includes the fixture's models). The answers match the offline reference
// (onnxruntime-node on the same files), each modality reports its cache status, the optional voice may
// be left out, and a missing required modality is a 400 naming it.
import { SELF } from "cloudflare:test";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bundledFiles } from "../../functions/edge/models/bundled-files";
import { registerSuite } from "../../functions/edge/models/suites";
import expected from "../fixtures/tiny-suite/examples/expected.json";
import manifest from "../fixtures/tiny-suite/models/tiny-suite/manifest.json";
import { type ErrorBody, postJson } from "./helpers";
import { faultCounts, setFault } from "./scenes";
import { TINY_SUITE_CAPTION_FILES, TINY_SUITE_HEAD_FILES } from "./tiny-suite-files";

type Predict = {
  suite: string;
  predictions: { label: string; score: number }[];
  fusion: string;
  modalitiesUsed: string[];
  models: Record<string, string>;
  cache: Record<string, "hit" | "miss" | "none">;
  timings: Record<string, number>;
};
type Example = (typeof expected.examples)[number];

const FUSIONS = ["concat", "sum", "product", "bilinear", "tensor", "lmf", "attention", "gated"] as const;
const LABELS = manifest.task.labels;

beforeAll(() => {
  registerSuite(
    manifest,
    bundledFiles({ ...TINY_SUITE_CAPTION_FILES, ...TINY_SUITE_HEAD_FILES }),
    "test/fixtures/tiny-suite/models/tiny-suite/manifest.json",
  );
});

beforeEach(async () => {
  await setFault("pass");
});

function inputs(e: Example, withVoice = true): Record<string, unknown> {
  return { caption: e.caption, photo: { base64: e.photoBase64 }, ...(withVoice ? { voice: { base64: e.voiceBase64 } } : {}) };
}

async function predict(body: unknown): Promise<Predict> {
  const res = await postJson("/v1/suites/tiny-suite/predict", body);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get("server-timing")).toMatch(/total;dur=/);
  return JSON.parse(text) as Predict;
}

/** The served probabilities equal the offline reference (onnxruntime-node, same files) within 1e-3. */
function expectMatches(p: Predict, reference: readonly number[]): void {
  expect(p.predictions).toHaveLength(LABELS.length);
  for (const { label, score } of p.predictions) expect(Math.abs(score - reference[LABELS.indexOf(label)]!), label).toBeLessThan(1e-3);
  const best = LABELS[reference.indexOf(Math.max(...reference))];
  expect(p.predictions[0]!.label).toBe(best);
}

describe("bring your own suite: the three-modality fixture in workerd", () => {
  it("GET /v1/suites lists it with its modalities, encoders and fusion methods", async () => {
    const res = await SELF.fetch("http://edge/v1/suites");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { suites: { id: string; modalities: { name: string; kind: string; required: boolean; encoder: { runs: string } }[]; fusionMethods: string[]; defaultFusion: string; labels: string[] }[] };
    const s = body.suites.find((x) => x.id === "tiny-suite")!;
    expect(s).toBeDefined();
    expect(s.modalities.map((m) => [m.name, m.kind, m.required, m.encoder.runs])).toEqual([
      ["caption", "text", true, "edge"],
      ["photo", "image", true, "remote"],
      ["voice", "audio", false, "remote"],
    ]);
    expect([...s.fusionMethods].sort()).toEqual([...FUSIONS].sort());
    expect(s.defaultFusion).toBe("attention");
    expect(s.labels).toEqual(LABELS);
  });

  it("answers every fusion method as the offline reference does, each modality's features computed once", async () => {
    const e = expected.examples[0]!;
    const before = (await faultCounts()).forwarded;
    for (const [i, fusion] of FUSIONS.entries()) {
      const p = await predict({ inputs: inputs(e), fusion, topK: 3 });
      expect(p.suite).toBe("tiny-suite");
      expect(p.fusion).toBe(fusion);
      expect(p.modalitiesUsed).toEqual(["caption", "photo", "voice"]);
      expect(p.models.head).toMatch(new RegExp(`^tiny-suite-${fusion}@1\\.0\\.0\\+`));
      expect(Object.keys(p.models).sort()).toEqual(["caption", "head", "photo", "voice"]);
      // the first request computes the three modalities, every later one reads them from the cache
      const status = i === 0 ? "miss" : "hit";
      expect(p.cache).toEqual({ caption: status, photo: status, voice: status });
      expectMatches(p, e.heads[fusion].all);
    }
    expect((await faultCounts()).forwarded - before).toBe(2); // one photo and one voice inference in all
  });

  it("gets every showcase example right with the default fusion", async () => {
    for (const e of expected.examples) {
      const p = await predict({ inputs: inputs(e) });
      expect(p.fusion).toBe("attention");
      expect(p.predictions[0]!.label).toBe(e.label);
      expectMatches(p, e.heads.attention.all);
    }
  });

  it("answers without the optional voice (left out or null), from the same heads with voice masked", async () => {
    const e = expected.examples[1]!;
    for (const body of [{ inputs: inputs(e, false), fusion: "gated" }, { inputs: { ...inputs(e, false), voice: null }, fusion: "gated" }]) {
      const p = await predict(body);
      expect(p.modalitiesUsed).toEqual(["caption", "photo"]);
      expect(p.cache.voice).toBe("none");
      expect(p.models.voice).toBeUndefined();
      expectMatches(p, e.heads.gated.withoutVoice);
    }
    const full = await predict({ inputs: inputs(e), fusion: "gated" });
    expectMatches(full, e.heads.gated.all); // the voice does change the answer's probabilities
    expect(Math.abs(full.predictions[0]!.score - (await predict({ inputs: inputs(e, false), fusion: "gated" })).predictions[0]!.score)).toBeGreaterThan(1e-3);
  });

  it("a missing required modality is a 400 naming it", async () => {
    const e = expected.examples[2]!;
    for (const [missing, rest] of [
      ["photo", { caption: e.caption, voice: { base64: e.voiceBase64 } }],
      ["caption", { photo: { base64: e.photoBase64 } }],
    ] as const) {
      const res = await postJson("/v1/suites/tiny-suite/predict", { inputs: rest });
      expect(res.status).toBe(400);
      const body = (await res.json()) as ErrorBody & { error: { details?: { modality?: string } } };
      expect(body.error.code).toBe("missing_modality");
      expect(body.error.message).toContain(missing);
    }
  });

  it("multipart (one part per modality) gives the same answer as JSON", async () => {
    const e = expected.examples[2]!;
    const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const form = new FormData();
    form.set("caption", e.caption);
    form.set("photo", new Blob([bytes(e.photoBase64)], { type: "image/png" }), e.photo);
    form.set("voice", new Blob([bytes(e.voiceBase64)], { type: "audio/wav" }), e.voice);
    form.set("fusion", "lmf");
    const res = await SELF.fetch("http://edge/v1/suites/tiny-suite/predict", { method: "POST", body: form });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const p = JSON.parse(text) as Predict;
    expect(p.fusion).toBe("lmf");
    expectMatches(p, e.heads.lmf.all);
  });
});
