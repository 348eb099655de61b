/** Settings shared by vitest.config.ts (Worker bindings) and the workerd project's global setup. */
import { freePort } from "../../scripts/bench/lib";

export { freePort };

export const EDGE_TEST_TOKEN = "edge-test-token-0123456789";

/** The feature-function model the default suite's image modality names. */
export const EDGE_TEST_IMAGE_MODEL = "soc-image";

/** Bindings the Worker gets in the workerd tests: the fault proxy in front of the real image server. */
export function edgeTestBindings(proxyPort: number): Record<string, string> {
  return {
    IMAGE_FEATURES_URL: `http://127.0.0.1:${proxyPort}`,
    IMAGE_FEATURES_TOKEN: EDGE_TEST_TOKEN,
    IMAGE_FEATURES_ATTEMPT_TIMEOUT_MS: "1200",
    IMAGE_FEATURES_DEADLINE_MS: "3000",
    IMAGE_FEATURES_MAX_ATTEMPTS: "3",
    IMAGE_FEATURES_BREAKER_FAILURES: "3",
    IMAGE_FEATURES_BREAKER_COOLDOWN_MS: "1500",
  };
}

/**
 * Rate limiters the workerd tests bind besides wrangler.toml's RATE_LIMITER: a tight one, so a test
 * can reach the limit in a few requests without touching the limiter every other test shares.
 */
export const EDGE_TEST_RATE_LIMITS = {
  TEST_TIGHT_RATE_LIMITER: { namespace_id: "9001", simple: { limit: 3, period: 60 as const } },
};
