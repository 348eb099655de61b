/**
 * Global setup of the workerd test project (runs in Node): spawns the real image-feature server
 * (its CLI, on the shipped image encoder) and starts the fault proxy in front of it on the port
 * vitest.config.ts chose and passed to the Worker as IMAGE_FEATURES_URL.
 */
import { readFileSync } from "node:fs";
import { startProcess } from "../../scripts/bench/lib";
import { EDGE_TEST_TOKEN } from "./edge-test-env";
import { startFaultProxy } from "./fault-proxy";

export default async function setup() {
  const proxyPort = Number(process.env.EDGEFUSE_TEST_PROXY_PORT);
  const manifest = JSON.parse(readFileSync("models/manifest.json", "utf8")) as { image: { outputs: { name: string; shape: number[] }[] } };
  const pooled = manifest.image.outputs.find((o) => o.name === "pooled")!.shape;
  const grid = manifest.image.outputs.find((o) => o.name === "grid")!.shape;
  const server = await startProcess(
    process.execPath,
    ["--import", "tsx", "functions/image-features/main.ts", "--host", "127.0.0.1", "--port", "0", "--provider", "cpu", "--max-queue-delay-ms", "2"],
    "",
    /image-features ready on (http:\/\/\S+)/,
    { IMAGE_FEATURES_TOKEN: EDGE_TEST_TOKEN },
  );
  const url = server.readyLine.match(/ready on (http:\/\/\S+)/)![1]!;
  const proxy = await startFaultProxy(url, { pooled: pooled[1]!, cells: grid[1]!, grid: grid[2]! }, 1500, proxyPort);
  return async () => {
    await proxy.close();
    await server.stop();
  };
}
