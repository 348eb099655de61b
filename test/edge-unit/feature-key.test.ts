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
