// GET /v1/suites and POST /v1/suites/{suite}/predict through the whole Worker, against the real
// feature function (global setup, behind the pass-through fault proxy).
import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { type ErrorBody, postJson } from "./helpers";
import { faultCounts, scene, setFault } from "./scenes";

type Prediction = { label: string; score: number };
type PredictBody = {
  suite: string;
  predictions: Prediction[];
  answerable?: boolean;
  fusion: string;
  modalitiesUsed: string[];
  models: Record<string, string>;
  cache: Record<string, "hit" | "miss" | "none">;
  timings: Record<string, number>;
  degraded?: boolean;
};
type SuiteSummary = { id: string; modalities: { name: string; kind: string; required: boolean; encoder: { runs: string } }[]; fusionMethods: string[]; defaultFusion: string; labels: string[] };

beforeEach(async () => {
  await setFault("pass");
});

const predict = (suite: string, body: unknown) => postJson(`/v1/suites/${suite}/predict`, body);

describe("GET /v1/suites", () => {
  it("lists sort-of-clevr with its modalities, encoders, fusion methods and labels", async () => {
    const res = await SELF.fetch("http://edge/v1/suites");
    expect(res.status).toBe(200);
    const { suites } = (await res.json()) as { suites: SuiteSummary[] };
    const soc = suites.find((s) => s.id === "sort-of-clevr")!;
    expect(soc.modalities.map((m) => [m.name, m.kind, m.required, m.encoder.runs])).toEqual([
      ["question", "text", true, "edge"],
      ["image", "image", true, "remote"],
    ]);
    expect(soc.fusionMethods).toEqual(expect.arrayContaining(["concat", "sum", "product", "bilinear", "attention"]));
    expect(soc.fusionMethods).toContain(soc.defaultFusion);
    expect(soc.labels).toContain("circle");
    const one = await SELF.fetch("http://edge/v1/suites/sort-of-clevr");
    expect(((await one.json()) as SuiteSummary).id).toBe("sort-of-clevr");
  });

  it("an unknown suite is a 404 naming the served ones", async () => {
    for (const res of [await SELF.fetch("http://edge/v1/suites/nope"), await predict("nope", { inputs: {} })]) {
      expect(res.status).toBe(404);
      const body = (await res.json()) as ErrorBody & { error: { details: { suites: string[] } } };
      expect(body.error.code).toBe("unknown_suite");
      expect(body.error.details.suites).toContain("sort-of-clevr");
    }
  });
});

describe("POST /v1/suites/sort-of-clevr/predict", () => {
  it("gives the same answers as /v1/answer for the same inputs, for every fusion", async () => {
    const s = await scene(11);
    for (const fusion of ["concat", "sum", "product", "bilinear", "attention"]) {
      for (const q of s.questions.slice(0, 3)) {
        const answer = (await (await postJson("/v1/answer", { question: q.question, image: { base64: s.base64 }, fusion, topK: 12 })).json()) as { answers: Prediction[]; answerable?: boolean; models: Record<string, string> };
        const res = await predict("sort-of-clevr", { inputs: { question: q.question, image: { base64: s.base64 } }, fusion, topK: 12 });
        expect(res.status).toBe(200);
        const p = (await res.json()) as PredictBody;
        expect(p.predictions).toEqual(answer.answers);
        expect(p.answerable).toBe(answer.answerable);
        expect(p.fusion).toBe(fusion);
        expect(p.modalitiesUsed).toEqual(["question", "image"]);
        expect(p.models).toEqual({ question: answer.models.text, image: answer.models.image, head: answer.models.head });
      }
    }
  });

  it("reports the cache status per modality, and the feature function sees each image once", async () => {
    const s = await scene(12);
    const before = (await faultCounts()).forwarded;
    const first = (await (await predict("sort-of-clevr", { inputs: { question: s.questions[0]!.question, image: { base64: s.base64 } } })).json()) as PredictBody;
    expect(first.cache.image).toBe("miss");
    const second = (await (await predict("sort-of-clevr", { inputs: { question: s.questions[0]!.question, image: { base64: s.base64 } } })).json()) as PredictBody;
    expect(second.cache).toEqual({ question: "hit", image: "hit" });
    expect(second.predictions).toEqual(first.predictions);
    expect((await faultCounts()).forwarded - before).toBe(1);
  });

  it("marks off-task questions answerable: false and still answers", async () => {
    const s = await scene(13);
    const on = (await (await predict("sort-of-clevr", { inputs: { question: "WHAT shape is the RED object", image: { base64: s.base64 } } })).json()) as PredictBody;
    expect(on.answerable).toBe(true);
    const off = (await (await predict("sort-of-clevr", { inputs: { question: "what colour is the square?", image: { base64: s.base64 } } })).json()) as PredictBody;
    expect(off.answerable).toBe(false);
    expect(off.predictions.length).toBeGreaterThan(0);
  });

  it("multipart (one part per modality) gives the same prediction as JSON", async () => {
    const s = await scene(14);
    const json = (await (await predict("sort-of-clevr", { inputs: { question: s.questions[1]!.question, image: { base64: s.base64 } }, fusion: "sum" })).json()) as PredictBody;
    const form = new FormData();
    form.set("question", s.questions[1]!.question);
    form.set("image", new File([s.png], "scene.png", { type: "image/png" }));
    form.set("fusion", "sum");
    const res = await SELF.fetch("http://edge/v1/suites/sort-of-clevr/predict", { method: "POST", body: form });
    expect(res.status).toBe(200);
    expect(((await res.json()) as PredictBody).predictions).toEqual(json.predictions);
  });

  it("a missing required modality is a 400 naming it", async () => {
    const s = await scene(15);
    const res = await predict("sort-of-clevr", { inputs: { question: s.questions[0]!.question } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody & { error: { details: { modality: string } } };
    expect(body.error.code).toBe("missing_modality");
    expect(body.error.details.modality).toBe("image");
    expect(body.error.message).toMatch(/inputs\.image/);
  });

  it("an unknown modality, a wrong input form, an unknown fusion and an unknown field are 400s with stable codes", async () => {
    const s = await scene(16);
    const cases: [unknown, string][] = [
      [{ inputs: { question: "what shape is the red object?", image: { base64: s.base64 }, voice: { base64: "AAAA" } } }, "unknown_modality"],
      [{ inputs: { question: 42, image: { base64: s.base64 } } }, "invalid_input"],
      [{ inputs: { question: "what shape is the red object?", image: "not an object" } }, "invalid_input"],
      [{ inputs: { question: "   ", image: { base64: s.base64 } } }, "empty_input"],
      [{ inputs: { question: "what shape is the red object?", image: { base64: s.base64 } }, fusion: "nope" }, "unknown_fusion"],
      [{ inputs: { question: "what shape is the red object?", image: { base64: s.base64 } }, topk: 3 }, "unknown_field"],
      [{ inputs: [] }, "invalid_inputs"],
    ];
    for (const [body, code] of cases) {
      const res = await predict("sort-of-clevr", body);
      expect(res.status, code).toBe(400);
      expect(((await res.json()) as ErrorBody).error.code).toBe(code);
    }
  });

  it("refuses bytes that are not an image before calling the feature function", async () => {
    const before = (await faultCounts()).forwarded;
    const res = await predict("sort-of-clevr", { inputs: { question: "what shape is the red object?", image: { base64: btoa("plain text, not a picture") } } });
    expect(res.status).toBe(415);
    expect(((await res.json()) as ErrorBody).error.code).toBe("unsupported_image_type");
    expect((await faultCounts()).forwarded).toBe(before);
  });

  it("with allowDegraded, a failing feature function gives a flagged answer from the question alone", async () => {
    const s = await scene(17);
    await setFault("error500");
    const res = await predict("sort-of-clevr", { inputs: { question: s.questions[0]!.question, image: { base64: s.base64 } }, allowDegraded: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as PredictBody;
    expect(body.degraded).toBe(true);
    expect(body.cache.image).toBe("none");
    expect(body.modalitiesUsed).toEqual(["question"]);
    await setFault("pass");
  });
});

describe("explain: true", () => {
  type Explained = PredictBody & { explanation: { attention?: { rows: number; cols: number; weights: number[] }; attribution: Record<string, number> } };

  it("attributes the top answer to each modality used, and attention heads return weights over the grid summing to 1", async () => {
    const s = await scene(18);
    const { suites } = (await (await SELF.fetch("http://edge/v1/suites")).json()) as { suites: (SuiteSummary & { heads: { fusion: string; explain: { attention: boolean } }[] })[] };
    const heads = suites.find((x) => x.id === "sort-of-clevr")!.heads;
    for (const h of heads.filter((x) => ["concat", "attention"].includes(x.fusion))) {
      const res = await predict("sort-of-clevr", { inputs: { question: s.questions[0]!.question, image: { base64: s.base64 } }, fusion: h.fusion, explain: true });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Explained;
      expect(Object.keys(body.explanation.attribution).sort()).toEqual([...body.modalitiesUsed].sort());
      for (const v of Object.values(body.explanation.attribution)) expect(Math.abs(v)).toBeLessThanOrEqual(1);
      if (h.explain.attention) {
        const a = body.explanation.attention!;
        expect(a.weights).toHaveLength(a.rows * a.cols);
        expect(Math.abs(a.weights.reduce((x, y) => x + y, 0) - 1)).toBeLessThanOrEqual(0.01);
      } else {
        expect(body.explanation.attention).toBeUndefined();
      }
      // Explaining does not change the answer.
      const plain = (await (await predict("sort-of-clevr", { inputs: { question: s.questions[0]!.question, image: { base64: s.base64 } }, fusion: h.fusion })).json()) as PredictBody;
      expect(plain.predictions).toEqual(body.predictions);
    }
  });

  it("/v1/answer and /v1/answer/batch carry the same explanation as predict", async () => {
    const s = await scene(19);
    const q = s.questions[2]!.question;
    const answer = (await (await postJson("/v1/answer", { question: q, image: { base64: s.base64 }, explain: true })).json()) as { explanation: Explained["explanation"] };
    const batch = (await (await postJson("/v1/answer/batch", { questions: [q], image: { base64: s.base64 }, explain: true })).json()) as { results: { explanation: Explained["explanation"] }[] };
    const p = (await (await predict("sort-of-clevr", { inputs: { question: q, image: { base64: s.base64 } }, explain: true })).json()) as Explained;
    expect(answer.explanation).toEqual(p.explanation);
    expect(batch.results[0]!.explanation).toEqual(p.explanation);
  });
});
