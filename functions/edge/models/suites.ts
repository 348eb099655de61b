/**
 * Suite loading: every suite the Worker serves, validated against the manifest schema when the
 * isolate starts (an invalid manifest fails the deploy, never a request), with where its files come
 * from. Bundled suites (suites.generated.ts) read their files from the static assets under
 * models/<id>/; `registerSuite` adds one whose files come from any reader (tests, R2).
 * Every file is checked against the manifest's sha256 when it is read.
 */
import { AppError } from "../errors";
import { parseSuiteManifest, servedFiles, type SuiteManifest } from "../../suites/manifest";
import type { ModelFileReader } from "../inference/text-model";
import { assetFiles, verifiedFiles } from "./asset-files";
import { BUNDLED_SUITES } from "./suites.generated";

export interface SuiteEntry {
  readonly manifest: SuiteManifest;
  /** Reads a file of the suite folder (sha256-verified) given the Worker's static assets. */
  files(assets: Fetcher): ModelFileReader;
}

const suites = new Map<string, SuiteEntry>();

function add(manifest: SuiteManifest, reader: (assets: Fetcher) => ModelFileReader): SuiteEntry {
  const readers = new WeakMap<Fetcher, ModelFileReader>(); // one verified reader per assets binding
  const entry: SuiteEntry = {
    manifest,
    files(assets) {
      let r = readers.get(assets);
      if (!r) readers.set(assets, (r = verifiedFiles(reader(assets), servedFiles(manifest))));
      return r;
    },
  };
  suites.set(manifest.id, entry);
  return entry;
}

/** Per suite id, files bundled into the script (index.ts hands them over: bundled-heads.ts). */
const inScript = new Map<string, Readonly<Record<string, ArrayBuffer>>>();

/**
 * Serve these files of a bundled suite from the script instead of the static assets (still checked
 * against the manifest's sha256 when read). Called once by the Worker's entry module.
 */
export function serveFromScript(id: string, files: Readonly<Record<string, ArrayBuffer>>): void {
  inScript.set(id, files);
}

/** Files bundled into the script first, then the static assets. */
function scriptThenAssets(id: string, assets: ModelFileReader): ModelFileReader {
  return async (path) => {
    const file = inScript.get(id)?.[path];
    return file ? new Uint8Array(file) : assets(path);
  };
}

for (const { assetPrefix, manifest } of BUNDLED_SUITES) {
  const m = parseSuiteManifest(manifest, `${assetPrefix}manifest.json`);
  if (suites.has(m.id)) throw new Error(`two suites have the id ${m.id}`);
  add(m, (assets) => scriptThenAssets(m.id, assetFiles(assets, assetPrefix)));
}

/** Adds (or replaces) a suite whose files come from `read` (validated like a bundled one). */
export function registerSuite(manifest: unknown, read: ModelFileReader, source = "registered suite"): SuiteEntry {
  return add(parseSuiteManifest(manifest, source), () => read);
}

export function listSuites(): SuiteEntry[] {
  return [...suites.values()].sort((a, b) => a.manifest.id.localeCompare(b.manifest.id));
}

export function findSuite(id: string): SuiteEntry | undefined {
  return suites.get(id);
}

/** The suite or a 404 `unknown_suite` listing the ones served. */
export function suiteOr404(id: string): SuiteEntry {
  const s = suites.get(id);
  if (!s) throw new AppError(404, "unknown_suite", `no suite ${id}; this edge serves ${[...suites.keys()].join(", ")}`, { suites: [...suites.keys()] });
  return s;
}
