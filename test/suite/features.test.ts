// suite:features on a CSV: text through the suite's tokenizer and encoder, photo and voice through the
// real feature function it starts on the packed encoders; the arrays equal the features the fixture's
// reference recorded for the same files (and hence what the edge is served), and CSV mistakes are named.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractFeatures } from "../../scripts/suite/extract-features";
import { FIXTURE, readNpy, userFolder } from "./helpers";

type Expected = { examples: { label: string; caption: string; photo: string; voice: string; features: Record<string, Record<string, number[]>> }[] };
const expected = JSON.parse(readFileSync(join(FIXTURE, "examples", "expected.json"), "utf8")) as Expected;

function csvFolder(rows: string[]): string {
  const dir = userFolder();
  for (const e of expected.examples) {
    copyFileSync(join(FIXTURE, "examples", e.photo), join(dir, e.photo));
    copyFileSync(join(FIXTURE, "examples", e.voice), join(dir, e.voice));
  }
  writeFileSync(join(dir, "examples.csv"), ["split,caption,photo,voice,label", ...rows].join("\n") + "\n");
  return dir;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe("suite:features", () => {
  it("computes each modality's features as they are served, with presence for the optional one", async () => {
    const [a, b, c] = expected.examples;
    const dir = csvFolder([
      `train,${a!.caption},${a!.photo},${a!.voice},${a!.label}`,
      `val,"${b!.caption}",${b!.photo},,${b!.label}`, // no voice: optional
      `test,${c!.caption},${c!.photo},${c!.voice},${c!.label}`,
    ]);
    const out = mkdtempSync(join(tmpdir(), "features-"));
    const lines: string[] = [];
    const counts = await extractFeatures({ from: dir, csv: "examples.csv", out, val: 0, test: 0, seed: 1, concurrency: 2 }, (l) => lines.push(l));
    expect(counts).toEqual({ train: 1, val: 1, test: 1 });
    expect(lines.join("\n")).toMatch(/starting the feature function/);
    for (const [split, e, voice] of [["train", a!, true], ["val", b!, false], ["test", c!, true]] as const) {
      const caption = readNpy(join(out, split, "caption.last_hidden_state.npy"));
      expect(caption.shape).toEqual([1, 16]);
      expect(maxAbsDiff(caption.data as Float32Array, e.features.caption!.last_hidden_state!)).toBeLessThan(1e-5);
      const grid = readNpy(join(out, split, "photo.grid.npy"));
      expect(grid.shape).toEqual([1, 16, 16]);
      expect(maxAbsDiff(grid.data as Float32Array, e.features.photo!.grid!)).toBeLessThan(1e-5);
      const pooled = readNpy(join(out, split, "photo.pooled.npy"));
      expect(maxAbsDiff(pooled.data as Float32Array, e.features.photo!.pooled!)).toBeLessThan(1e-5);
      const v = readNpy(join(out, split, "voice.embedding.npy"));
      const present = readNpy(join(out, split, "present.voice.npy"));
      expect(Array.from(present.data as Float32Array)).toEqual([voice ? 1 : 0]);
      if (voice) expect(maxAbsDiff(v.data as Float32Array, e.features.voice!.embedding!)).toBeLessThan(1e-5);
      else expect(Array.from(v.data as Float32Array).every((x) => x === 0)).toBe(true);
      expect(Array.from(readNpy(join(out, split, "labels.npy")).data as BigInt64Array)).toEqual([BigInt(["red", "green", "blue"].indexOf(e.label))]);
    }
    expect(JSON.parse(readFileSync(join(out, "suite.json"), "utf8"))).toMatchObject({ labels: ["red", "green", "blue"], optional: ["voice"] });
  });

  it("names CSV mistakes: unknown column, unknown label, a required modality left empty", async () => {
    const [a] = expected.examples;
    const run = (header: string, row: string) => {
      const dir = csvFolder([]);
      writeFileSync(join(dir, "examples.csv"), `${header}\n${row}\n`);
      return extractFeatures({ from: dir, csv: "examples.csv", out: mkdtempSync(join(tmpdir(), "features-")), val: 0, test: 0, seed: 1, concurrency: 1 }, () => {});
    };
    await expect(run("split,caption,foto,voice,label", `train,x,${a!.photo},,red`)).rejects.toThrow(/column 'foto' is not a modality, label, score or split \(did you mean 'photo'\?\)/);
    await expect(run("split,caption,photo,voice,label", `train,x,${a!.photo},,redd`)).rejects.toThrow(/row 2: label 'redd' is not in task.labels \(did you mean 'red'\?\)/);
    await expect(run("split,caption,photo,voice,label", `train,x,,,red`)).rejects.toThrow(/row 2: required modality 'photo' is empty/);
  });
});
