/** A ModelFileReader over files bundled into the Worker (ONNX as ArrayBuffer, JSON as parsed objects). */
import type { ModelFileReader } from "../inference/text-model";

export type BundledFile = ArrayBuffer | Uint8Array | object;

export function bundledFiles(files: Readonly<Record<string, BundledFile>>): ModelFileReader {
  return async (path) => {
    const file = files[path];
    if (file === undefined) return null;
    if (file instanceof ArrayBuffer) return new Uint8Array(file);
    if (file instanceof Uint8Array) return file;
    return new TextEncoder().encode(JSON.stringify(file));
  };
}

/** Files under `prefix` in an R2 bucket: how models too large to bundle (e.g. MiniLM) are served. */
export function r2Files(bucket: R2Bucket, prefix: string): ModelFileReader {
  const base = prefix.endsWith("/") ? prefix : `${prefix}/`;
  return async (path) => {
    const obj = await bucket.get(base + path);
    return obj ? new Uint8Array(await obj.arrayBuffer()) : null;
  };
}
