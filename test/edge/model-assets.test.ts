// Model files come from the Worker's static assets and are verified against the manifest.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { assetFiles, ModelChecksumError, verifiedFiles } from "../../functions/edge/models/asset-files";
import { BUNDLED_HEAD_FILES } from "../../functions/edge/models/bundled-heads";
import { manifest, VQA_SUITE_ID } from "../../functions/edge/models/manifest";
import { findSuite } from "../../functions/edge/models/suites";

const SUITE_ASSET_PREFIX = "models/sort-of-clevr/";

describe("model assets", () => {
  it("every head and the text encoder are readable and match their sha256", async () => {
    const read = verifiedFiles(assetFiles(env.ASSETS, SUITE_ASSET_PREFIX), [manifest.text, manifest.tokenizer, ...manifest.heads]);
    for (const entry of [manifest.text, manifest.tokenizer, ...manifest.heads]) {
      const bytes = await read(entry.file);
      expect(bytes?.byteLength).toBe(entry.bytes);
    }
  });

  it("a file whose bytes differ from the manifest is refused", async () => {
    const read = verifiedFiles(async () => new Uint8Array([1, 2, 3]), [manifest.text]);
    await expect(read(manifest.text.file)).rejects.toBeInstanceOf(ModelChecksumError);
  });

  it("the heads bundled into the script are all of the default suite's heads, byte for byte the files the manifest lists", async () => {
    expect(Object.keys(BUNDLED_HEAD_FILES)).toEqual([VQA_SUITE_ID]);
    for (const [id, files] of Object.entries(BUNDLED_HEAD_FILES)) {
      const m = findSuite(id)!.manifest;
      expect(Object.keys(files).sort()).toEqual(m.heads.map((h) => h.file).sort());
      for (const head of m.heads) {
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", files[head.file]!));
        expect([...digest].map((b) => b.toString(16).padStart(2, "0")).join(""), head.file).toBe(head.sha256);
        expect(await findSuite(id)!.files(env.ASSETS)(head.file)).toEqual(new Uint8Array(files[head.file]!));
      }
    }
  });

  it("a missing file reads as null", async () => {
    expect(await assetFiles(env.ASSETS, SUITE_ASSET_PREFIX)("heads/nope.onnx")).toBeNull();
  });

  it("model files are not served to the public", async () => {
    const { SELF } = await import("cloudflare:test");
    const res = await SELF.fetch("http://edge/models/sort-of-clevr/manifest.json");
    expect(res.status).toBe(404);
  });
});
