import { describe, expect, it } from "vitest";
import { featureKey, sha256Hex } from "../../functions/edge/cache/feature-key";

describe("feature keys", () => {
  it("hashes with SHA-256", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
  it("includes modality, model id and version", () => {
    expect(featureKey("text", { id: "m", version: "2" }, "ff")).toBe("text:m@2:ff");
    expect(featureKey("text", { id: "m", version: "2" }, "ff")).not.toBe(featureKey("text", { id: "m", version: "3" }, "ff"));
  });
});

describe("content-tagged versions", () => {
  it("a retrained file with the same version string gets different cache keys", async () => {
    const { contentVersion } = await import("../../functions/edge/models/manifest");
    const a = contentVersion({ version: "1.0.0", sha256: "aaaaaaaaaaaa1111" });
    const b = contentVersion({ version: "1.0.0", sha256: "bbbbbbbbbbbb1111" });
    expect(a).toBe("1.0.0+aaaaaaaaaaaa");
    expect(featureKey("image", { id: "m", version: a }, "ff")).not.toBe(featureKey("image", { id: "m", version: b }, "ff"));
  });
});
