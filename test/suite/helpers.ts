// Helpers for the bring-your-own-suite tests: a user folder rebuilt from the committed fixture suite
// (the files a user would bring), and a .npy reader for the features the extractor writes.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readSuiteManifest } from "../../functions/suites/node";

export const FIXTURE = resolve("test/fixtures/tiny-suite");
export const FIXTURE_SUITE = join(FIXTURE, "models", "tiny-suite");
export const FIXTURE_REPOSITORY = join(FIXTURE, "models", "repository");
export const TINY_BERT = resolve("test/fixtures/tiny-bert");

export function fixtureDescription(): string {
  return readFileSync(join(FIXTURE, "suite.yaml"), "utf8").replace("folder: ../tiny-bert", `folder: ${TINY_BERT}`);
}

/** A folder laid out as a user would: suite.yaml, encoders/*.onnx, heads/*.onnx + heads.json (the trainer's output). */
export function userFolder(description = fixtureDescription()): string {
  const dir = mkdtempSync(join(tmpdir(), "byo-suite-"));
  mkdirSync(join(dir, "encoders"));
  mkdirSync(join(dir, "heads"));
  copyFileSync(join(FIXTURE_REPOSITORY, "tiny-image", "1", "model.onnx"), join(dir, "encoders", "image.onnx"));
  copyFileSync(join(FIXTURE_REPOSITORY, "tiny-audio", "1", "model.onnx"), join(dir, "encoders", "audio.onnx"));
  const m = readSuiteManifest(FIXTURE_SUITE);
  for (const h of m.heads) copyFileSync(join(FIXTURE_SUITE, h.file), join(dir, h.file));
  writeFileSync(join(dir, "heads", "heads.json"), JSON.stringify({ heads: m.heads, defaultFusion: m.defaultFusion }, null, 2));
  writeFileSync(join(dir, "suite.yaml"), description);
  return dir;
}

export function readNpy(path: string): { shape: number[]; data: Float32Array | BigInt64Array } {
  const buf = readFileSync(path);
  const len = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + len).toString("latin1");
  const descr = /'descr': '([^']+)'/.exec(header)![1]!;
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const body = buf.subarray(10 + len);
  const copy = new Uint8Array(body).buffer;
  if (descr === "<f4") return { shape, data: new Float32Array(copy) };
  if (descr === "<i8") return { shape, data: new BigInt64Array(copy) };
  throw new Error(`${path}: unsupported dtype ${descr}`);
}
