// The generic feature-function client against stand-in upstreams that answer the way this project's
// feature function, Triton and KServe do: which answers are the caller's fault (422), which are an
// outage or a contract mismatch (502/504, breaker failures), retries, per-model breakers, shapes.
import { describe, expect, it } from "vitest";
import { FeatureClient, type RemoteFeaturesRequest } from "../../functions/edge/clients/feature-client";
import { classifyUpstreamError, upstreamErrorCode } from "../../functions/edge/clients/upstream-errors";
import { AppError } from "../../functions/edge/errors";

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** An OIP infer response (binary extension) with the given outputs. */
function inferResponse(outputs: { name: string; shape: number[]; fill?: number }[]): Response {
  const datas = outputs.map((o) => new Float32Array(o.shape.reduce((a, b) => a * b, 1)).fill(o.fill ?? 0.25));
  const header = new TextEncoder().encode(
    JSON.stringify({ model_name: "m", outputs: outputs.map((o, i) => ({ name: o.name, datatype: "FP32", shape: o.shape, parameters: { binary_data_size: datas[i]!.byteLength } })) }),
  );
  const body = new Uint8Array(header.byteLength + datas.reduce((n, d) => n + d.byteLength, 0));
  body.set(header, 0);
  let at = header.byteLength;
  for (const d of datas) {
    body.set(new Uint8Array(d.buffer), at);
    at += d.byteLength;
  }
  return new Response(body, { headers: { "inference-header-content-length": String(header.byteLength) } });
}

interface Call {
  url: string;
  header: { inputs: { name: string; datatype: string; shape: number[] }[]; outputs: { name: string }[] };
}

/** A stand-in upstream: records each call and answers with the next scripted response. */
function upstream(answers: (() => Response | Promise<Response>)[]) {
  const calls: Call[] = [];
  const fetcher = (async (url: string | URL | Request, init?: RequestInit) => {
    const body = init!.body as Uint8Array;
    const headerLength = Number(new Headers(init!.headers).get("inference-header-content-length"));
    calls.push({ url: String(url), header: JSON.parse(new TextDecoder().decode(body.subarray(0, headerLength))) });
    const next = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    return next();
  }) as typeof fetch;
  return { calls, fetcher };
}

const client = (fetcher: typeof fetch, over: Partial<ConstructorParameters<typeof FeatureClient>[0]> = {}) =>
  new FeatureClient({ baseUrl: "https://features.example/", token: "t".repeat(20), attemptTimeoutMs: 500, deadlineMs: 2000, maxAttempts: 3, backoffBaseMs: 1, breakerFailures: 2, breakerCooldownMs: 60_000, fetcher, ...over });

const imageReq: RemoteFeaturesRequest = {
  model: "soc-image",
  version: 2,
  kind: "image",
  bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]),
  outputs: [{ name: "pooled", shape: [-1, 4] }, { name: "grid", shape: [-1, 3, 2] }],
};
const goodImage = () => inferResponse([{ name: "pooled", shape: [1, 4] }, { name: "grid", shape: [1, 3, 2] }]);

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return e instanceof AppError ? `${e.status} ${e.code}` : `threw ${String(e)}`;
  }
}

// Triton's own wording for contract mismatches (core/src/infer_request.cc, backends), all HTTP 400.
const TRITON_CONTRACT_ERRORS = [
  "unexpected datatype TYPE_FP32 for inference input 'image', expecting TYPE_STRING",
  "[request id: <id_unknown>] inference input 'input' data-type is 'BYTES', but model 'soc-image' expects 'FP32'",
  "[request id: <id_unknown>] unexpected shape for input 'image' for model 'soc-image'. Expected [-1,3,75,75], got [1,1]. ",
  "[request id: <id_unknown>] unexpected inference input 'input' for model 'soc-image'",
  "[request id: <id_unknown>] unexpected inference output 'pooled' for model 'soc-image'",
  "Request for unknown model: 'soc-image' version 2 is not at ready state",
  "Request for unknown model: 'soc-image' is not found",
];

describe("FeatureClient", () => {
  it("sends one BYTES input to /v2/models/{model}/versions/{v}/infer and returns outputs with dims", async () => {
    const { calls, fetcher } = upstream([goodImage]);
    const out = await client(fetcher).featurize(imageReq);
    expect(calls[0]!.url).toBe("https://features.example/v2/models/soc-image/versions/2/infer");
    expect(calls[0]!.header.inputs).toEqual([expect.objectContaining({ name: "input", datatype: "BYTES", shape: [1, 1] })]);
    expect(calls[0]!.header.outputs.map((o) => o.name)).toEqual(["pooled", "grid"]);
    expect(out.pooled!.dims).toEqual([4]);
    expect(out.grid!.dims).toEqual([3, 2]);
    expect(out.grid!.data.length).toBe(6);
  });

  it("works for audio models with their own codes and free (-1) dims", async () => {
    const { calls, fetcher } = upstream([() => inferResponse([{ name: "frames", shape: [1, 24, 8] }])]);
    const out = await client(fetcher).featurize({ model: "sentiment-audio", kind: "audio", bytes: new Uint8Array([82, 73, 70, 70]), outputs: [{ name: "frames", shape: [-1, -1, 8] }] });
    expect(calls[0]!.url).toBe("https://features.example/v2/models/sentiment-audio/infer");
    expect(out.frames!.dims).toEqual([24, 8]);
    const rejected = upstream([() => json(400, { error: "audio 0 is shorter than 0.25 s", code: "audio_too_short" })]);
    expect(await failure(client(rejected.fetcher).featurize({ model: "a", kind: "audio", bytes: new Uint8Array(4), outputs: [] }))).toBe("422 invalid_audio");
    const down = upstream([() => json(503, { error: "x", code: "not_ready" })]);
    expect(await failure(client(down.fetcher).featurize({ model: "a", kind: "audio", bytes: new Uint8Array(4), outputs: [] }))).toBe("502 audio_features_unavailable");
  });

  it.each(TRITON_CONTRACT_ERRORS)("Triton 400 %j → 502 image_features_bad_response, not retried, a breaker failure", async (message) => {
    const { calls, fetcher } = upstream([() => json(400, { error: message })]);
    const c = client(fetcher);
    expect(await failure(c.featurize(imageReq))).toBe("502 image_features_bad_response");
    expect(calls.length).toBe(1);
    expect(await failure(c.featurize(imageReq))).toBe("502 image_features_bad_response");
    expect(c.breaker("soc-image").state).toBe("open"); // threshold 2
    expect(await failure(c.featurize(imageReq))).toBe("502 image_features_unavailable");
    expect(calls.length).toBe(2); // open: failed fast without a call
  });

  it.each([
    [400, { error: "inputs[0].datatype must be BYTES", code: "wrong_datatype" }],
    [400, { error: "x", code: "wrong_shape" }],
    [400, { error: "x", code: "unknown_input" }],
    [400, { error: "x", code: "unknown_output" }],
    [400, { error: "x", code: "missing_input" }],
    [404, { error: "x", code: "unknown_model" }],
    [404, { error: "x", code: "unknown_model_version" }],
    [400, "not json at all"],
    [422, { error: "something the edge does not know" }],
    [413, { error: "x", code: "too_many_images" }],
  ])("our function's contract error %i %j → 502 bad_response and a breaker failure", async (status, body) => {
    const { fetcher } = upstream([() => (typeof body === "string" ? new Response(body, { status }) : json(status, body))]);
    const c = client(fetcher, { breakerFailures: 1 });
    expect(await failure(c.featurize(imageReq))).toBe("502 image_features_bad_response");
    expect(c.breaker("soc-image").state).toBe("open");
  });

  it.each([
    [415, { error: "image 0 is not PNG, JPEG or WebP", code: "unsupported_image_format" }, "422 invalid_image"],
    [400, { error: "image 0 is not a valid png", code: "corrupt_image" }, "422 invalid_image"],
    // oversize is the sender's to fix like the edge's own size limits: 413, not "could not be decoded"
    [413, { error: "image 0 exceeds the decoded pixel limit", code: "image_too_large" }, "413 image_too_large"],
    [400, { error: "corrupt_image: cannot identify image file" }, "422 invalid_image"], // Triton python backend, code as message prefix
  ])("an explicit rejection of the image (%i %j) → %s; the breaker stays closed", async (status, body, expected) => {
    const { fetcher } = upstream([() => json(status, body)]);
    const c = client(fetcher, { breakerFailures: 1 });
    const err = await c.featurize(imageReq).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(`${(err as AppError).status} ${(err as AppError).code}`).toBe(expected);
    expect(JSON.stringify((err as AppError).message)).not.toMatch(/cannot identify|pixel limit/); // upstream text never leaks
    expect(c.breaker("soc-image").state).toBe("closed");
  });

  it("an audio rejection code sent for an image is a contract error, not the caller's fault", async () => {
    const { fetcher } = upstream([() => json(415, { error: "x", code: "unsupported_audio_format" })]);
    expect(await failure(client(fetcher).featurize(imageReq))).toBe("502 image_features_bad_response");
  });

  it("401/403 are image_features_rejected and breaker failures", async () => {
    const { fetcher } = upstream([() => json(401, { error: "invalid bearer token", code: "invalid_token" })]);
    const c = client(fetcher, { breakerFailures: 1 });
    expect(await failure(c.featurize(imageReq))).toBe("502 image_features_rejected");
    expect(c.breaker("soc-image").state).toBe("open");
  });

  it("retries 429 and 5xx (Triton's UNAVAILABLE is 503), then answers", async () => {
    const { calls, fetcher } = upstream([() => json(503, { error: "exceeds maximum queue size" }), () => json(429, { code: "queue_full" }), goodImage]);
    const out = await client(fetcher).featurize(imageReq);
    expect(out.pooled!.data.length).toBe(4);
    expect(calls.length).toBe(3);
  });

  it("gives up after the attempts: 502 unavailable, one breaker failure per call", async () => {
    const { calls, fetcher } = upstream([() => json(500, { error: "boom" })]);
    const c = client(fetcher);
    expect(await failure(c.featurize(imageReq))).toBe("502 image_features_unavailable");
    expect(calls.length).toBe(3);
    expect(c.breaker("soc-image").state).toBe("closed");
  });

  it("a hanging upstream is a 504 timeout", async () => {
    const hang = (async (_u: unknown, init?: RequestInit) =>
      new Promise<Response>((_, reject) => init!.signal!.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))))) as typeof fetch;
    expect(await failure(client(hang, { attemptTimeoutMs: 20, deadlineMs: 60, maxAttempts: 2 }).featurize(imageReq))).toBe("504 image_features_timeout");
  });

  it("one breaker per model: a broken model fails fast, another model still answers", async () => {
    const { calls, fetcher } = upstream([() => json(400, { error: TRITON_CONTRACT_ERRORS[0] }), () => json(400, { error: TRITON_CONTRACT_ERRORS[0] }), goodImage]);
    const c = client(fetcher);
    await failure(c.featurize(imageReq));
    await failure(c.featurize(imageReq));
    expect(await failure(c.featurize(imageReq))).toBe("502 image_features_unavailable");
    const other = await c.featurize({ ...imageReq, model: "sentiment-face" });
    expect(other.pooled!.dims).toEqual([4]);
    expect(calls.length).toBe(3);
  });

  it.each([
    ["a missing output", () => inferResponse([{ name: "pooled", shape: [1, 4] }])],
    ["a wrong dim", () => inferResponse([{ name: "pooled", shape: [1, 5] }, { name: "grid", shape: [1, 3, 2] }])],
    ["a batch of two", () => inferResponse([{ name: "pooled", shape: [2, 4] }, { name: "grid", shape: [2, 3, 2] }])],
    ["NaN", () => inferResponse([{ name: "pooled", shape: [1, 4], fill: NaN }, { name: "grid", shape: [1, 3, 2] }])],
    ["garbage", () => new Response("\u0000garbage", { headers: { "inference-header-content-length": "3" } })],
  ])("%s is 502 bad_response and a breaker failure", async (_what, answer) => {
    const { fetcher } = upstream([answer]);
    const c = client(fetcher, { breakerFailures: 1 });
    expect(await failure(c.featurize(imageReq))).toBe("502 image_features_bad_response");
    expect(c.breaker("soc-image").state).toBe("open");
  });
});

describe("upstreamErrorCode / classifyUpstreamError", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  it("reads a code field or a code prefix of the message, nothing else", () => {
    expect(upstreamErrorCode(bytes('{"error":"x","code":"corrupt_image"}'))).toBe("corrupt_image");
    expect(upstreamErrorCode(bytes('{"error":"corrupt_image: bad"}'))).toBe("corrupt_image");
    expect(upstreamErrorCode(bytes('{"error":"[corrupt_image]: bad"}'))).toBe("corrupt_image");
    expect(upstreamErrorCode(bytes(`{"error":"${TRITON_CONTRACT_ERRORS[0]}"}`))).toBeNull();
    expect(upstreamErrorCode(bytes("<html>"))).toBeNull();
  });
  it("only named input rejections of the right modality are the caller's fault", () => {
    expect(classifyUpstreamError(400, bytes('{"code":"corrupt_image"}'), "image").kind).toBe("input-rejected");
    expect(classifyUpstreamError(400, bytes('{"code":"corrupt_image"}'), "audio").kind).toBe("contract");
    expect(classifyUpstreamError(400, bytes('{"error":"datatype mismatch"}'), "image").kind).toBe("contract");
    expect(classifyUpstreamError(503, bytes(""), "image").kind).toBe("retry");
    expect(classifyUpstreamError(403, bytes(""), "image").kind).toBe("auth");
  });
});
