// The trained encoder from models/repository/soc-image, when it exists: same server, same parity bar.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../functions/image-features/repository/load.js";
import type { RunningServer } from "../../functions/image-features/server.js";
import { authHeaders, encode, expectedTensor, jsonInfer, maxAbsDiff, rawPixels, readInfer, ROOT, runDirect, start } from "./helpers.js";

const REPOSITORY = resolve(ROOT, "models/repository");
const present = existsSync(resolve(REPOSITORY, "soc-image/config.json"));

describe.skipIf(!present)("trained image encoder (models/repository/soc-image)", () => {
  let server: RunningServer;
  let file: string;
  let version: string;
  let size: [number, number];
  beforeAll(async () => {
    const repo = await loadModel(resolve(REPOSITORY, "soc-image"));
    file = repo.file;
    version = String(repo.served.version);
    // Images of exactly the model's input size pass through bit-exactly (no letterbox, no resize).
    const [, , h, w] = repo.config.input.shape;
    size = [w!, h!];
    server = await start({ repositories: [REPOSITORY], models: ["soc-image"] });
  });
  afterAll(() => server?.close());

  it("serves the contract's shapes and matches running the ONNX directly within 1e-5", async () => {
    const meta = (await (await fetch(`${server.url}/v2/models/soc-image`, { headers: authHeaders() })).json()) as { outputs: unknown; versions: string[] };
    expect(meta.versions).toEqual([version]);
    expect(meta.outputs).toEqual([
      { name: "pooled", datatype: "FP32", shape: [-1, 64] },
      { name: "grid", datatype: "FP32", shape: [-1, 225, 66] },
    ]);
    const [w, h] = size;
    const raws = [rawPixels(21, w, h), rawPixels(22, w, h)];
    const res = await fetch(`${server.url}/v2/models/soc-image/versions/${version}/infer`, {
      method: "POST",
      body: jsonInfer(await Promise.all(raws.map((r) => encode(r, "png", w, h))), { parameters: { binary_data_output: true } }),
      headers: authHeaders(),
    });
    expect(res.status).toBe(200);
    const { outputs } = await readInfer(res);
    const tensor = new Float32Array(2 * 3 * w * h);
    raws.forEach((r, i) => tensor.set(expectedTensor(r, w * h), i * 3 * w * h));
    const ref = await runDirect(tensor, 2, file, size);
    expect(maxAbsDiff(outputs.get("pooled")!.data, ref.pooled!)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(outputs.get("grid")!.data, ref.grid!)).toBeLessThanOrEqual(1e-5);
  });
});
