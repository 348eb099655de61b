// Two kinds of tests: plain Node (unit tests, scripts, the image-feature server) and the edge
// Worker inside real workerd through @cloudflare/vitest-pool-workers. The workerd project's global
// setup starts the real image-feature server behind a fault-injection proxy on a port chosen here.
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { EDGE_TEST_RATE_LIMITS, edgeTestBindings, freePort } from "./test/support/edge-test-env";

const proxyPort = Number(process.env.EDGEFUSE_TEST_PROXY_PORT) || (await freePort());
process.env.EDGEFUSE_TEST_PROXY_PORT = String(proxyPort);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/edge-unit/**/*.test.ts", "test/unit/**/*.test.ts", "test/scripts/**/*.test.ts", "test/image-features/**/*.test.ts", "test/suite/**/*.test.ts", "test/sentiment/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: edgeTestBindings(proxyPort), kvNamespaces: ["FEATURE_KV"], ratelimits: EDGE_TEST_RATE_LIMITS } })],
        test: {
          name: "workerd",
          include: ["test/edge/**/*.test.ts"],
          globalSetup: ["./test/support/edge-global-setup.ts"],
          // The pool ships the 14 MB ORT wasm to workerd per isolate: share one isolate.
          isolate: false,
          maxWorkers: 1,
          fileParallelism: false,
          testTimeout: 60_000,
        },
      },
    ],
  },
});
