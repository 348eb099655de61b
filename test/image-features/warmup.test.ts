// The start-up warm-up item of each preprocessing kind (preprocess/warmup.ts) is a valid input for the
// shipped models' own preprocessing: a server whose warm-up failed would not start.
import { describe, expect, it } from "vitest";
import { createPreprocessor } from "../../functions/image-features/preprocess/index";
import { warmupItem } from "../../functions/image-features/preprocess/warmup";
import { loadRepository } from "../../functions/image-features/repository/load";

describe("warm-up items", () => {
  it("decode through every shipped model's preprocessing into finite, non-constant tensors", async () => {
    const models = await loadRepository("models/repository");
    expect(new Set(models.map((m) => m.config.preprocess.kind))).toEqual(new Set(["image", "audio"]));
    for (const m of models) {
      const pre = createPreprocessor(m.config.preprocess, { maxPixels: 40_000_000 });
      const out = new Float32Array(pre.itemSize);
      await pre.prepare(await warmupItem(m.config.preprocess), 0, out);
      expect(out.every(Number.isFinite), m.config.name).toBe(true);
      expect(Math.max(...out) - Math.min(...out), m.config.name).toBeGreaterThan(0);
    }
  });
});
