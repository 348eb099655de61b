// Every bad input gets a 4xx with a stable code in the protocol's error shape, quickly, and the
// server keeps answering afterwards.
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../functions/image-features/server.js";
import { authHeaders, binaryInfer, bodyOf, encode, jsonInfer, rawPixels, start } from "./helpers.js";

let server: RunningServer;
const INFER = "/v2/models/image-encoder/infer";
const MAX_BODY = 2 * 1024 * 1024;

beforeAll(async () => {
  server = await start({ limits: { maxImages: 4, maxBodyBytes: MAX_BODY, maxPixels: 2048 * 2048 } });
});
afterAll(() => server.close());

async function call(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<{ status: number; body: { error?: unknown; code?: unknown } }> {
  const res = await fetch(`${server.url}${path}`, { ...init, headers: { ...authHeaders({ "content-type": "application/json" }), ...init.headers } });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as { error?: unknown; code?: unknown } };
}

const infer = (body: string | Buffer, headers: Record<string, string> = {}) => call(INFER, { method: "POST", body: bodyOf(body), headers });
const bytesInput = (data: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ inputs: [{ name: "image", datatype: "BYTES", shape: [Array.isArray(data) ? data.length : 1], data, ...extra }] });

function expectError(r: { status: number; body: { error?: unknown; code?: unknown } }, status: number, code: string): void {
  expect({ status: r.status, code: r.body.code }).toEqual({ status, code });
  expect(typeof r.body.error).toBe("string");
}

describe("error cases", () => {
  let png: Buffer;
  let jpeg: Buffer;
  beforeAll(async () => {
    png = await encode(rawPixels(11), "png");
    jpeg = await encode(rawPixels(12), "jpeg");
  });

  it("rejects malformed requests", async () => {
    expectError(await infer("{not json"), 400, "invalid_json");
    expectError(await infer(JSON.stringify({ input: [] })), 400, "bad_request");
    expectError(await infer(JSON.stringify({ inputs: [{ name: "image", datatype: "INT64", shape: [1], data: [1] }] })), 400, "wrong_datatype");
    expectError(await infer(JSON.stringify({ inputs: [{ name: "image", datatype: "BYTES", shape: [2], data: [png.toString("base64")] }] })), 400, "wrong_shape");
    expectError(await infer(JSON.stringify({ inputs: [{ name: "image", datatype: "BYTES", shape: [1, 2], data: ["a", "b"] }] })), 400, "wrong_shape");
    expectError(await infer(JSON.stringify({ inputs: [{ name: "image", datatype: "FP32", shape: [1, 3, 64, 64], data: [] }] })), 400, "wrong_shape");
    expectError(await infer(JSON.stringify({ inputs: [{ name: "image", datatype: "FP32", shape: [1, 3, 75, 75], data: [1, 2] }] })), 400, "wrong_shape");
    expectError(await infer(JSON.stringify({ inputs: [{ name: "pixels", datatype: "BYTES", shape: [1], data: ["AAAA"] }] })), 400, "unknown_input");
    expectError(await infer(JSON.stringify({ inputs: [] })), 400, "missing_input");
    expectError(await infer(bytesInput([png.toString("base64")]).replace('"inputs"', '"outputs":[{"name":"logits"}],"inputs"')), 400, "unknown_output");
    expectError(await infer(bytesInput(["not base64!"])), 400, "invalid_base64");
    expectError(await infer(bytesInput(["aGVsbG8="], { parameters: { content_type: "str" } })), 415, "unsupported_content_type");
  });

  it("rejects bad binary framing", async () => {
    const { body, headerLength } = binaryInfer([png]);
    expectError(await infer(body, { "inference-header-content-length": String(body.length + 10) }), 400, "invalid_binary");
    expectError(await infer(body.subarray(0, body.length - 5), { "inference-header-content-length": String(headerLength) }), 400, "invalid_binary");
    expectError(await infer(Buffer.concat([body, Buffer.from("xx")]), { "inference-header-content-length": String(headerLength) }), 400, "invalid_binary");
  });

  it("rejects unknown models, versions and routes", async () => {
    expectError(await call("/v2/models/nope/infer", { method: "POST", body: "{}" }), 404, "unknown_model");
    expectError(await call("/v2/models/image-encoder/versions/9/infer", { method: "POST", body: "{}" }), 404, "unknown_model_version");
    expectError(await call("/v2/nothing"), 404, "not_found");
    expectError(await call(INFER), 405, "method_not_allowed");
  });

  it("rejects non-image, truncated and unsupported images", async () => {
    expectError(await infer(bytesInput([Buffer.from("definitely not an image").toString("base64")])), 415, "unsupported_image_format");
    const gif = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
    expectError(await infer(bytesInput([gif.toString("base64")])), 415, "unsupported_image_format");
    expectError(await infer(bytesInput([png.subarray(0, Math.floor(png.length / 2)).toString("base64")])), 400, "corrupt_image");
    expectError(await infer(bytesInput([jpeg.subarray(0, Math.floor(jpeg.length / 2)).toString("base64")])), 400, "corrupt_image");
    expectError(await infer(bytesInput([png.subarray(0, 20).toString("base64")])), 400, "corrupt_image");
  });

  it("rejects a decompression bomb quickly", async () => {
    // 10000 x 10000 black PNG: ~300 KB on the wire, 300 MB if decoded.
    const bomb = await sharp({ create: { width: 10000, height: 10000, channels: 3, background: "#000" } }).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(MAX_BODY / 2);
    const t0 = performance.now();
    const { body, headerLength } = binaryInfer([bomb]);
    expectError(await infer(body, { "inference-header-content-length": String(headerLength) }), 413, "image_too_large");
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("enforces images per request and body size", async () => {
    expectError(await infer(jsonInfer([png, png, png, png, png])), 413, "too_many_images");
    const big = Buffer.alloc(MAX_BODY + 1, 0x20);
    expectError(await infer(big), 413, "body_too_large");
    // Streamed (chunked) bodies without Content-Length are counted too.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 3; i++) c.enqueue(new Uint8Array(MAX_BODY / 2));
        c.close();
      },
    });
    const res = await fetch(`${server.url}${INFER}`, { method: "POST", body: stream, headers: authHeaders(), duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe("body_too_large");
  });

  it("requires a valid bearer token everywhere except the health probes", async () => {
    const noAuth = await fetch(`${server.url}${INFER}`, { method: "POST", body: jsonInfer([png]) });
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(((await noAuth.json()) as { code: string }).code).toBe("missing_token");
    for (const path of ["/v2", "/v2/models/image-encoder", "/metrics"]) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(401);
    }
    expectError(await call(INFER, { method: "POST", body: jsonInfer([png]), headers: { authorization: "Bearer wrong-token-0123456789" } }), 401, "invalid_token");
    expectError(await call(INFER, { method: "POST", body: jsonInfer([png]), headers: { authorization: "Basic dXNlcjpwYXNz" } }), 401, "missing_token");
  });

  it("still answers after all of the above", async () => {
    const res = await fetch(`${server.url}${INFER}`, { method: "POST", body: jsonInfer([png]), headers: authHeaders() });
    expect(res.status).toBe(200);
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
  });
});
