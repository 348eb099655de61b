/**
 * The shipped heads are at the offline optimiser's fixed point (scripts/optimize/optimize-edge-models.ts
 * --check: re-optimising changes no byte), so onnxruntime-web has no graph work left at load and a
 * retrained suite that skipped the step fails here, not as a slow first answer.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("shipped heads", () => {
  it("are pre-optimised (optimize-edge-models.ts --check exits 0)", () => {
    const r = spawnSync("npx", ["tsx", "scripts/optimize/optimize-edge-models.ts", "--check"], { encoding: "utf8" });
    expect(r.stdout).not.toMatch(/NOT optimised/);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/already optimised/);
  }, 120_000);
});
