// Model files come from the Worker's static assets and are verified against the manifest.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { assetFiles, ModelChecksumError, verifiedFiles } from "../../functions/edge/models/asset-files";
import { BUNDLED_HEAD_FILES } from "../../functions/edge/models/bundled-heads";
import { manifest } from "../../functions/edge/models/manifest";
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

  it("the heads bundled into the script are each suite's default head, byte for byte the file the manifest lists", async () => {
    for (const [id, files] of Object.entries(BUNDLED_HEAD_FILES)) {
      const m = findSuite(id)!.manifest;
      const head = m.heads.find((h) => h.fusion === m.defaultFusion)!;
      expect(Object.keys(files)).toEqual([head.file]);
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", files[head.file]!));
      expect([...digest].map((b) => b.toString(16).padStart(2, "0")).join("")).toBe(head.sha256);
      expect(await findSuite(id)!.files(env.ASSETS)(head.file)).toEqual(new Uint8Array(files[head.file]!));
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
