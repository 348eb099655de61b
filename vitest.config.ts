// Two kinds of tests: plain Node (unit tests, scripts, the image-feature server) and the edge
// Worker inside real workerd through @cloudflare/vitest-pool-workers.
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/edge-unit/**/*.test.ts", "test/unit/**/*.test.ts", "test/scripts/**/*.test.ts", "test/image-features/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
        test: {
          name: "workerd",
          include: ["test/edge/**/*.test.ts"],
          // The pool ships the 14 MB ORT wasm to workerd per isolate: share one isolate.
          isolate: false,
          maxWorkers: 1,
          testTimeout: 60_000,
        },
      },
    ],
  },
});
