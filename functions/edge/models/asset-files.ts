/**
 * Model files served from the Worker's static assets (models/ is linked into public/), checked
 * against the sha256 the manifest records, so a stale or corrupt upload fails loudly at load.
 */
import { sha256Hex } from "../cache/feature-key";
import type { ModelFileReader } from "../inference/text-model";
import type { FileEntry } from "./manifest";

export function assetFiles(assets: Fetcher, prefix = "models/"): ModelFileReader {
  return async (path) => {
    const res = await assets.fetch(`https://assets.local/${prefix}${path}`);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`reading ${prefix}${path} from assets failed with ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
}

export class ModelChecksumError extends Error {}

/** Wraps a reader so that every file the manifest lists is verified against its sha256. */
export function verifiedFiles(read: ModelFileReader, entries: readonly FileEntry[]): ModelFileReader {
  const expected = new Map(entries.map((e) => [e.file, e.sha256]));
  return async (path) => {
    const bytes = await read(path);
    const sha = expected.get(path);
    if (bytes && sha) {
      const actual = await sha256Hex(bytes);
      if (actual !== sha) throw new ModelChecksumError(`${path}: sha256 ${actual} does not match the manifest (${sha})`);
    }
    return bytes;
  };
}
