/** The cache key of the Sort-of-CLEVR image features for some bytes (tests and tools read the cache by it). */
import { suite } from "../models/manifest";
import { remoteFeatureKey } from "./modalities";

export async function imageCacheKey(bytes: Uint8Array): Promise<string> {
  const image = suite.modalities.find((m) => m.name === "image")!;
  if (image.encoder.runs !== "remote") throw new Error("sort-of-clevr's image encoder must be remote");
  return remoteFeatureKey(image, image.encoder, bytes);
}
