// Protocol details that must behave as Triton does, so the edge can swap servers: outputs [] means
// every output, the raw binary request form, the `input` BYTES name, and integer version URLs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../functions/image-features/server.js";
import { authHeaders, bodyOf, encode, rawPixels, readInfer, start } from "./helpers.js";

let server: RunningServer;
let png: Buffer;
beforeAll(async () => {
  server = await start();
  png = await encode(rawPixels(11), "png");
});
afterAll(() => server.close());

const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: "POST", body: bodyOf(body), headers: authHeaders({ "content-type": "application/json", ...headers }) });

describe("protocol fidelity", () => {
  it("outputs: [] returns every output, like no outputs at all", async () => {
    const base = { inputs: [{ name: "input", datatype: "BYTES", shape: [1, 1], data: [png.toString("base64")] }] };
    for (const outputs of [[], undefined]) {
      const res = await post("/v2/models/fixture-image/infer", JSON.stringify({ ...base, ...(outputs ? { outputs } : {}) }));
      expect(res.status).toBe(200);
      expect([...(await readInfer(res)).outputs.keys()]).toEqual(["pooled", "grid"]);
    }
  });

  it("accepts the raw binary request (Inference-Header-Content-Length: 0, body = the encoded item)", async () => {
    const raw = await post("/v2/models/fixture-image/infer", png, { "content-type": "application/octet-stream", "inference-header-content-length": "0" });
    expect(raw.status).toBe(200);
    expect(raw.headers.get("content-type")).toBe("application/octet-stream"); // outputs come back binary
    const rawOut = await readInfer(raw);
    expect(rawOut.outputs.get("pooled")!.shape).toEqual([1, 64]);
    const json = await readInfer(await post("/v2/models/fixture-image/infer", JSON.stringify({ inputs: [{ name: "input", datatype: "BYTES", shape: [1], data: [png.toString("base64")] }] })));
    expect([...rawOut.outputs.get("grid")!.data]).toEqual([...json.outputs.get("grid")!.data]);
    // An empty raw body, and a raw body that is not an image, are 4xx.
    expect((await post("/v2/models/fixture-image/infer", Buffer.alloc(0), { "inference-header-content-length": "0" })).status).toBe(400);
    expect((await post("/v2/models/fixture-image/infer", Buffer.from("{}"), { "inference-header-content-length": "0" })).status).toBe(415);
  });

  it("takes the BYTES input as `input` (the ensemble's name) or the ONNX input name, not both", async () => {
    const el = (name: string) => ({ name, datatype: "BYTES", shape: [1], data: [png.toString("base64")] });
    expect((await post("/v2/models/fixture-image/infer", JSON.stringify({ inputs: [el("input")] }))).status).toBe(200);
    expect((await post("/v2/models/fixture-image/infer", JSON.stringify({ inputs: [el("image")] }))).status).toBe(200);
    const both = await post("/v2/models/fixture-image/infer", JSON.stringify({ inputs: [el("input"), el("image")] }));
    expect(both.status).toBe(400);
    // FP32 goes only to the tensor input.
    const fp32 = await post("/v2/models/fixture-image/infer", JSON.stringify({ inputs: [{ name: "input", datatype: "FP32", shape: [1, 3, 75, 75], data: new Array(3 * 75 * 75).fill(0) }] }));
    expect(((await fp32.json()) as { code: string }).code).toBe("wrong_datatype");
  });

  it("routes integer-version URLs and answers the version in responses", async () => {
    const body = JSON.stringify({ inputs: [{ name: "input", datatype: "BYTES", shape: [1], data: [png.toString("base64")] }] });
    const res = await post("/v2/models/fixture-image/versions/1/infer", body);
    expect(res.status).toBe(200);
    expect((await readInfer(res)).header.model_version).toBe("1");
    expect((await post("/v2/models/fixture-image/versions/0.0.1/infer", body)).status).toBe(404);
    expect((await fetch(`${server.url}/v2/models/fixture-image/versions/1/ready`, { headers: authHeaders() })).status).toBe(200);
  });

  it("lists the repository (Triton's repository index)", async () => {
    const res = await post("/v2/repository/index", "{}");
    expect(await res.json()).toEqual([
      { name: "fixture-audio", version: "1", state: "READY" },
      { name: "fixture-image", version: "1", state: "READY" },
    ]);
  });
});
