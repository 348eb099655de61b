// models/triton/image-encoder/config.pbtxt must describe the same tensors as the manifest the
// Node server loads (fixture, and the trained models/manifest.json when present), so moving to
// Triton changes nothing a client can see.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadImageModelSpec } from "../../functions/image-features/manifest.js";
import { DEFAULTS } from "../../functions/image-features/config.js";
import { FIXTURE_MANIFEST, ROOT } from "./helpers.js";

const config = readFileSync(resolve(ROOT, "models/triton/image-encoder/config.pbtxt"), "utf8").replace(/#.*$/gm, "");

/** The `name`/`data_type`/`dims` of each tensor block in an input [...] or output [...] list. */
function tensors(section: "input" | "output"): { name: string; type: string; dims: number[] }[] {
  const list = new RegExp(`^${section} \\[([\\s\\S]*?)^\\]`, "m").exec(config)?.[1] ?? "";
  return [...list.matchAll(/name: "([^"]+)"\s+data_type: (\w+)\s+dims: \[([^\]]*)\]/g)].map((m) => ({
    name: m[1] ?? "",
    type: m[2] ?? "",
    dims: (m[3] ?? "").split(",").map((d) => Number(d.trim())),
  }));
}

const manifests = [FIXTURE_MANIFEST, resolve(ROOT, "models/repository/soc-image/config.json")].filter((p) => existsSync(p));

describe("Triton model configuration", () => {
  it("is an onnxruntime_onnx model named image-encoder with dynamic batching", () => {
    expect(config).toMatch(/^name: "image-encoder"$/m);
    expect(config).toMatch(/^platform: "onnxruntime_onnx"$/m);
    expect(Number(/^max_batch_size: (\d+)$/m.exec(config)?.[1])).toBe(DEFAULTS.batching.maxBatchSize);
    expect(config).toMatch(/dynamic_batching \{[\s\S]*preferred_batch_size: \[ 8, 16, 32 \][\s\S]*max_queue_delay_microseconds: 5000/);
    expect(Number(/max_queue_delay_microseconds: (\d+)/.exec(config)?.[1])).toBe(DEFAULTS.batching.maxQueueDelayMs * 1000);
    expect(config).toMatch(/instance_group \[[\s\S]*kind: KIND_GPU/);
  });

  it.each(manifests)("matches the tensors of %s", async (path) => {
    const spec = await loadImageModelSpec(path);
    expect(tensors("input")).toEqual([{ name: spec.input.name, type: "TYPE_FP32", dims: spec.input.shape.slice(1) }]);
    expect(tensors("output")).toEqual(spec.outputs.map((o) => ({ name: o.name, type: "TYPE_FP32", dims: o.shape.slice(1) })));
  });
});
