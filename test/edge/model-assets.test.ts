// Model files come from the Worker's static assets and are verified against the manifest.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { assetFiles, ModelChecksumError, verifiedFiles } from "../../functions/edge/models/asset-files";
import { manifest } from "../../functions/edge/models/manifest";

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

  it("a missing file reads as null", async () => {
    expect(await assetFiles(env.ASSETS, SUITE_ASSET_PREFIX)("heads/nope.onnx")).toBeNull();
  });

  it("model files are not served to the public", async () => {
    const { SELF } = await import("cloudflare:test");
    const res = await SELF.fetch("http://edge/models/sort-of-clevr/manifest.json");
    expect(res.status).toBe(404);
  });
});
