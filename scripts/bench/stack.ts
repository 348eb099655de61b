/** Starts the local stack for benchmarks and evaluation: the image-feature function, then the edge. */
import { freePort, type Started, startEdge, startProcess } from "./lib";

export interface Stack {
  readonly edge: Started;
  readonly image: Started;
  readonly imageUrl: string;
  stop(): Promise<void>;
}

export async function startStack(edgeVars: Record<string, string> = {}, imageArgs: string[] = []): Promise<Stack> {
  const port = await freePort();
  const imageUrl = `http://127.0.0.1:${port}`;
  const image = await startProcess(
    process.execPath,
    ["--import", "tsx", "functions/image-features/main.ts", "--host", "127.0.0.1", "--port", String(port), "--insecure-local", ...imageArgs],
    imageUrl,
    /image-features ready on/,
  );
  try {
    const edge = await startEdge({ IMAGE_FEATURES_URL: imageUrl, ...edgeVars });
    return { edge, image, imageUrl, stop: async () => void (await Promise.all([edge.stop(), image.stop()])) };
  } catch (err) {
    await image.stop();
    throw err;
  }
}
