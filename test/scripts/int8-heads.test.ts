/**
 * Every shipped fusion head stores its weights as int8 (scripts/quantize/quantize-heads.ts): each
 * constant weight of a MatMul/Gemm/FusedGemm with 256 or more elements comes through a
 * DequantizeLinear from an int8 tensor with symmetric per-channel scales (zero points 0, some value
 * of each channel at ±127), and nothing quantizes activations. Accuracy is the suites' evaluations'
 * business; parity with PyTorch is in models.test.ts and sentiment/models.test.ts.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readSuiteManifest, suiteDirs } from "../../functions/suites/node";
import { readOnnx, tensorValues } from "./helpers/onnx-proto";

const WEIGHT_SLOT: Record<string, number> = { MatMul: 1, Gemm: 1, FusedGemm: 1 };

describe.each(suiteDirs())("int8 heads of %s", (dir) => {
  const manifest = readSuiteManifest(dir);

  it.each(manifest.heads.map((h) => h.file))("%s: large weights are int8 behind DequantizeLinear, symmetric per channel", (file) => {
    const g = readOnnx(readFileSync(join(dir, file)));
    const ops = new Set(g.nodes.map((n) => n.opType));
    expect(ops.has("DynamicQuantizeLinear")).toBe(false);
    expect(ops.has("MatMulInteger")).toBe(false);
    const dq = new Map(g.nodes.filter((n) => n.opType === "DequantizeLinear").map((n) => [n.outputs[0]!, n]));
    let quantized = 0;
    for (const n of g.nodes) {
      const slot = WEIGHT_SLOT[n.opType];
      if (slot === undefined) continue;
      const name = n.inputs[slot]!;
      const direct = g.initializers.get(name);
      if (direct) {
        expect(direct.dims.reduce((a, b) => a * b, 1), `${n.name}: fp32 weight ${name}`).toBeLessThan(256);
        continue;
      }
      const d = dq.get(name);
      if (!d) continue; // an activation (attention's query·key, for one)
      const [qName, sName, zName] = d.inputs as [string, string, string];
      const q = g.initializers.get(qName)!;
      expect(q.dataType, qName).toBe(3); // int8
      const axis = Number(d.attrs.axis ?? 1);
      const channels = q.dims[axis < 0 ? q.dims.length + axis : axis]!;
      const scales = tensorValues(g.initializers.get(sName)!);
      expect(scales.length).toBe(channels);
      expect([...scales].every((s) => s > 0)).toBe(true);
      expect([...tensorValues(g.initializers.get(zName)!)].every((z) => z === 0)).toBe(true);
      expect(tensorValues(q).reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBe(127);
      quantized++;
    }
    expect(quantized, file).toBeGreaterThan(0);
  });
});
