/**
 * Image features through the tiered cache; a miss goes to the image-feature function. Only a
 * validated response is cached: failures throw before anything is written.
 */
import { featureKey, sha256Hex } from "../cache/feature-key";
import type { TieredFeatureCache, WaitUntil } from "../cache/tiered-cache";
import type { ImageFeatures, ImageFeaturesClient } from "../clients/image-features-client";
import { AppError } from "../errors";
import { contentVersion, imageDims, manifest } from "../models/manifest";
import type { ServerTiming } from "../timing";
import type { CacheStatus } from "./text";

export async function imageCacheKey(bytes: Uint8Array): Promise<string> {
  return featureKey("image", { id: manifest.image.id, version: contentVersion(manifest.image) }, await sha256Hex(bytes));
}

export async function imageFeaturesFor(
  client: ImageFeaturesClient | null,
  cache: TieredFeatureCache,
  bytes: Uint8Array,
  waitUntil: WaitUntil,
  timing: ServerTiming,
): Promise<{ key: string; features: ImageFeatures; cache: CacheStatus }> {
  const key = await imageCacheKey(bytes);
  const { pooledDim, gridCells, gridDim } = imageDims();
  // Concurrent requests about the same new image share one upstream call (single-flight).
  const found = await cache.getOrCompute(
    key,
    async () => {
      if (!client) throw new AppError(502, "image_features_not_configured", "no image-feature service is configured (IMAGE_FEATURES_URL)");
      const features = await timing.measure("image", () => client.featurize(bytes));
      return { pooled: features.pooled, grid: features.grid };
    },
    waitUntil,
    (v) => v.pooled?.length === pooledDim && v.grid?.length === gridCells * gridDim,
  );
  return { key, features: { pooled: found.value.pooled!, grid: found.value.grid! }, cache: found.tier ? "hit" : "miss" };
}
