// The model repository: config schema (both version forms), version choice, fail-closed loading,
// and several models served side by side with their own versions and routes.
import { renameSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../functions/image-features/config.js";
import { ModelConfigSchema, servedVersion } from "../../functions/image-features/repository/config-schema.js";
import { loadRepository, RepositoryError } from "../../functions/image-features/repository/load.js";
import type { RunningServer } from "../../functions/image-features/server.js";
import { authHeaders, bodyOf, encode, FIXTURE_AUDIO_MODEL, FIXTURE_MODEL, fixtureAudioConfig, fixtureImageConfig, makeRepository, readInfer, start } from "./helpers.js";

const sha = (fixtureImageConfig().versions as Record<string, { sha256: string }>)["1"]!.sha256;

describe("config schema", () => {
  it("accepts the flat form and the versions form, and picks the pinned or highest version", () => {
    const flat = ModelConfigSchema.parse(fixtureImageConfig({ versions: undefined, version: 3, humanVersion: "3.0.0", sha256: sha, file: "3/model.onnx" }));
    expect(servedVersion(flat)).toEqual({ version: 3, humanVersion: "3.0.0", sha256: sha });
    const many = ModelConfigSchema.parse(fixtureImageConfig({ versions: { "1": { humanVersion: "1.0.0", sha256: sha }, "10": { humanVersion: "10.0.0", sha256: sha }, "2": { humanVersion: "2.0.0", sha256: sha } } }));
    expect(servedVersion(many).version).toBe(10); // numeric, not lexical
    expect(servedVersion(ModelConfigSchema.parse({ ...fixtureImageConfig({ versions: many.versions }), version: 2 })).humanVersion).toBe("2.0.0");
    // Defaults fill the preprocessing section.
    expect(flat.preprocess).toMatchObject({ fit: "letterbox", kernel: "lanczos3", channels: "RGB", layout: "NCHW", alpha: [255, 255, 255] });
  });

  it.each([
    ["no version at all", { versions: undefined }],
    ["a non-integer version key", { versions: { "1.0.0": { humanVersion: "1", sha256: sha } } }],
    ["a pinned version that is not listed", { version: 7 }],
    ["a file outside the version folder", { versions: undefined, version: 1, humanVersion: "1", sha256: sha, file: "model.onnx" }],
    ["a bad sha256", { versions: { "1": { humanVersion: "1", sha256: "abc" } } }],
    ["an input shape that does not match the image size", { input: { name: "image", datatype: "FP32", shape: [-1, 3, 64, 64] } }],
    ["a fixed batch dimension", { input: { name: "image", datatype: "FP32", shape: [1, 3, 75, 75] } }],
    ["an unknown kind", { kind: "video" }],
    ["an unknown preprocessing key", { preprocess: { kind: "image", size: [75, 75], stretch: true } }],
    ["preprocessing of another kind", { preprocess: { kind: "audio", sampleRate: 16000, samples: 8000, maxSeconds: 1 } }],
    ["duplicate output names", { outputs: [{ name: "a", datatype: "FP32", shape: [-1, 1] }, { name: "a", datatype: "FP32", shape: [-1, 1] }] }],
    ["an upper-case name", { name: "Soc-Image" }],
    ["a non-FP32 output", { outputs: [{ name: "a", datatype: "INT64", shape: [-1, 1] }] }],
  ])("rejects %s", (_, overrides) => {
    expect(ModelConfigSchema.safeParse(fixtureImageConfig(overrides)).success).toBe(false);
  });

  it("checks audio settings against the input shape", () => {
    expect(ModelConfigSchema.safeParse(fixtureAudioConfig()).success).toBe(true);
    expect(ModelConfigSchema.safeParse(fixtureAudioConfig({ input: { name: "audio", datatype: "FP32", shape: [-1, 16000] } })).success).toBe(false);
    expect(ModelConfigSchema.safeParse(fixtureAudioConfig({ preprocess: { kind: "audio", sampleRate: 16000, samples: 8000, minSeconds: 3, maxSeconds: 2 } })).success).toBe(false);
  });
});

describe("repository loading fails closed", () => {
  it("refuses a folder whose name differs from the config, a missing version file, and a name used twice", async () => {
    const renamed = makeRepository([{ config: fixtureImageConfig(), files: { "1": FIXTURE_MODEL } }]);
    renameSync(join(renamed, "fixture-image"), join(renamed, "other-name"));
    await expect(loadRepository(renamed)).rejects.toThrow(/must equal its folder name "other-name"/);
    await expect(loadRepository(makeRepository([{ config: fixtureImageConfig(), files: { "2": FIXTURE_MODEL } }]))).rejects.toThrow(/version 1 has no/);
    await expect(loadRepository(makeRepository([{ config: fixtureImageConfig(), files: { "1": FIXTURE_MODEL } }, { config: fixtureAudioConfig({ aliases: ["image-encoder"] }), files: { "1": FIXTURE_AUDIO_MODEL } }]))).rejects.toThrow(
      /route name "image-encoder" is used by both/,
    );
    await expect(loadRepository(makeRepository([]))).rejects.toThrow(RepositoryError);
  });
});

describe("several models and versions side by side", () => {
  let server: RunningServer;
  beforeAll(async () => {
    const two = { "1": { humanVersion: "1.0.0", sha256: sha }, "2": { humanVersion: "2.0.0", sha256: sha } };
    const repo = makeRepository([
      { config: fixtureImageConfig({ versions: two, aliases: [] }), files: { "1": FIXTURE_MODEL, "2": FIXTURE_MODEL } },
      { config: fixtureImageConfig({ name: "pinned-image", versions: two, version: 1, aliases: [], preprocess: { kind: "image", size: [75, 75], background: [0, 0, 0] } }), files: { "1": FIXTURE_MODEL, "2": FIXTURE_MODEL } },
      { config: fixtureAudioConfig(), files: { "1": FIXTURE_AUDIO_MODEL } },
    ]);
    server = await start({ repositories: [repo] });
  });
  afterAll(() => server.close());

  const meta = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: authHeaders() });
    return { status: res.status, body: (await res.json()) as { versions?: string[]; parameters?: Record<string, unknown>; code?: string } };
  };

  it("serves the highest version unless one is pinned, with the human version in metadata", async () => {
    expect(server.models).toEqual(["fixture-audio", "fixture-image", "pinned-image"]);
    const latest = await meta("/v2/models/fixture-image");
    expect(latest.body.versions).toEqual(["2"]);
    expect(latest.body.parameters?.human_version).toBe("2.0.0");
    const pinned = await meta("/v2/models/pinned-image");
    expect(pinned.body.versions).toEqual(["1"]);
    expect((await meta("/v2/models/fixture-image/versions/2")).status).toBe(200);
    expect((await meta("/v2/models/fixture-image/versions/1")).body.code).toBe("unknown_model_version");
    expect((await meta("/v2/models/fixture-image/versions/2.0.0")).body.code).toBe("unknown_model_version");
  });

  it("runs each model's own preprocessing: the padding colour differs between two configs of one ONNX file", async () => {
    // A white 150x50 image: white padding (border median) vs black padding (fixed).
    const raw = Buffer.alloc(150 * 50 * 3, 255);
    const img = await encode(raw, "png", 150, 50);
    const body = JSON.stringify({ inputs: [{ name: "input", datatype: "BYTES", shape: [1], data: [img.toString("base64")] }], outputs: [{ name: "pooled" }] });
    const run = async (model: string) => {
      const res = await fetch(`${server.url}/v2/models/${model}/infer`, { method: "POST", body: bodyOf(body), headers: authHeaders() });
      expect(res.status).toBe(200);
      return (await readInfer(res)).outputs.get("pooled")!.data;
    };
    const [a, b] = [await run("fixture-image"), await run("pinned-image")];
    expect(a.some((v, i) => Math.abs(v - b[i]!) > 1e-4)).toBe(true);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: authHeaders() })).text();
    expect(metrics).toMatch(/^image_features_images_total\{model="fixture-image"\} 1$/m);
    expect(metrics).toMatch(/^image_features_images_total\{model="pinned-image"\} 1$/m);
    expect(metrics).toMatch(/^image_features_execution_provider_info\{model="pinned-image",provider="cpu",model_id="pinned-image",version="1",human_version="1.0.0"\} 1$/m);
  });
});

describe("several repositories", () => {
  it("serves models from every --repository given, and refuses one name in two of them", async () => {
    const a = makeRepository([{ config: fixtureImageConfig(), files: { "1": FIXTURE_MODEL } }]);
    const b = makeRepository([{ config: fixtureAudioConfig(), files: { "1": FIXTURE_AUDIO_MODEL } }]);
    const config = loadConfig(["--repository", a, "--repository", b], { IMAGE_FEATURES_TOKEN: "x".repeat(20) });
    expect(config.repositories).toEqual([a, b]);
    expect(loadConfig([], { IMAGE_FEATURES_TOKEN: "x".repeat(20), IMAGE_FEATURES_REPOSITORY: `${a}:${b}` }).repositories).toEqual([a, b]);
    expect((await loadRepository(config.repositories)).map((m) => m.config.name)).toEqual(["fixture-image", "fixture-audio"]);
    await expect(loadRepository([a, a])).rejects.toThrow(/is in two repositories/);
  });
});

describe("the ONNX file must match its config", () => {
  it("refuses to start when config.json's input shape differs from the ONNX input", async () => {
    const repo = makeRepository([{ config: fixtureImageConfig({ input: { name: "image", datatype: "FP32", shape: [-1, 3, 64, 64] }, preprocess: { kind: "image", size: [64, 64] } }), files: { "1": FIXTURE_MODEL } }]);
    await expect(start({ repositories: [repo] })).rejects.toThrow(/has shape \[batch, 3, 75, 75\], config.json says \[-1, 3, 64, 64\]/);
  });
});
