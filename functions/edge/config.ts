/** Reading the Worker's configuration ([vars] and secrets) with defaults, in one place. */

function int(value: string | undefined, fallback: number, min = 1): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= min ? n : fallback;
}

export interface EdgeConfig {
  readonly textModelSource: string;
  readonly textModelVersion: string;
  readonly textCacheMaxEntries: number;
  readonly textCacheMaxBytes: number;
  readonly imageCacheMaxEntries: number;
  readonly imageCacheMaxBytes: number;
  readonly remoteCacheTtlSeconds: number;
  readonly imageFeaturesUrl: string;
  readonly imageFeaturesToken: string;
  readonly imageFeaturesModel: string;
  readonly imageFeaturesAttemptTimeoutMs: number;
  readonly imageFeaturesDeadlineMs: number;
  readonly imageFeaturesMaxAttempts: number;
  readonly breakerFailures: number;
  readonly breakerCooldownMs: number;
  readonly imageUrlAllowPrivate: boolean;
  readonly imageUrlTimeoutMs: number;
}

export function readConfig(env: Env): EdgeConfig {
  return {
    textModelSource: env.TEXT_MODEL_SOURCE || "bundled",
    textModelVersion: env.TEXT_MODEL_VERSION || "1",
    textCacheMaxEntries: int(env.TEXT_CACHE_MAX_ENTRIES, 10_000),
    textCacheMaxBytes: int(env.TEXT_CACHE_MAX_BYTES, 8 * 1024 * 1024),
    imageCacheMaxEntries: int(env.IMAGE_CACHE_MAX_ENTRIES, 500),
    imageCacheMaxBytes: int(env.IMAGE_CACHE_MAX_BYTES, 32 * 1024 * 1024),
    remoteCacheTtlSeconds: int(env.FEATURE_CACHE_TTL_SECONDS, 7 * 24 * 3600),
    imageFeaturesUrl: env.IMAGE_FEATURES_URL ?? "",
    imageFeaturesToken: env.IMAGE_FEATURES_TOKEN ?? "",
    imageFeaturesModel: env.IMAGE_FEATURES_MODEL || "image-encoder",
    imageFeaturesAttemptTimeoutMs: int(env.IMAGE_FEATURES_ATTEMPT_TIMEOUT_MS, 2000),
    imageFeaturesDeadlineMs: int(env.IMAGE_FEATURES_DEADLINE_MS, 5000),
    imageFeaturesMaxAttempts: int(env.IMAGE_FEATURES_MAX_ATTEMPTS, 3),
    breakerFailures: int(env.IMAGE_FEATURES_BREAKER_FAILURES, 5),
    breakerCooldownMs: int(env.IMAGE_FEATURES_BREAKER_COOLDOWN_MS, 10_000),
    imageUrlAllowPrivate: env.IMAGE_URL_ALLOW_PRIVATE === "1",
    imageUrlTimeoutMs: int(env.IMAGE_URL_TIMEOUT_MS, 5000),
  };
}
