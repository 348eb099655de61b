// suite:pack on a user folder: a valid suite with checksums and repository folders, and a clear error
// naming the problem for each kind of mistake in the description or the files (nothing written then).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ModelConfigSchema } from "../../functions/image-features/repository/config-schema";
import { checkSuiteFiles, readSuiteManifest } from "../../functions/suites/node";
import { DescriptionError } from "../../scripts/suite/description";
import { PackError } from "../../scripts/suite/encoders";
import { OnnxReadError, readOnnxSignature } from "../../scripts/suite/onnx-graph";
import { pack } from "../../scripts/suite/pack";
import { predictOffline } from "../../scripts/suite/offline-predict";
import { FIXTURE, FIXTURE_SUITE, fixtureDescription, userFolder } from "./helpers";

function outDirs() {
  const root = mkdtempSync(join(tmpdir(), "byo-out-"));
  return { root, out: join(root, "tiny-suite"), repository: join(root, "repository") };
}

async function packError(description: string, edit?: (dir: string) => void): Promise<string> {
  const dir = userFolder(description);
  edit?.(dir);
  const { root, out, repository } = outDirs();
  const err = await pack({ from: dir, out, repository }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  expect(err instanceof PackError || err instanceof DescriptionError).toBe(true);
  expect(readdirSync(root)).toEqual([]); // nothing half-written
  return (err as Error).message;
}

describe("suite:pack", () => {
  it("packs a user folder into a valid suite with checksums, and repository folders for remote encoders", async () => {
    const dir = userFolder();
    const { root, out, repository } = outDirs();
    const res = await pack({ from: dir, out, repository });
    const m = readSuiteManifest(out);
    expect(m.id).toBe("tiny-suite");
    expect(m.modalities.map((x) => [x.name, x.kind, x.required, x.encoder.runs])).toEqual([
      ["caption", "text", true, "edge"],
      ["photo", "image", true, "remote"],
      ["voice", "audio", false, "remote"],
    ]);
    expect(checkSuiteFiles(out, m, root)).toEqual([]);
    // same files, same checksums as the committed fixture (packed by the same command)
    const fixture = readSuiteManifest(FIXTURE_SUITE);
    expect(m.heads.map((h) => [h.id, h.sha256])).toEqual(fixture.heads.map((h) => [h.id, h.sha256]));
    expect(m.modalities.map((x) => x.encoder.sha256)).toEqual(fixture.modalities.map((x) => x.encoder.sha256));
    // tensor specs measured from the graphs: the grid's dims are symbolic in the ONNX file
    const photo = m.modalities.find((x) => x.name === "photo")!;
    expect(photo.encoder.outputs).toEqual([
      { name: "pooled", datatype: "FP32", shape: [-1, 16] },
      { name: "grid", datatype: "FP32", shape: [-1, 16, 16] },
    ]);
    for (const model of ["tiny-image", "tiny-audio"]) {
      const config = ModelConfigSchema.parse(JSON.parse(readFileSync(join(repository, model, "config.json"), "utf8")));
      expect(config.name).toBe(model);
      expect(existsSync(join(repository, model, "1", "model.onnx"))).toBe(true);
    }
    const audio = ModelConfigSchema.parse(JSON.parse(readFileSync(join(repository, "tiny-audio", "config.json"), "utf8")));
    expect(audio.preprocess).toMatchObject({ kind: "audio", sampleRate: 8000, samples: 4000 });
    const attention = m.heads.find((h) => h.fusion === "attention")!;
    expect(attention).toMatchObject({ maskInput: "mask", absent: "zeros", attentionGrid: { rows: 4, cols: 4, modality: "photo" } });
    expect(res.repositoryFolders.sort()).toEqual([join(repository, "tiny-audio"), join(repository, "tiny-image")]);
  });

  it("--optimize pre-optimises the heads for onnxruntime-web and records their new checksums", async () => {
    const { root, out, repository } = outDirs();
    const m = (await pack({ from: userFolder(), out, repository, optimize: true })).manifest;
    expect(checkSuiteFiles(out, m, root)).toEqual([]);
    const fixture = readSuiteManifest(FIXTURE_SUITE);
    expect(m.heads.filter((h, i) => h.sha256 !== fixture.heads[i]!.sha256).length).toBeGreaterThan(0);
    // same answers as the unoptimised heads on the fixture's reference features
    const e = (JSON.parse(readFileSync(join(FIXTURE, "examples", "expected.json"), "utf8")) as { examples: { features: Record<string, Record<string, number[]>>; heads: Record<string, { all: number[] }> }[] }).examples[0]!;
    const features = new Map(Object.entries(e.features).map(([mod, outs]) => [mod, new Map(Object.entries(outs).map(([o, v]) => [o, Float32Array.from(v)]))]));
    for (const h of m.heads) {
      const p = await predictOffline(out, m, h, features);
      p.probabilities.forEach((x, i) => expect(Math.abs(x - e.heads[h.fusion]!.all[i]!), h.id).toBeLessThan(1e-4));
    }
  });

  it("takes heads listed in the description (trained elsewhere) instead of the trainer's heads.json", async () => {
    const listed = fixtureDescription().replace(
      "heads: heads/heads.json",
      [
        "heads:",
        "  - file: heads/concat.onnx",
        "    fusion: concat",
        "    modalities: [caption, photo, voice]",
        "    inputs: { caption_last_hidden_state: caption.last_hidden_state, photo_pooled: photo.pooled, voice_embedding: voice.embedding }",
        "    maskInput: mask",
        "  - file: heads/attention.onnx",
        "    fusion: attention",
        "    modalities: [caption, photo, voice]",
        "    inputs: { caption_last_hidden_state: caption.last_hidden_state, photo_pooled: photo.pooled, photo_grid: photo.grid, voice_embedding: voice.embedding }",
        "    outputs: { logits: logits, attention: attention }",
        "    attentionGrid: { rows: 4, cols: 4, modality: photo }",
        "    maskInput: mask",
      ].join("\n"),
    );
    const { root, out, repository } = outDirs();
    const m = (await pack({ from: userFolder(listed), out, repository })).manifest;
    expect(checkSuiteFiles(out, m, root)).toEqual([]);
    expect(m.heads.map((h) => [h.id, h.fusion, h.absent, h.maskInput])).toEqual([
      ["tiny-suite-concat", "concat", "zeros", "mask"],
      ["tiny-suite-attention", "attention", "zeros", "mask"],
    ]);
    expect(m.defaultFusion).toBe("attention"); // from the description
    // a listed head that forgets a graph input is refused
    const missing = listed.replace(", voice_embedding: voice.embedding }\n    maskInput: mask\n  - file: heads/attention.onnx", " }\n    maskInput: mask\n  - file: heads/attention.onnx");
    expect(await packError(missing)).toMatch(/graph inputs voice_embedding are not declared/);
  });

  it("refuses to replace an existing suite without --force, and replaces it with --force", async () => {
    const dir = userFolder();
    const { out, repository } = outDirs();
    mkdirSync(out);
    writeFileSync(join(out, "keep.txt"), "user data");
    await expect(pack({ from: dir, out, repository })).rejects.toThrow(/already exists; pass --force/);
    expect(readFileSync(join(out, "keep.txt"), "utf8")).toBe("user data");
    await pack({ from: dir, out, repository, force: true });
    expect(existsSync(join(out, "keep.txt"))).toBe(false);
  });

  it("names an unknown key and suggests the right one", async () => {
    const msg = await packError(fixtureDescription().replace("required: false", "requird: false"));
    expect(msg).toMatch(/modalities\[2\]: unknown key 'requird' \(did you mean 'required'\?\)/);
  });

  it("names a wrong modality kind", async () => {
    const msg = await packError(fixtureDescription().replace("kind: image", "kind: picture"));
    expect(msg).toMatch(/modalities\[1\]\.kind: 'picture' is not a modality kind; use text \| image \| audio/);
  });

  it("names an encoder output the graph does not have", async () => {
    const msg = await packError(fixtureDescription().replace("model: tiny-image }", "model: tiny-image, outputs: [pooled, gird] }"));
    expect(msg).toMatch(/photo.*no output 'gird' \(did you mean 'grid'\?\)/);
  });

  it("names a head input that is not in the head's graph", async () => {
    const msg = await packError(fixtureDescription(), (dir) => {
      const p = join(dir, "heads", "heads.json");
      const j = JSON.parse(readFileSync(p, "utf8")) as { heads: { inputs: { name: string }[] }[] };
      j.heads[0]!.inputs[1]!.name = "photo_polled";
      writeFileSync(p, JSON.stringify(j));
    });
    expect(msg).toMatch(/input 'photo_polled' is not an input of concat.onnx \(did you mean 'photo_pooled'\?\)/);
  });

  it("names a head whose feature input does not fit the encoder output", async () => {
    const msg = await packError(fixtureDescription(), (dir) => {
      const p = join(dir, "heads", "heads.json");
      const j = JSON.parse(readFileSync(p, "utf8")) as { heads: { inputs: { output: string }[] }[] };
      j.heads[0]!.inputs[1]!.output = "grid"; // photo_pooled [16] fed from grid [16, 16]
      writeFileSync(p, JSON.stringify(j));
    });
    expect(msg).toMatch(/input 'photo_pooled' expects \[16\] per item, but photo.grid gives \[16,16\]/);
  });

  it("names a label set problem, a missing file and a file that is not ONNX", async () => {
    expect(await packError(fixtureDescription().replace("labels: [red, green, blue]", "labels: [red, red]"))).toMatch(/labels must be unique/);
    expect(await packError(fixtureDescription().replace("encoders/audio.onnx", "encoders/sound.onnx"))).toMatch(/file not found: .*sound.onnx/);
    expect(
      await packError(fixtureDescription(), (dir) => writeFileSync(join(dir, "encoders", "image.onnx"), "not a model")),
    ).toMatch(/image.onnx is not a readable ONNX model/);
  });

  it("the CLI exits 1 with the problem on stderr", () => {
    const dir = userFolder(fixtureDescription().replace("title:", "titel:"));
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/suite/pack.ts", "--from", dir, "--out", join(outDirs().root, "tiny-suite")], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown key 'titel' \(did you mean 'title'\?\)/);
  });
});

describe("ONNX signature reader", () => {
  it("reads names, types and shapes, and refuses bytes that are not ONNX", () => {
    const sig = readOnnxSignature(readFileSync("test/fixtures/tiny-bert/onnx/model_quantized.onnx"));
    expect(sig.inputs.map((x) => x.name)).toEqual(["input_ids", "attention_mask", "token_type_ids"]);
    expect(sig.outputs).toEqual([{ name: "last_hidden_state", datatype: "FP32", shape: [-1, -1, 16] }]);
    expect(sig.opset).toBeGreaterThanOrEqual(13);
    expect(() => readOnnxSignature(new TextEncoder().encode("{\"not\": \"onnx\"}"))).toThrow(OnnxReadError);
  });
});
