// POST /v1/features/text through the whole Worker in workerd.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import reference from "../fixtures/suite-text-expected.json";
import { type ErrorBody, maxAbsDiff, postJson } from "./helpers";

type FeaturesBody = { dim: number; features: number[][]; model: { id: string; version: string; quantization: string }; cache: ("hit" | "miss")[] };

async function features(texts: unknown[]): Promise<FeaturesBody> {
  const res = await postJson("/v1/features/text", { texts });
  expect(res.status).toBe(200);
  return res.json();
}

describe("POST /v1/features/text", () => {
  it("returns one vector per text with the model and a Server-Timing header", async () => {
    const res = await postJson("/v1/features/text", { texts: ["what shape is the red object?", "hello world"] });
    expect(res.status).toBe(200);
    expect(res.headers.get("server-timing")).toMatch(/total;dur=/);
    const body = (await res.json()) as FeaturesBody;
    expect(body.features).toHaveLength(2);
    expect(body.features.every((f) => f.length === body.dim)).toBe(true);
    expect(body.model.version).toBeTruthy();
  });

  it("gives the same vector for the same text and different vectors for different texts", async () => {
    const a = await features(["is the blue object on the left or right?"]);
    const b = await features(["is the blue object on the left or right?", "how many objects run?"]);
    expect(b.features[0]).toEqual(a.features[0]);
    expect(maxAbsDiff(b.features[0]!, b.features[1]!)).toBeGreaterThan(1e-3);
  });

  it("serves repeated texts from the cache", async () => {
    const text = `a fresh text ${crypto.randomUUID()}`;
    const first = await features([text]);
    expect(first.cache).toEqual(["miss"]);
    const second = await features([text, text, "another " + crypto.randomUUID()]);
    expect(second.cache).toEqual(["hit", "hit", "miss"]);
    expect(second.features[0]).toEqual(first.features[0]);
  });

  it("matches onnxruntime-node on the same model file within 1e-4", async () => {
    const body = await features(reference.texts.map((e) => e.text));
    body.features.forEach((f, i) => expect(maxAbsDiff(f, reference.texts[i]!.features)).toBeLessThan(1e-4));
  });
});

describe("errors", () => {
  const cases: [string, () => Promise<Response>, number, string][] = [
    ["bad JSON", () => postJson("/v1/features/text", "{not json"), 400, "invalid_json"],
    ["wrong content type", () => SELF.fetch("http://edge/v1/features/text", { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" }), 415, "unsupported_media_type"],
    ["no texts field", () => postJson("/v1/features/text", {}), 400, "invalid_texts"],
    ["texts misspelt", () => postJson("/v1/features/text", { text: ["hi"] }), 400, "unknown_field"],
    ["empty list", () => postJson("/v1/features/text", { texts: [] }), 400, "no_texts"],
    ["non-string", () => postJson("/v1/features/text", { texts: [42] }), 400, "invalid_text"],
    ["empty string", () => postJson("/v1/features/text", { texts: [""] }), 400, "empty_text"],
    ["too many", () => postJson("/v1/features/text", { texts: Array(65).fill("x") }), 413, "too_many_texts"],
    ["over the token limit", () => postJson("/v1/features/text", { texts: ["ok", "red ".repeat(40)] }), 413, "text_too_long"],
    ["unknown route", () => SELF.fetch("http://edge/v1/nope"), 404, "not_found"],
  ];
  it.each(cases)("%s → %i %s", async (_name, call, status, code) => {
    const res = await call();
    expect(res.status).toBe(status);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe(code);
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
    expect(body.error.message.length).toBeGreaterThan(0);
  });
});

describe("health and models", () => {
  it("GET /healthz", async () => {
    const res = await SELF.fetch("http://edge/healthz");
    expect(await res.json()).toEqual({ ok: true });
  });
  it("GET /v1/models lists the text model with its dims", async () => {
    const res = await SELF.fetch("http://edge/v1/models");
    const body = (await res.json()) as { text: { id: string; dim: number; quantization: string } };
    expect(body.text.dim).toBeGreaterThan(0);
    expect(body.text.quantization).toMatch(/int8/);
  });
});
