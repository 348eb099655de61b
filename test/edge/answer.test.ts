// POST /v1/answer and /v1/answer/batch through the whole Worker, against the real image-feature
// server (started by the global setup behind a pass-through fault proxy).
import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { type ErrorBody, postJson } from "./helpers";
import { faultCounts, scene, setFault } from "./scenes";

type Answer = { label: string; score: number };
type AnswerBody = {
  answers: Answer[];
  fusion: string;
  models: { text: string; image: string; head: string };
  cache: { text: "hit" | "miss"; image: "hit" | "miss" };
  timings: Record<string, number>;
  degraded?: boolean;
};
type BatchBody = { results: { question: string; answers: Answer[]; cache: { text: string } }[]; cache: { image: string }; fusion: string };

beforeEach(async () => {
  await setFault("pass");
});

describe("POST /v1/answer", () => {
  it("answers with ranked probabilities, model versions, cache status and Server-Timing", async () => {
    const s = await scene(1);
    const res = await postJson("/v1/answer", { question: s.questions[0]!.question, image: { base64: s.base64 }, fusion: "attention", topK: 3 });
    expect(res.status).toBe(200);
    expect(res.headers.get("server-timing")).toMatch(/total;dur=/);
    const body = (await res.json()) as AnswerBody;
    expect(body.answers).toHaveLength(3);
    expect(body.answers[0]!.score).toBeGreaterThanOrEqual(body.answers[1]!.score);
    const sum = body.answers.reduce((a, b) => a + b.score, 0);
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThanOrEqual(1 + 1e-6);
    expect(body.fusion).toBe("attention");
    expect(body.models.head).toMatch(/attention@/);
    expect(body.cache).toEqual({ text: expect.stringMatching(/hit|miss/), image: "miss" });
  });

  it("computes each modality once: a second question on the same image hits the image cache, a repeated question hits the text cache", async () => {
    const s = await scene(2);
    const q = `${s.questions[1]!.question}`;
    await setFault("pass");
    const first = (await (await postJson("/v1/answer", { question: q, image: { base64: s.base64 } })).json()) as AnswerBody;
    expect(first.cache.image).toBe("miss");
    const second = (await (await postJson("/v1/answer", { question: s.questions[2]!.question, image: { base64: s.base64 } })).json()) as AnswerBody;
    expect(second.cache.image).toBe("hit");
    const third = (await (await postJson("/v1/answer", { question: q, image: { base64: s.base64 } })).json()) as AnswerBody;
    expect(third.cache).toEqual({ text: "hit", image: "hit" });
    expect(third.answers).toEqual(first.answers);
    expect((await faultCounts()).forwarded).toBe(1); // the image server saw the image once
  });

  it("every fusion method answers, and an unknown one lists the valid methods", async () => {
    const s = await scene(3);
    for (const fusion of ["concat", "sum", "product", "bilinear", "attention", "text-only"]) {
      const res = await postJson("/v1/answer", { question: s.questions[0]!.question, image: { base64: s.base64 }, fusion });
      expect(res.status).toBe(200);
      const body = (await res.json()) as AnswerBody & { modalitiesUsed: string[] };
      expect(body.fusion).toBe(fusion);
      expect(body.modalitiesUsed).toEqual(fusion === "text-only" ? ["question"] : ["question", "image"]);
    }
    const res = await postJson("/v1/answer", { question: "what shape is the red object?", image: { base64: s.base64 }, fusion: "film" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody & { error: { details: { valid: string[] } } };
    expect(body.error.code).toBe("unknown_fusion");
    expect([...body.error.details.valid].sort()).toEqual(["attention", "bilinear", "concat", "product", "sum", "text-only"]);
  });

  it("multipart gives the same answer as JSON", async () => {
    const s = await scene(4);
    const q = s.questions[3]!.question;
    const json = (await (await postJson("/v1/answer", { question: q, image: { base64: s.base64 }, fusion: "bilinear" })).json()) as AnswerBody;
    const form = new FormData();
    form.set("question", q);
    form.set("fusion", "bilinear");
    form.set("image", new Blob([s.png], { type: "image/png" }), "scene.png");
    const res = await SELF.fetch("http://edge/v1/answer", { method: "POST", body: form });
    expect(res.status).toBe(200);
    const multipart = (await res.json()) as AnswerBody;
    expect(multipart.answers).toEqual(json.answers);
    expect(multipart.cache.image).toBe("hit");
  });
});

describe("POST /v1/answer/batch", () => {
  it("featurises the image once for all questions and matches single requests", async () => {
    const s = await scene(5);
    const questions = s.questions.map((q) => q.question);
    const res = await postJson("/v1/answer/batch", { questions, image: { base64: s.base64 }, fusion: "attention", topK: 2 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as BatchBody;
    expect(body.results.map((r) => r.question)).toEqual(questions);
    expect(body.cache.image).toBe("miss");
    expect((await faultCounts()).forwarded).toBe(1);
    for (let i = 0; i < questions.length; i++) {
      const single = (await (await postJson("/v1/answer", { question: questions[i], image: { base64: s.base64 }, fusion: "attention", topK: 2 })).json()) as AnswerBody;
      expect(single.answers.map((a) => a.label)).toEqual(body.results[i]!.answers.map((a) => a.label));
      single.answers.forEach((a, j) => expect(a.score).toBeCloseTo(body.results[i]!.answers[j]!.score, 5));
    }
  });
});

describe("bad input is a 4xx with a stable code", () => {
  const png = async () => (await scene(6)).base64;
  const cases: [string, () => Promise<Response>, number, string][] = [
    ["bad JSON", () => postJson("/v1/answer", "{"), 400, "invalid_json"],
    ["text/plain", () => SELF.fetch("http://edge/v1/answer", { method: "POST", headers: { "content-type": "text/plain" }, body: "x" }), 415, "unsupported_media_type"],
    ["no image", () => postJson("/v1/answer", { question: "what shape is the red object?" }), 400, "missing_image"],
    ["both base64 and url", async () => postJson("/v1/answer", { question: "q", image: { base64: await png(), url: "https://example.com/a.png" } }), 400, "invalid_image_field"],
    ["no question", async () => postJson("/v1/answer", { image: { base64: await png() } }), 400, "invalid_question"],
    ["empty question", async () => postJson("/v1/answer", { question: " ", image: { base64: await png() } }), 400, "empty_question"],
    ["question over the token limit", async () => postJson("/v1/answer", { question: "red ".repeat(100), image: { base64: await png() } }), 413, "text_too_long"],
    ["bad base64", () => postJson("/v1/answer", { question: "q", image: { base64: "!!!not base64!!!" } }), 400, "invalid_base64"],
    ["not an image", () => postJson("/v1/answer", { question: "q", image: { base64: btoa("hello, I am text") } }), 415, "unsupported_image_type"],
    ["truncated PNG", async () => postJson("/v1/answer", { question: "what shape is the red object?", image: { base64: (await png()).slice(0, 200) } }), 422, "invalid_image"],
    ["topK 0", async () => postJson("/v1/answer", { question: "q", image: { base64: await png() }, topK: 0 }), 400, "invalid_top_k"],
    ["allowDegraded not boolean", async () => postJson("/v1/answer", { question: "q", image: { base64: await png() }, allowDegraded: "maybe" }), 400, "invalid_flag"],
    ["loopback URL", () => postJson("/v1/answer", { question: "q", image: { url: "http://127.0.0.1:8081/x.png" } }), 400, "blocked_url"],
    ["file URL", () => postJson("/v1/answer", { question: "q", image: { url: "file:///etc/passwd" } }), 400, "blocked_url"],
    ["metadata URL", () => postJson("/v1/answer", { question: "q", image: { url: "http://169.254.169.254/latest/meta-data" } }), 400, "blocked_url"],
    ["batch with too many questions", async () => postJson("/v1/answer/batch", { questions: Array(33).fill("q"), image: { base64: await png() } }), 413, "too_many_questions"],
    ["batch with no questions", async () => postJson("/v1/answer/batch", { questions: [], image: { base64: await png() } }), 400, "invalid_questions"],
  ];
  it.each(cases)("%s → %i %s", async (_name, call, status, code) => {
    const res = await call();
    expect(res.status).toBe(status);
    expect(((await res.json()) as ErrorBody).error.code).toBe(code);
  });

  it("a text over the token limit names its modality, on /v1/answer and on a suite's predict", async () => {
    const answer = await postJson("/v1/answer", { question: "red ".repeat(100), image: { base64: await png() } });
    expect(answer.status).toBe(413);
    expect(((await answer.json()) as ErrorBody).error).toMatchObject({ code: "text_too_long", details: { modality: "question" } });
    const predict = await postJson("/v1/suites/sentiment/predict", { inputs: { text: "so good ".repeat(40) } });
    expect(predict.status).toBe(413);
    expect(((await predict.json()) as ErrorBody).error).toMatchObject({ code: "text_too_long", details: { modality: "text" } });
  });
});

describe("remote cache tiers", () => {
  it("a successful answer writes the image features to the Cache API, and to KV once reused, in the binary form", async () => {
    const { env } = await import("cloudflare:workers");
    const { imageCacheKey } = await import("../../functions/edge/features/image");
    const { decodeVectors } = await import("../../functions/edge/cache/tensor-codec");
    const s = await scene(7);
    // FEATURE_KV_WRITES = "on-reuse" (wrangler.toml): KV is written when the entry is read again.
    for (let i = 0; i < 2; i++) {
      const res = await postJson("/v1/answer", { question: s.questions[i]!.question, image: { base64: s.base64 } });
      expect(res.status).toBe(200);
    }
    const key = await imageCacheKey(s.png);
    let kv: ArrayBuffer | null = null;
    for (let i = 0; i < 50 && !kv; i++) {
      kv = await env.FEATURE_KV!.get(key, "arrayBuffer"); // written through waitUntil
      if (!kv) await new Promise((r) => setTimeout(r, 20));
    }
    const vectors = decodeVectors(new Uint8Array(kv!));
    expect(vectors?.pooled?.length).toBe(64);
    expect(vectors?.grid?.length).toBe(225 * 66);
    const cached = await caches.default.match("https://feature-cache.edgefuse.internal/" + encodeURIComponent(key));
    expect(cached?.status).toBe(200);
    await cached?.arrayBuffer();
  });
});
