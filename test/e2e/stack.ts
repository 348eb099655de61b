/**
 * The local stack for the browser test, started the way `npm start` starts it (scripts/start.ts) on
 * free ports, or an already running one when EDGEFUSE_E2E_URL is set (e.g. your own `npm start`).
 */
import { freePort, startProcess } from "../../scripts/bench/lib";

export interface Stack {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startStack(log: (msg: string) => void): Promise<Stack> {
  const given = process.env.EDGEFUSE_E2E_URL;
  if (given) {
    log(`using the running stack at ${given}`);
    return { url: given.replace(/\/+$/, ""), stop: async () => {} };
  }
  const [edgePort, imagePort, inspectorPort] = [await freePort(), await freePort(), await freePort()];
  log(`starting scripts/start.ts (edge :${edgePort}, image features :${imagePort})`);
  // Both children log a ready line; the lookaheads wait for the two, in either order.
  const ready = /^(?=[\s\S]*Ready on http)(?=[\s\S]*image-features ready on)/;
  const started = await startProcess(process.execPath, ["--import", "tsx", "scripts/start.ts"], `http://127.0.0.1:${edgePort}`, ready, { PORT: String(edgePort), IMAGE_FEATURES_PORT: String(imagePort), INSPECTOR_PORT: String(inspectorPort) }, 420_000);
  log(`stack ready in ${(started.readyMs / 1000).toFixed(1)} s`);
  return { url: started.url, stop: () => started.stop() };
}
