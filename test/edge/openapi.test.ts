// The OpenAPI document covers every route the Worker has, and real responses match their schemas.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import app from "../../functions/edge/index";
import { AnswerBatchResponse, AnswerResponse } from "../../functions/edge/schemas/answer";
import { ErrorBody } from "../../functions/edge/schemas/common";
import { HealthResponse, ModelsResponse } from "../../functions/edge/schemas/models";
import { PredictResponse, SuiteSummary, SuitesResponse } from "../../functions/edge/schemas/suites";
import { TextFeaturesResponse } from "../../functions/edge/schemas/text-features";
import { postJson } from "./helpers";
import { scene, setFault } from "./scenes";

type Doc = { openapi: string; paths: Record<string, Record<string, unknown>> };

describe("GET /openapi.json", () => {
  it("documents every public route and method", async () => {
    const doc = (await (await SELF.fetch("http://edge/openapi.json")).json()) as Doc;
    expect(doc.openapi).toBe("3.1.0");
    const routes = app.routes.filter((r) => r.method !== "ALL" && r.path !== "/*" && !r.path.startsWith("/_bench"));
    expect(routes.length).toBeGreaterThanOrEqual(6);
    for (const r of routes) {
      const path = r.path.replace(/:(\w+)/g, "{$1}"); // Hono's :param is OpenAPI's {param}
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${path}`).toBeDefined();
    }
  });

  it("responses match the documented schemas", async () => {
    await setFault("pass");
    const s = await scene(300);
    HealthResponse.parse(await (await SELF.fetch("http://edge/healthz")).json());
    ModelsResponse.parse(await (await SELF.fetch("http://edge/v1/models")).json());
    TextFeaturesResponse.parse(await (await postJson("/v1/features/text", { texts: ["what shape is the red object?"] })).json());
    const single = await (await postJson("/v1/answer", { question: s.questions[0]!.question, image: { base64: s.base64 } })).json();
    expect(single).not.toHaveProperty("error");
    AnswerResponse.parse(single);
    AnswerBatchResponse.parse(await (await postJson("/v1/answer/batch", { questions: s.questions.map((q) => q.question), image: { base64: s.base64 } })).json());
    ErrorBody.parse(await (await postJson("/v1/answer", "{")).json());
    SuitesResponse.parse(await (await SELF.fetch("http://edge/v1/suites")).json());
    SuiteSummary.parse(await (await SELF.fetch("http://edge/v1/suites/sort-of-clevr")).json());
    const predicted = await (await postJson("/v1/suites/sort-of-clevr/predict", { inputs: { question: s.questions[0]!.question, image: { base64: s.base64 } }, explain: true })).json();
    expect(predicted).not.toHaveProperty("error");
    PredictResponse.parse(predicted);
    AnswerResponse.parse(await (await postJson("/v1/answer", { question: s.questions[1]!.question, image: { base64: s.base64 }, explain: true })).json());
    ErrorBody.parse(await (await postJson("/v1/suites/sort-of-clevr/predict", { inputs: {} })).json());
  });
});
