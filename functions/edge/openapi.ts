/**
 * The OpenAPI 3.1 document, generated from the zod schemas in schemas/ (the one declaration of each
 * request and response). Built once per isolate on first request.
 */
import { z } from "zod";
import { AnswerBatchRequest, AnswerBatchResponse, AnswerRequest, AnswerResponse } from "./schemas/answer";
import { ErrorBody } from "./schemas/common";
import { HealthResponse, ModelsResponse } from "./schemas/models";
import { PredictRequest, PredictResponse, SuiteSummary, SuitesResponse } from "./schemas/suites";
import { TextFeaturesRequest, TextFeaturesResponse } from "./schemas/text-features";

const ref = (schema: z.ZodType) => ({ $ref: `#/components/schemas/${z.globalRegistry.get(schema)!.id}` });
const json = (schema: z.ZodType) => ({ "application/json": { schema: ref(schema) } });
const RETRY_AFTER = { "Retry-After": { description: "seconds until the rate-limit window resets", schema: { type: "integer" } } };
/** Error responses of an operation; every /v1 operation may also be rate limited (429) or misconfigured (503). */
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    [...new Set([...statuses, 429, 503])].map((s) => [String(s), { description: ERROR_TEXT[s] ?? "error", ...(s === 429 ? { headers: RETRY_AFTER } : {}), content: json(ErrorBody) }]),
  );

const ERROR_TEXT: Record<number, string> = {
  400: "bad input (invalid_json, invalid_texts, unknown_fusion, blocked_url, missing_modality, unknown_modality, invalid_input, no_head_for_modalities, ...)",
  401: "missing or wrong API key (unauthorized)",
  404: "not found (unknown_suite, not_found)",
  413: "too large (body_too_large, too_many_texts, text_too_long, image_too_large, ...)",
  415: "unsupported media type or image format",
  422: "the image could not be decoded (invalid_image)",
  429: "rate limited (rate_limited; see Retry-After)",
  503: "the deployment is misconfigured (misconfigured, auth_not_configured): fails closed",
  502: "the image-feature function failed (image_features_unavailable, image_features_bad_response, ...)",
  504: "the image-feature function timed out (image_features_timeout)",
};

const suiteParam = { name: "suite", in: "path", required: true, schema: { type: "string" }, description: "a suite id from GET /v1/suites, e.g. sort-of-clevr" };

const multipartAnswer = (batch: boolean) => ({
  "multipart/form-data": {
    schema: {
      type: "object",
      required: ["question"],
      properties: {
        image: { type: "string", format: "binary", description: "PNG, JPEG or WebP file (or send imageUrl)" },
        imageUrl: { type: "string", format: "uri" },
        question: batch ? { type: "array", items: { type: "string" }, description: "repeat the field once per question" } : { type: "string" },
        fusion: { type: "string", description: "a fusion method of the sort-of-clevr suite" },
        topK: { type: "integer", minimum: 1 },
        allowDegraded: { type: "boolean" },
        explain: { type: "boolean" },
      },
    },
  },
});

function build() {
  // Touch every schema so it is registered with its id before the registry is serialised.
  void [AnswerRequest, AnswerBatchRequest, AnswerResponse, AnswerBatchResponse, ErrorBody, HealthResponse, ModelsResponse, TextFeaturesRequest, TextFeaturesResponse, PredictRequest, PredictResponse, SuiteSummary, SuitesResponse];
  const { schemas } = z.toJSONSchema(z.globalRegistry, { target: "draft-2020-12", uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Record<string, unknown>> };
  for (const s of Object.values(schemas)) delete s.$schema;
  const security = [{ apiKey: [] }];
  return {
    openapi: "3.1.0",
    info: { title: "edgefuse", version: "0.1.0", description: "Multimodal intermediate fusion at the edge: question + image → answers." },
    servers: [{ url: "http://127.0.0.1:8787", description: "npm start" }],
    components: {
      schemas,
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "an API key from API_KEYS (only when AUTH_MODE is required)" } },
    },
    paths: {
      "/healthz": { get: { operationId: "health", summary: "Liveness, without loading any model", responses: { "200": { description: "ok", content: json(HealthResponse) }, "503": { description: ERROR_TEXT[503]!, content: json(ErrorBody) } } } },
      "/openapi.json": { get: { operationId: "openapi", summary: "This document", responses: { "200": { description: "OpenAPI 3.1", content: { "application/json": { schema: { type: "object" } } } } } } },
      "/v1/models": { get: { operationId: "models", summary: "The served models", security, responses: { "200": { description: "models", content: json(ModelsResponse) }, ...errors(401) } } },
      "/v1/features/text": {
        post: {
          operationId: "textFeatures",
          summary: "Text features for 1 to 64 texts (cached per text and model version)",
          security,
          requestBody: { required: true, content: json(TextFeaturesRequest) },
          responses: { "200": { description: "features", content: json(TextFeaturesResponse) }, ...errors(400, 401, 413, 415) },
        },
      },
      "/v1/answer": {
        post: {
          operationId: "answer",
          summary: "Answer one question about one image",
          security,
          requestBody: { required: true, content: { ...json(AnswerRequest), ...multipartAnswer(false) } },
          responses: { "200": { description: "answers", content: json(AnswerResponse) }, ...errors(400, 401, 413, 415, 422, 502, 504) },
        },
      },
      "/v1/suites": { get: { operationId: "suites", summary: "Every suite this edge serves: modalities, encoders, heads, labels", security, responses: { "200": { description: "suites", content: json(SuitesResponse) }, ...errors(401) } } },
      "/v1/suites/{suite}": {
        get: {
          operationId: "suite",
          summary: "One suite",
          security,
          parameters: [suiteParam],
          responses: { "200": { description: "the suite", content: json(SuiteSummary) }, ...errors(401, 404) },
        },
      },
      "/v1/suites/{suite}/predict": {
        post: {
          operationId: "predict",
          summary: "Predict with a suite from any of its modalities (JSON, or multipart with one part per modality)",
          security,
          parameters: [suiteParam],
          requestBody: {
            required: true,
            content: {
              ...json(PredictRequest),
              "multipart/form-data": {
                schema: {
                  type: "object",
                  description: "one part per modality, named like the modality (text fields for text, files for image and audio), plus the fields fusion, topK, allowDegraded, explain",
                  additionalProperties: true,
                  properties: { fusion: { type: "string" }, topK: { type: "integer", minimum: 1 }, allowDegraded: { type: "boolean" }, explain: { type: "boolean" } },
                },
              },
            },
          },
          responses: {
            "200": { description: "predictions", content: json(PredictResponse) },
            ...errors(400, 401, 404, 413, 415, 422, 502, 504),
          },
        },
      },
      "/v1/answer/batch": {
        post: {
          operationId: "answerBatch",
          summary: "Answer up to 32 questions about one image (featurised once)",
          security,
          requestBody: { required: true, content: { ...json(AnswerBatchRequest), ...multipartAnswer(true) } },
          responses: { "200": { description: "answers per question", content: json(AnswerBatchResponse) }, ...errors(400, 401, 413, 415, 422, 502, 504) },
        },
      },
    },
  };
}

let doc: ReturnType<typeof build> | null = null;
export function openApiDocument(): ReturnType<typeof build> {
  doc ??= build();
  return doc;
}
