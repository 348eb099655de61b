/**
 * scripts/quantize/quantize-heads.ts on a suite that is not ours (the tiny fixture suite, small
 * heads, as a bring-your-own-suite user would run it): it exits 0, makes the heads it can int8,
 * keeps the manifest's checksums true to the files whatever each head's outcome, and a second run
 * changes nothing. Needs /usr/bin/python3 with onnx (CI installs python3-onnx).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSuiteManifest, sha256File } from "../../functions/suites/node";
import { readOnnxOpTypes } from "../../scripts/suite/onnx-graph";

const FIXTURE = "test/fixtures/tiny-suite/models/tiny-suite";
const hasOnnx = existsSync("/usr/bin/python3") && spawnSync("/usr/bin/python3", ["-c", "import onnx, numpy"]).status === 0;
const dir = mkdtempSync(join(tmpdir(), "edgefuse-quantize-heads-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync("npx", ["tsx", "scripts/quantize/quantize-heads.ts", join(dir, "tiny-suite"), ...args], { encoding: "utf8" });

describe.skipIf(!hasOnnx)("quantize-heads.ts on a bring-your-own suite", () => {
  it("makes heads int8 or keeps them fp32 with a reason, and the manifest stays true to the files", () => {
    cpSync(FIXTURE, join(dir, "tiny-suite"), { recursive: true });
    const first = run();
    expect(first.status, first.stdout + first.stderr).toBe(0);
    const m = readSuiteManifest(join(dir, "tiny-suite"));
    let int8 = 0;
    for (const h of m.heads) {
      const path = join(dir, "tiny-suite", h.file);
      expect(sha256File(path), h.file).toBe(h.sha256);
      expect(readFileSync(path).length).toBe(h.bytes);
      const line = first.stdout.split("\n").find((l) => l.startsWith(path))!;
      expect(line, h.file).toMatch(/: (int8, |kept fp32, )/);
      if (readOnnxOpTypes(readFileSync(path)).has("DequantizeLinear")) int8++;
      else expect(line).toMatch(/kept fp32, .+/); // a head left fp32 says why
    }
    expect(int8).toBeGreaterThan(0);
    expect(first.stdout).toMatch(new RegExp(`${int8} heads made int8`));
  }, 120_000);

  it("a second run changes nothing", () => {
    const before = readFileSync(join(dir, "tiny-suite", "manifest.json"), "utf8");
    const again = run();
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(readFileSync(join(dir, "tiny-suite", "manifest.json"), "utf8")).toBe(before);
    expect(again.stdout).toMatch(/0 heads made int8/);
  }, 120_000);

  it("a tight --bound keeps heads fp32 rather than failing, and a bad --bound is refused", () => {
    cpSync(FIXTURE, join(dir, "tight"), { recursive: true, force: true });
    const tight = spawnSync("npx", ["tsx", "scripts/quantize/quantize-heads.ts", join(dir, "tight"), "--bound", "1e-9"], { encoding: "utf8" });
    expect(tight.status, tight.stdout + tight.stderr).toBe(0);
    expect(tight.stdout).toMatch(/kept fp32, int8 outputs on random inputs differ/);
    const m = readSuiteManifest(join(dir, "tight"));
    for (const h of m.heads) expect(sha256File(join(dir, "tight", h.file))).toBe(h.sha256);
    const bad = spawnSync("npx", ["tsx", "scripts/quantize/quantize-heads.ts", join(dir, "tight"), "--bound", "zero"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--bound must be a positive number/);
  }, 120_000);
});
