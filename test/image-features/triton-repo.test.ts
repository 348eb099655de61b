// The generated Triton repository (npm run triton:repo -> models/triton): up to date with
// models/repository, every config.pbtxt valid against Triton's model-config schema, the ensemble
// exactly what the edge sends (BYTES "input") and expects (the FP32 outputs), max_batch_size
// consistent with the ONNX batch dimension, and ensemble steps that wire existing tensors.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { loadRepository } from "../../functions/image-features/repository/load.js";
import { writeTritonRepository } from "../../functions/image-features/triton/cli.js";
import { ROOT, fixtureRepository } from "./helpers.js";
import { MODEL_CONFIG_SCHEMA } from "./triton/model-config-schema.js";
import { type Field, nums, parsePbtxt, type Schema, str, sub, validate } from "./triton/pbtxt.js";
import { parseProto } from "./triton/proto-schema.js";

const TRITON = resolve(ROOT, "models/triton");
const REPOSITORY = resolve(ROOT, "models/repository");
const VENDOR_PROTO = resolve(ROOT, "../shared/vendor/triton/model_config.proto");
const vendor: Schema | undefined = existsSync(VENDOR_PROTO) ? parseProto(readFileSync(VENDOR_PROTO, "utf8")) : undefined;

function configs(root: string): Map<string, Field[]> {
  const out = new Map<string, Field[]>();
  for (const dir of readdirSync(root).sort()) {
    const path = join(root, dir, "config.pbtxt");
    if (existsSync(path)) out.set(dir, parsePbtxt(readFileSync(path, "utf8")));
  }
  return out;
}

const dimsOf = (t: Field[]) => nums(t, "dims");
const tensors = (c: Field[], section: "input" | "output") => sub(c, section).map((t) => ({ name: str(t, "name"), type: str(t, "data_type"), dims: dimsOf(t) }));

/** Checks any generated repository: schema, wiring, and agreement with the source configs. */
async function checkRepository(triton: string, repository: string): Promise<void> {
  const all = configs(triton);
  const models = await loadRepository(repository);
  expect(all.size).toBe(models.length * 3);
  for (const [dir, fields] of all) {
    expect(validate(fields, MODEL_CONFIG_SCHEMA, "ModelConfig"), dir).toEqual([]);
    if (vendor) expect(validate(fields, vendor, "ModelConfig"), `${dir} against vendor model_config.proto`).toEqual([]);
    expect(str(fields, "name"), "name must equal the folder").toBe(dir);
  }
  for (const m of models) {
    const c = m.config;
    const v = m.served.version;
    const ensemble = all.get(c.name)!;
    const pre = all.get(`${c.name}-preprocess`)!;
    const enc = all.get(`${c.name}-encoder`)!;
    // The ensemble: what the edge sends and expects.
    expect(str(ensemble, "platform")).toBe("ensemble");
    expect(tensors(ensemble, "input")).toEqual([{ name: "input", type: "TYPE_STRING", dims: [1] }]);
    expect(tensors(ensemble, "output")).toEqual(c.outputs.map((o) => ({ name: o.name, type: "TYPE_FP32", dims: o.shape.slice(1) })));
    expect(existsSync(join(triton, c.name, String(v)))).toBe(true);
    // Encoder: onnxruntime, dynamic batching, the ONNX tensors.
    expect(str(enc, "platform")).toBe("onnxruntime_onnx");
    expect(sub(enc, "dynamic_batching")).toHaveLength(1);
    expect(tensors(enc, "input")).toEqual([{ name: c.input.name, type: "TYPE_FP32", dims: c.input.shape.slice(1) }]);
    expect(tensors(enc, "output")).toEqual(tensors(ensemble, "output"));
    const onnx = join(triton, `${c.name}-encoder`, String(v), "model.onnx");
    expect(createHashOf(onnx)).toBe(m.served.sha256);
    // max_batch_size consistent with the ONNX file: a dynamic batch dimension, the same item dims.
    const session = await ort.InferenceSession.create(onnx);
    try {
      const input = session.inputMetadata.find((i) => i.name === c.input.name);
      expect(input?.isTensor).toBe(true);
      const shape = input && input.isTensor ? input.shape : [];
      const maxBatch = Number(str(enc, "max_batch_size"));
      expect(maxBatch).toBe(c.maxBatchSize);
      expect(maxBatch > 0 ? typeof shape[0] === "string" || shape[0] === -1 : true, `batch dim of ${c.name} is ${String(shape[0])}`).toBe(true);
      expect(shape.slice(1)).toEqual(c.input.shape.slice(1));
      for (const o of c.outputs) expect(session.outputNames).toContain(o.name);
    } finally {
      await session.release();
    }
    // Preprocessing: Python backend, BYTES in, the encoder's input out, settings = config.json.
    expect(str(pre, "backend")).toBe("python");
    expect(tensors(pre, "input")).toEqual([{ name: "input", type: "TYPE_STRING", dims: [1] }]);
    expect(tensors(pre, "output")).toEqual(tensors(enc, "input"));
    const preprocess = sub(pre, "parameters").find((p) => str(p, "key") === "preprocess");
    expect(JSON.parse(str(sub(preprocess!, "value")[0]!, "string_value")!)).toEqual(c.preprocess);
    expect(readFileSync(join(triton, `${c.name}-preprocess`, String(v), "model.py"), "utf8")).toBe(readFileSync(resolve(ROOT, "functions/image-features/triton/preprocess_model.py"), "utf8"));
    // Every model in a chain batches alike.
    for (const f of [ensemble, pre]) expect(Number(str(f, "max_batch_size"))).toBe(c.maxBatchSize);
    // Ensemble steps: existing models and versions, tensors that exist on both sides.
    const steps = sub(sub(ensemble, "ensemble_scheduling")[0]!, "step");
    expect(steps.map((s) => str(s, "model_name"))).toEqual([`${c.name}-preprocess`, `${c.name}-encoder`]);
    const produced = new Set(["input"]);
    for (const step of steps) {
      const target = all.get(str(step, "model_name")!)!;
      expect(Number(str(step, "model_version"))).toBe(v);
      expect(nums(sub(sub(target, "version_policy")[0]!, "specific")[0]!, "versions")).toEqual([v]);
      for (const entry of sub(step, "input_map")) {
        expect(tensors(target, "input").map((t) => t.name)).toContain(str(entry, "key"));
        expect(produced.has(str(entry, "value")!), `${str(entry, "value")} is produced before it is used`).toBe(true);
      }
      for (const entry of sub(step, "output_map")) {
        expect(tensors(target, "output").map((t) => t.name)).toContain(str(entry, "key"));
        produced.add(str(entry, "value")!);
      }
    }
    for (const o of c.outputs) expect(produced.has(o.name)).toBe(true);
  }
}

function createHashOf(path: string): string {
  return createHash("sha256").update(readFileSync(realpathSync(path))).digest("hex");
}

describe("Triton model repository (models/triton)", () => {
  it("is what `npm run triton:repo` generates from models/repository today", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "triton-"));
    const written = await writeTritonRepository(REPOSITORY, fresh, false);
    for (const rel of written) {
      const committed = join(TRITON, rel);
      expect(existsSync(committed), `${rel} missing: run npm run triton:repo`).toBe(true);
      if (rel.endsWith("model.onnx")) {
        expect(lstatSync(committed).isSymbolicLink()).toBe(true);
        expect(realpathSync(committed)).toBe(realpathSync(join(fresh, rel)));
      } else {
        expect(readFileSync(committed, "utf8"), `${rel} is stale: run npm run triton:repo`).toBe(readFileSync(join(fresh, rel), "utf8"));
      }
    }
  });

  it("parses against Triton's model-config schema, and wires the ensemble the edge calls", async () => {
    await checkRepository(TRITON, REPOSITORY);
  }, 60_000);

  it("names an ensemble for every remote encoder in the suite manifests", () => {
    const names = new Set(configs(TRITON).keys());
    const suites = readdirSync(resolve(ROOT, "models")).filter((d) => existsSync(resolve(ROOT, "models", d, "manifest.json")));
    let remote = 0;
    for (const s of suites) {
      const manifest = JSON.parse(readFileSync(resolve(ROOT, "models", s, "manifest.json"), "utf8")) as { modalities?: { encoder?: { runs?: string; model?: string } }[] };
      for (const m of manifest.modalities ?? []) {
        if (m.encoder?.runs !== "remote" || !m.encoder.model) continue;
        if (!existsSync(resolve(REPOSITORY, m.encoder.model, "config.json"))) continue; // not in the repository yet: the server would refuse too
        remote++;
        expect(names.has(m.encoder.model), `${s}: ${m.encoder.model}`).toBe(true);
      }
    }
    expect(remote).toBeGreaterThan(0);
  });

  it("generates valid image and audio repositories (the test fixtures), with copies when asked", async () => {
    const out = mkdtempSync(join(tmpdir(), "triton-fixture-"));
    await writeTritonRepository(fixtureRepository(), out, true);
    expect(lstatSync(join(out, "fixture-audio-encoder/1/model.onnx")).isSymbolicLink()).toBe(false);
    await checkRepository(out, fixtureRepository());
  }, 60_000);

  it("npm run triton:repo is a working command (writes, reports, fails closed on a bad repository)", () => {
    const out = mkdtempSync(join(tmpdir(), "triton-cli-"));
    const ok = spawnSync(process.execPath, ["--import", "tsx", "functions/image-features/triton/cli.ts", "--repository", fixtureRepository(), "--out", out, "--copy"], { cwd: ROOT, encoding: "utf8" });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Triton model repository written to .* \(ONNX copied\)/);
    expect(existsSync(join(out, "fixture-image/config.pbtxt"))).toBe(true);
    const bad = spawnSync(process.execPath, ["--import", "tsx", "functions/image-features/triton/cli.ts", "--repository", join(out, "nope"), "--out", out], { cwd: ROOT, encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/triton:repo failed: model repository .*nope is not a directory/);
  }, 60_000);

  it("the schema check catches what Triton would refuse", () => {
    const errors = (src: string) => validate(parsePbtxt(src), MODEL_CONFIG_SCHEMA, "ModelConfig");
    expect(errors('name: "x"\nmax_batch_size: 8')).toEqual([]);
    expect(errors('name: "x"\nmax_batch_sise: 8')[0]).toMatch(/no field "max_batch_sise"/);
    expect(errors('input [ { name: "a" data_type: TYPE_FP33 dims: [ 1 ] } ]')[0]).toMatch(/TYPE_FP33 is not a DataType/);
    expect(errors("max_batch_size: 1.5")[0]).toMatch(/expected an integer/);
    expect(errors("dynamic_batching { }\nensemble_scheduling { }")[0]).toMatch(/same oneof/);
    expect(errors('name: "a"\nname: "b"')[0]).toMatch(/not repeated/);
    expect(errors('parameters { key: "k" value: { string_value: 5 } }')[0]).toMatch(/expected a string/);
    expect(() => parsePbtxt('name: "x')).toThrow(/unterminated/);
    expect(() => parsePbtxt("input [ { name: \"a\" ")).toThrow();
  });

  it.skipIf(!vendor)("embeds the same schema as Triton's model_config.proto (../shared/vendor)", () => {
    for (const [message, fields] of Object.entries(MODEL_CONFIG_SCHEMA.messages)) {
      expect(vendor!.messages[message], message).toBeDefined();
      expect(fields, message).toEqual(vendor!.messages[message]);
    }
    for (const [e, values] of Object.entries(MODEL_CONFIG_SCHEMA.enums)) expect(values, e).toEqual(vendor!.enums[e]);
  });
});
