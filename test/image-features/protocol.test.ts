// Open Inference Protocol conformance against the real server (in-process, loopback, port 0).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../functions/image-features/server.js";
import {
  authHeaders,
  binaryInfer,
  encode,
  expectedTensor,
  jsonInfer,
  maxAbsDiff,
  rawPixels,
  bodyOf,
  readInfer,
  runDirect,
  start,
} from "./helpers.js";

let server: RunningServer;
let url: string;
const MODEL = "fixture-image";

beforeAll(async () => {
  server = await start();
  url = server.url;
});
afterAll(() => server.close());

const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, { method: "POST", body: bodyOf(body), headers: authHeaders({ "content-type": "application/json", ...headers }) });

describe("health and metadata", () => {
  it("answers live and ready without a token", async () => {
    for (const p of ["/v2/health/live", "/v2/health/ready"]) {
      const res = await fetch(`${url}${p}`);
      expect(res.status).toBe(200);
    }
    expect(await (await fetch(`${url}/v2/health/ready`)).json()).toEqual({ ready: true });
  });

  it("serves server metadata", async () => {
    const body = (await (await fetch(`${url}/v2`, { headers: authHeaders() })).json()) as Record<string, unknown>;
    expect(body.name).toBe("edgefuse-image-features");
    expect(typeof body.version).toBe("string");
    expect(body.extensions).toContain("binary_tensor_data");
  });

  it("serves model metadata with shapes, datatypes and the execution provider", async () => {
    const res = await fetch(`${url}/v2/models/${MODEL}`, { headers: authHeaders() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & { parameters: Record<string, unknown> };
    expect(body.name).toBe(MODEL);
    expect(body.versions).toEqual(["1"]); // integer versions, as Triton
    expect(body.platform).toBe("onnxruntime_onnx");
    expect(body.inputs).toEqual([{ name: "input", datatype: "BYTES", shape: [-1, 1] }]);
    expect(body.outputs).toEqual([
      { name: "pooled", datatype: "FP32", shape: [-1, 64] },
      { name: "grid", datatype: "FP32", shape: [-1, 225, 66] },
    ]);
    expect(body.parameters.execution_provider).toBe("cpu");
    expect(body.parameters.human_version).toBe("0.0.1");
    // The spec's $parameters: every value a scalar.
    for (const [k, v] of Object.entries(body.parameters)) expect(["string", "number", "boolean"], k).toContain(typeof v);
    const versioned = await fetch(`${url}/v2/models/${MODEL}/versions/1`, { headers: authHeaders() });
    expect(await versioned.json()).toEqual(body);
    // The legacy name (an alias in config.json) answers with the same model.
    const alias = await fetch(`${url}/v2/models/image-encoder`, { headers: authHeaders() });
    expect(await alias.json()).toEqual(body);
  });

  it("reports model readiness", async () => {
    const res = await fetch(`${url}/v2/models/${MODEL}/ready`, { headers: authHeaders() });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: MODEL, ready: true });
  });
});

describe("infer", () => {
  it("encodes base64 images in JSON and matches running the ONNX directly within 1e-5", async () => {
    const raws = [rawPixels(1), rawPixels(2), rawPixels(3)];
    const images = await Promise.all(raws.map((r) => encode(r, "png")));
    const res = await post(`/v2/models/${MODEL}/infer`, jsonInfer(images, { id: "req-1" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("server-timing")).toMatch(/preprocess;dur=.*queue;dur=.*infer;dur=/);
    const { header, outputs } = await readInfer(res);
    expect(header.model_name).toBe(MODEL);
    expect(header.model_version).toBe("1");
    expect(header.id).toBe("req-1");
    const pooled = outputs.get("pooled");
    const grid = outputs.get("grid");
    expect(pooled?.shape).toEqual([3, 64]);
    expect(grid?.shape).toEqual([3, 225, 66]);
    const tensor = new Float32Array(3 * 3 * 75 * 75);
    raws.forEach((r, i) => tensor.set(expectedTensor(r), i * 3 * 75 * 75));
    const ref = await runDirect(tensor, 3);
    expect(maxAbsDiff(pooled!.data, ref.pooled!)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(grid!.data, ref.grid!)).toBeLessThanOrEqual(1e-5);
  });

  it("accepts content_type base64 and the [N, 1] shape Triton clients send", async () => {
    const img = await encode(rawPixels(4), "png");
    const body = { inputs: [{ name: "image", datatype: "BYTES", shape: [1, 1], parameters: { content_type: "base64" }, data: [[img.toString("base64")]] }] };
    const res = await post(`/v2/models/${MODEL}/versions/1/infer`, JSON.stringify(body));
    expect(res.status).toBe(200);
  });

  it("speaks the binary tensor extension both ways and honours the outputs selection", async () => {
    const raws = [rawPixels(5), rawPixels(6)];
    const images = await Promise.all(raws.map((r) => encode(r, "png")));
    const { body, headerLength } = binaryInfer(images, { outputs: [{ name: "grid", parameters: { binary_data: true } }] });
    const res = await post(`/v2/models/${MODEL}/infer`, body, { "content-type": "application/octet-stream", "inference-header-content-length": String(headerLength) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    const { outputs } = await readInfer(res);
    expect([...outputs.keys()]).toEqual(["grid"]);
    const tensor = new Float32Array(2 * 3 * 75 * 75);
    raws.forEach((r, i) => tensor.set(expectedTensor(r), i * 3 * 75 * 75));
    const ref = await runDirect(tensor, 2);
    expect(maxAbsDiff(outputs.get("grid")!.data, ref.grid!)).toBeLessThanOrEqual(1e-5);
  });

  it("returns all outputs as binary with binary_data_output and mixes JSON and binary outputs", async () => {
    const img = await encode(rawPixels(7), "png");
    const allBinary = await readInfer(await post(`/v2/models/${MODEL}/infer`, jsonInfer([img], { parameters: { binary_data_output: true } })));
    expect([...allBinary.outputs.keys()]).toEqual(["pooled", "grid"]);
    const mixed = await post(
      `/v2/models/${MODEL}/infer`,
      jsonInfer([img], { outputs: [{ name: "pooled" }, { name: "grid", parameters: { binary_data: true } }] }),
    );
    const parsed = await readInfer(mixed);
    const outs = parsed.header.outputs as { name: string; data?: number[] }[];
    expect(outs[0]?.data).toHaveLength(64);
    expect(outs[1]?.data).toBeUndefined();
    expect(maxAbsDiff(parsed.outputs.get("pooled")!.data, allBinary.outputs.get("pooled")!.data)).toBe(0);
    expect(maxAbsDiff(parsed.outputs.get("grid")!.data, allBinary.outputs.get("grid")!.data)).toBe(0);
  });

  it("accepts an already-preprocessed FP32 tensor, in JSON and binary, with the same result as the image", async () => {
    const raw = rawPixels(8);
    const tensor = expectedTensor(raw);
    const fromImage = await readInfer(await post(`/v2/models/${MODEL}/infer`, jsonInfer([await encode(raw, "png")])));
    const json = { inputs: [{ name: "image", datatype: "FP32", shape: [1, 3, 75, 75], data: Array.from(tensor) }] };
    const fromJson = await readInfer(await post(`/v2/models/${MODEL}/infer`, JSON.stringify(json)));
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: "image", datatype: "FP32", shape: [1, 3, 75, 75], parameters: { binary_data_size: tensor.byteLength } }] }));
    const res = await post(`/v2/models/${MODEL}/infer`, Buffer.concat([header, Buffer.from(tensor.buffer)]), { "inference-header-content-length": String(header.length) });
    expect(res.status).toBe(200);
    const fromBinary = await readInfer(res);
    for (const name of ["pooled", "grid"]) {
      expect(maxAbsDiff(fromJson.outputs.get(name)!.data, fromImage.outputs.get(name)!.data)).toBe(0);
      expect(maxAbsDiff(fromBinary.outputs.get(name)!.data, fromImage.outputs.get(name)!.data)).toBe(0);
    }
  });

  it("decodes JPEG and WebP", async () => {
    const raw = rawPixels(9);
    for (const format of ["jpeg", "webp"] as const) {
      const res = await post(`/v2/models/${MODEL}/infer`, jsonInfer([await encode(raw, format)]));
      expect(res.status, format).toBe(200);
    }
  });

  it("counts requests by status in /metrics and names the provider", async () => {
    const text = await (await fetch(`${url}/metrics`, { headers: authHeaders() })).text();
    expect(text).toMatch(/image_features_requests_total\{route="infer",model="fixture-image",code="200"\} \d+/);
    expect(text).toMatch(/image_features_execution_provider_info\{model="fixture-image",provider="cpu"[^}]*\} 1/);
    for (const name of ["image_features_batch_size", "image_features_queue_seconds", "image_features_inference_seconds"]) {
      expect(text).toContain(`# TYPE ${name} histogram`);
    }
    expect(text).toMatch(/^image_features_queue_depth\{model="fixture-image"\} 0$/m);
    expect(text).toMatch(/^image_features_queue_depth\{model="fixture-audio"\} 0$/m);
  });
});
