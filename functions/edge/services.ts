/**
 * Per-isolate state: the feature caches, the head-output memo and the feature-function client (model sessions live in inference/suite-runtime.ts). Built on
 * first use (never at import time) and rebuilt only when the configuration that shapes it changes.
 */
import { FeatureClient } from "./clients/feature-client";
import { FUSED_MEMO_MAX_BYTES } from "./cache/caps";
import { type EdgeConfig, readConfig } from "./config";
import { KvWritePolicy } from "./cache/kv-write-policy";
import { LruCache } from "./cache/lru";
import { cacheApiStore, kvStore } from "./cache/remote-stores";
import { type RemoteStore, TieredFeatureCache, vectorsBytes } from "./cache/tiered-cache";
import { TextFeatureEncoder } from "./inference/text-encoder";
import { textModelFromTransformersJsFolder } from "./inference/text-model";
import { textEncoderOf } from "./inference/suite-runtime";

import { r2Files } from "./models/bundled-files";
import { VQA_SUITE_ID } from "./models/manifest";
import { suiteOr404 } from "./models/suites";

export interface Services {
  readonly config: EdgeConfig;
  /** The suite's encoder: the one the fusion heads were trained on. */
  readonly suiteText: TextFeatureEncoder;
  /** What /v1/features/text serves: the suite's encoder, or a drop-in folder from R2. */
  readonly featuresText: TextFeatureEncoder;
  readonly textCache: TieredFeatureCache;
  readonly imageCache: TieredFeatureCache;
  /** Head outputs per (head version, feature keys): see features/predict.ts. */
  readonly fusedCache: LruCache<Float32Array>;
  /** The feature function (any remote encoder a suite names); null when FEATURES_URL is unset. */
  readonly featureClient: FeatureClient | null;
}

let current: { key: string; services: Services } | null = null;

function remoteStores(env: Env, ttl: number): RemoteStore[] {
  const stores: RemoteStore[] = [];
  if (typeof caches !== "undefined") stores.push(cacheApiStore(caches.default, ttl));
  if (env.FEATURE_KV) stores.push(kvStore(env.FEATURE_KV, ttl));
  return stores;
}

export function getServices(env: Env): Services {
  const config = readConfig(env);
  const key = JSON.stringify(config) + (env.FEATURE_KV ? "|kv" : "");
  if (current?.key === key) return current.services;

  // The same encoder (and ONNX session) the Sort-of-CLEVR suite's predict path uses.
  const suiteText = textEncoderOf(suiteOr404(VQA_SUITE_ID), "question", env.ASSETS);
  let featuresText = suiteText;
  if (config.textModelSource.startsWith("r2:")) {
    const prefix = config.textModelSource.slice(3);
    featuresText = new TextFeatureEncoder(() => textModelFromTransformersJsFolder(r2Files(env.MODEL_BUCKET, prefix), { id: prefix, version: config.textModelVersion }));
  }
  const remotes = remoteStores(env, config.remoteCacheTtlSeconds);
  const kvPolicy = new KvWritePolicy({ writes: config.kvWrites, maxEntryBytes: config.kvMaxEntryBytes });
  const featureClient = config.featuresUrl
    ? new FeatureClient({
        baseUrl: config.featuresUrl,
        token: config.featuresToken || undefined,
        attemptTimeoutMs: config.featuresAttemptTimeoutMs,
        deadlineMs: config.featuresDeadlineMs,
        maxAttempts: config.featuresMaxAttempts,
        backoffBaseMs: 50,
        breakerFailures: config.breakerFailures,
        breakerCooldownMs: config.breakerCooldownMs,
      })
    : null;
  const services: Services = {
    config,
    suiteText,
    featuresText,
    textCache: new TieredFeatureCache(new LruCache(config.textCacheMaxEntries, config.textCacheMaxBytes, vectorsBytes), remotes, kvPolicy),
    imageCache: new TieredFeatureCache(new LruCache(config.imageCacheMaxEntries, config.imageCacheMaxBytes, vectorsBytes), remotes, kvPolicy),
    fusedCache: new LruCache<Float32Array>(50_000, FUSED_MEMO_MAX_BYTES, (v) => v.byteLength + 300),
    featureClient,
  };
  current = { key, services };
  return services;
}
