/**
 * scripts/quantize/quantize-heads.ts on a suite that is not ours (the tiny fixture suite, small
 * heads, as a bring-your-own-suite user would run it): it exits 0, makes the heads it can int8,
 * keeps the manifest's checksums true to the files whatever each head's outcome, and a second run
 * changes nothing. Needs /usr/bin/python3 with onnx (CI installs python3-onnx).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSuiteManifest, sha256File } from "../../functions/suites/node";
import { readNpy, readNpyStrings, writeNpyF32, writeNpyI64, writeNpyStrings } from "../../scripts/suite/npy";
import { readOnnxOpTypes } from "../../scripts/suite/onnx-graph";

const FIXTURE = "test/fixtures/tiny-suite/models/tiny-suite";
const hasOnnx = existsSync("/usr/bin/python3") && spawnSync("/usr/bin/python3", ["-c", "import onnx, numpy"]).status === 0;
const dir = mkdtempSync(join(tmpdir(), "edgefuse-quantize-heads-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The script as a user runs it, from the repository root. */
const quantizeHeads = (...args: string[]) => spawnSync("npx", ["tsx", "scripts/quantize/quantize-heads.ts", ...args], { encoding: "utf8" });
const run = (...args: string[]) => quantizeHeads(join(dir, "tiny-suite"), ...args);

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
    const tight = quantizeHeads(join(dir, "tight"), "--bound", "1e-9");
    expect(tight.status, tight.stdout + tight.stderr).toBe(0);
    expect(tight.stdout).toMatch(/kept fp32, int8 outputs on random inputs differ/);
    const m = readSuiteManifest(join(dir, "tight"));
    for (const h of m.heads) expect(sha256File(join(dir, "tight", h.file))).toBe(h.sha256);
    const bad = quantizeHeads(join(dir, "tight"), "--bound", "zero");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--bound must be a positive number/);
  }, 120_000);
});

describe.skipIf(!hasOnnx)("quantize-heads.ts --features: judged on the suite's own test split", () => {
  /** A features folder as suite:features writes it for the tiny suite: seeded floats, labels, voice present on most rows. */
  function featuresFolder(): string {
    const out = join(dir, "features");
    mkdirSync(join(out, "test"), { recursive: true });
    let s = 7;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
    const n = 120;
    const f32 = (name: string, dims: number[]) => writeNpyF32(join(out, "test", `${name}.npy`), Float32Array.from({ length: n * dims.reduce((a, b) => a * b, 1) }, rnd), [n, ...dims]);
    f32("caption.last_hidden_state", [16]);
    f32("photo.pooled", [16]);
    f32("photo.grid", [16, 16]);
    f32("voice.embedding", [16]);
    writeNpyF32(join(out, "test", "present.voice.npy"), Float32Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : 1)), [n]);
    writeNpyI64(join(out, "test", "labels.npy"), Array.from({ length: n }, (_, i) => i % 3));
    return out;
  }

  it("keeps a head fp32 exactly when its test accuracy drops by more than --max-drop, and says both accuracies", () => {
    const features = featuresFolder();
    cpSync(FIXTURE, join(dir, "judged"), { recursive: true, force: true });
    const r = quantizeHeads(join(dir, "judged"), "--features", features, "--max-drop", "0");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const m = readSuiteManifest(join(dir, "judged"));
    for (const h of m.heads) {
      const path = join(dir, "judged", h.file);
      expect(sha256File(path)).toBe(h.sha256);
      const line = r.stdout.split("\n").find((l) => l.startsWith(path))!;
      const acc = /accuracy ([\d.]+)% fp32 → ([\d.]+)% int8/.exec(line);
      expect(acc, line).not.toBeNull();
      const drop = Number(acc![1]) - Number(acc![2]);
      const isInt8 = readOnnxOpTypes(readFileSync(path)).has("DequantizeLinear");
      expect(isInt8, line).toBe(drop <= 0);
      if (!isInt8) expect(line).toMatch(/kept fp32, int8 costs [\d.]+ points of accuracy \(> --max-drop 0\)/);
    }
  }, 180_000);

  it("refuses a folder without labels.npy and --features with several suites, before touching anything", () => {
    const r = quantizeHeads(join(dir, "judged"), "--features", dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--features: .*labels\.npy not found/);
    const two = quantizeHeads(join(dir, "judged"), join(dir, "tight"), "--features", join(dir, "features"));
    expect(two.status).toBe(2);
    expect(two.stderr).toMatch(/--features belongs to one suite/);
    const refusals: [string[], RegExp][] = [
      [[join(dir, "judged"), "--max-drop", "1"], /--max-drop and --split need --features/],
      [[join(dir, "judged"), "--features", join(dir, "features"), "--bound", "0.2"], /--bound .* does not apply with --features/],
      [[join(dir, "features"), "--bound", "0.2"], /is not a packed suite \(no manifest\.json\)/],
      [[join(dir, "judged"), "--features", join(dir, "features"), "--split", "tst"], /has no split "tst" \(it has test\)/],
    ];
    for (const [args, message] of refusals) {
      const r = quantizeHeads(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
  }, 120_000);

  it("refuses a features folder whose labels do not fit the suite", () => {
    const other = join(dir, "other-features");
    cpSync(join(dir, "features"), other, { recursive: true });
    writeNpyI64(join(other, "test", "labels.npy"), Array.from({ length: 120 }, (_, i) => 5 + (i % 3)));
    const r = quantizeHeads(join(dir, "judged"), "--features", other);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/has label 5, but suite tiny-suite has 3 labels/);
    writeNpyI64(join(other, "test", "labels.npy"), Array.from({ length: 120 }, (_, i) => i % 3));
    writeNpyStrings(join(other, "test", "label_names.npy"), ["x", "y", "z"]);
    const names = quantizeHeads(join(dir, "judged"), "--features", other);
    expect(names.status).toBe(2);
    expect(names.stderr).toMatch(/label_names\.npy lists x, y, z; suite tiny-suite's labels are/);
  }, 60_000);

  it("runs from another working directory (quantize.py is found beside the script)", () => {
    cpSync(FIXTURE, join(dir, "elsewhere"), { recursive: true, force: true });
    const tsx = join(process.cwd(), "node_modules", ".bin", "tsx");
    const r = spawnSync(tsx, [join(process.cwd(), "scripts/quantize/quantize-heads.ts"), join(dir, "elsewhere")], { encoding: "utf8", cwd: tmpdir() });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/[1-9]\d* heads made int8/);
  }, 120_000);
});

describe("npy round trip (scripts/suite/npy.ts)", () => {
  it("reads back what it writes: float32 with its shape, int64", () => {
    const f = join(dir, "a.npy");
    writeNpyF32(f, Float32Array.from([1.5, -2, 3.25, 0, 7, 8]), [2, 3]);
    const a = readNpy(f);
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data as Float32Array)).toEqual([1.5, -2, 3.25, 0, 7, 8]);
    const g = join(dir, "b.npy");
    writeNpyI64(g, [3, -1, 2 ** 40]);
    const b = readNpy(g);
    expect(b.shape).toEqual([3]);
    expect(Array.from(b.data as BigInt64Array, Number)).toEqual([3, -1, 2 ** 40]);
    const c = join(dir, "c.npy");
    writeNpyStrings(c, ["negative", "neutral", "positive", "é"]);
    expect(readNpyStrings(c)).toEqual(["negative", "neutral", "positive", "é"]);
  });
});
