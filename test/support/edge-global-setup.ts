/**
 * Global setup of the workerd test project (runs in Node): spawns the real image-feature server
 * (its CLI, on the shipped image encoder) and starts the fault proxy in front of it on the port
 * vitest.config.ts chose and passed to the Worker as IMAGE_FEATURES_URL.
 */
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { startProcess } from "../../scripts/bench/lib";
import { EDGE_TEST_IMAGE_MODEL, EDGE_TEST_TOKEN } from "./edge-test-env";
import { startFaultProxy } from "./fault-proxy";

export default async function setup() {
  const proxyPort = Number(process.env.EDGEFUSE_TEST_PROXY_PORT);
  // The feature-function model the Sort-of-CLEVR suite names (models/repository/<name>/config.json).
  const model = JSON.parse(readFileSync(`models/repository/${EDGE_TEST_IMAGE_MODEL}/config.json`, "utf8")) as { outputs: { name: string; shape: number[] }[] };
  const pooled = model.outputs.find((o) => o.name === "pooled")!.shape;
  const grid = model.outputs.find((o) => o.name === "grid")!.shape;
  const server = await startProcess(
    process.execPath,
    // the shipped models, plus the remote encoders of the fixture suite test/edge/byo-suite.test.ts serves
    ["--import", "tsx", "functions/image-features/main.ts", "--repository", "models/repository", "--repository", "test/fixtures/tiny-suite/models/repository",
      "--host", "127.0.0.1", "--port", "0", "--provider", "cpu", "--max-queue-delay-ms", "2"],
    "",
    /image-features ready on (http:\/\/\S+)/,
    { IMAGE_FEATURES_TOKEN: EDGE_TEST_TOKEN },
  );
  const url = server.readyLine.match(/ready on (http:\/\/\S+)/)![1]!;
  await warmUp(url);
  const proxy = await startFaultProxy(url, { pooled: pooled[1]!, cells: grid[1]!, grid: grid[2]! }, 2000, proxyPort);
  return async () => {
    await proxy.close();
    await server.stop();
  };
}

/** One inference before the tests, so the first test does not pay the encoder's cold start. */
async function warmUp(url: string): Promise<void> {
  const png = await sharp({ create: { width: 75, height: 75, channels: 3, background: "#ffffff" } }).png().toBuffer();
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: "input", shape: [1], datatype: "BYTES", parameters: { binary_data_size: png.length + 4 } }] }));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(png.length);
  const res = await fetch(`${url}/v2/models/${EDGE_TEST_IMAGE_MODEL}/infer`, {
    method: "POST",
    headers: { authorization: `Bearer ${EDGE_TEST_TOKEN}`, "inference-header-content-length": String(header.length), "content-type": "application/octet-stream" },
    body: new Uint8Array(Buffer.concat([header, len, png])),
  });
  if (res.status !== 200) throw new Error(`warm-up inference failed: ${res.status} ${await res.text()}`);
}
