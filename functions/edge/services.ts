/**
 * Per-isolate state: the text encoder and the feature caches. Built on first use (never at import
 * time) and keyed by the configuration that shapes it, so a changed binding gets fresh state.
 */
import { LruCache } from "./cache/lru";
import { TextFeatureEncoder } from "./inference/text-encoder";
import { textModelFromTransformersJsFolder } from "./inference/text-model";
import { defaultTextModel } from "./models/default-text-model";
import { r2Files } from "./models/bundled-files";

export interface Services {
  readonly textEncoder: TextFeatureEncoder;
  readonly textCache: LruCache<Float32Array>;
}

let current: { key: string; services: Services } | null = null;

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function getServices(env: Env): Services {
  const source = env.TEXT_MODEL_SOURCE || "bundled";
  const key = [source, env.TEXT_CACHE_MAX_ENTRIES, env.TEXT_CACHE_MAX_BYTES].join("|");
  if (current?.key === key) return current.services;

  let load = defaultTextModel;
  if (source.startsWith("r2:")) {
    const prefix = source.slice(3);
    const bucket = env.MODEL_BUCKET;
    if (!bucket) throw new Error("TEXT_MODEL_SOURCE is r2:... but no MODEL_BUCKET binding is configured");
    load = () => textModelFromTransformersJsFolder(r2Files(bucket, prefix), { id: prefix, version: env.TEXT_MODEL_VERSION || "1" });
  }
  const services: Services = {
    textEncoder: new TextFeatureEncoder(load),
    textCache: new LruCache<Float32Array>(
      positiveInt(env.TEXT_CACHE_MAX_ENTRIES, 10_000),
      positiveInt(env.TEXT_CACHE_MAX_BYTES, 8 * 1024 * 1024),
      (v) => v.byteLength + 200, // vector plus key and bookkeeping
    ),
  };
  current = { key, services };
  return services;
}
