// The trained encoder from models/manifest.json, when it exists: same server, same parity bar.
// Skipped only when the manifest (or its image section) is absent.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../functions/image-features/server.js";
import { authHeaders, encode, expectedTensor, jsonInfer, maxAbsDiff, rawPixels, readInfer, ROOT, runDirect, start } from "./helpers.js";

const MANIFEST = resolve(ROOT, "models/repository/soc-image/config.json");
const versions = existsSync(MANIFEST) ? Object.keys((JSON.parse(readFileSync(MANIFEST, "utf8")) as { versions: Record<string, unknown> }).versions).map(Number) : [];
const image = versions.length ? `${Math.max(...versions)}/model.onnx` : undefined;

describe.skipIf(!image)("trained image encoder (models/manifest.json)", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ manifestPath: MANIFEST });
  });
  afterAll(() => server?.close());

  it("serves the contract's shapes and matches running the ONNX directly within 1e-5", async () => {
    const meta = (await (await fetch(`${server.url}/v2/models/image-encoder`, { headers: authHeaders() })).json()) as { outputs: unknown };
    expect(meta.outputs).toEqual([
      { name: "pooled", datatype: "FP32", shape: [-1, 64] },
      { name: "grid", datatype: "FP32", shape: [-1, 225, 66] },
    ]);
    const raws = [rawPixels(21), rawPixels(22)];
    const res = await fetch(`${server.url}/v2/models/image-encoder/infer`, {
      method: "POST",
      body: jsonInfer(await Promise.all(raws.map((r) => encode(r, "png"))), { parameters: { binary_data_output: true } }),
      headers: authHeaders(),
    });
    expect(res.status).toBe(200);
    const { outputs } = await readInfer(res);
    const tensor = new Float32Array(2 * 3 * 75 * 75);
    raws.forEach((r, i) => tensor.set(expectedTensor(r), i * 3 * 75 * 75));
    const ref = await runDirect(tensor, 2, resolve(ROOT, "models/repository/soc-image", image!));
    expect(maxAbsDiff(outputs.get("pooled")!.data, ref.pooled!)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(outputs.get("grid")!.data, ref.grid!)).toBeLessThanOrEqual(1e-5);
  });
});
