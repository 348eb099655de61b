/**
 * Loading and reading a suite manifest (schema in manifest-schema.ts). Pure: usable from the Worker,
 * Node scripts, the feature function and the browser. Node-only file checks are in node.ts.
 */
import { type FileEntry, type Head, type Modality, type SuiteManifest, SuiteManifestSchema } from "./manifest-schema";

export * from "./manifest-schema";

export class SuiteManifestError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: invalid suite manifest:\n  - ${problems.join("\n  - ")}`);
  }
}

/** Validates and normalises (defaults filled in) a parsed manifest. Throws SuiteManifestError. */
export function parseSuiteManifest(value: unknown, source = "manifest.json"): SuiteManifest {
  if (typeof value === "object" && value !== null && "schema" in value && !("schemaVersion" in value)) {
    throw new SuiteManifestError(source, ["this is a schema 1 manifest (models/manifest.json); suites need schemaVersion 2 (docs/suites.md)"]);
  }
  const result = SuiteManifestSchema.safeParse(value);
  if (!result.success) {
    throw new SuiteManifestError(
      source,
      result.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`),
    );
  }
  return result.data;
}

/** Same as parseSuiteManifest but for JSON text. */
export function parseSuiteManifestJson(text: string, source = "manifest.json"): SuiteManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SuiteManifestError(source, [`not JSON: ${(err as Error).message}`]);
  }
  return parseSuiteManifest(value, source);
}

/**
 * The version that goes into cache keys and responses: the manifest's version plus the first 12 hex
 * digits of the file's sha256, so retrained files that keep their version string never read
 * entries cached for the old files.
 */
export function contentVersion(entry: { readonly version: string; readonly sha256: string }): string {
  return `${entry.version}+${entry.sha256.slice(0, 12)}`;
}

/** "id@version+hash", how responses name a model. */
export function modelTag(entry: { readonly id: string; readonly version: string; readonly sha256: string }): string {
  return `${entry.id}@${contentVersion(entry)}`;
}

/** Every file of the suite folder the manifest lists (edge encoders, tokenizers, fp32 originals, heads). */
export function suiteFiles(m: SuiteManifest): FileEntry[] {
  const files: FileEntry[] = [];
  for (const mod of m.modalities) {
    const enc = mod.encoder;
    if (enc.runs !== "edge") continue;
    files.push({ file: enc.file, sha256: enc.sha256, bytes: enc.bytes });
    if (enc.tokenizer) files.push(enc.tokenizer);
    if (enc.fp32) files.push(enc.fp32);
  }
  for (const h of m.heads) files.push({ file: h.file, sha256: h.sha256, bytes: h.bytes });
  return files;
}

/** Files the edge itself reads (no fp32 originals). */
export function servedFiles(m: SuiteManifest): FileEntry[] {
  const fp32 = new Set(m.modalities.flatMap((x) => (x.encoder.runs === "edge" && x.encoder.fp32 ? [x.encoder.fp32.file] : [])));
  return suiteFiles(m).filter((f) => !fp32.has(f.file));
}

export function modality(m: SuiteManifest, name: string): Modality | undefined {
  return m.modalities.find((x) => x.name === name);
}

export function fusionMethods(m: SuiteManifest): string[] {
  return [...new Set(m.heads.map((h) => h.fusion))];
}

/** Feature dims of one encoder output, without the batch dimension: [D] or [cells, D]. */
export function outputDims(mod: Modality, output: string): number[] {
  const spec = mod.encoder.outputs.find((o) => o.name === output);
  if (!spec) throw new Error(`modality ${mod.name} has no output ${output}`);
  return spec.shape.slice(1);
}

export function outputSize(mod: Modality, output: string): number {
  return outputDims(mod, output).reduce((a, b) => a * Math.max(b, 1), 1);
}

export function headTag(h: Head): string {
  return modelTag(h);
}

/**
 * Dims of one feature as the heads receive it, without the batch dimension: the output's fixed
 * dims, or [D] for an edge text encoder that mean-pools a [N, T, D] output.
 */
export function featureDims(mod: Modality, output: string): number[] {
  const dims = outputDims(mod, output);
  if (mod.encoder.runs === "edge" && mod.encoder.pooling === "mean") return [dims[dims.length - 1]!];
  return dims;
}

export function featureSize(mod: Modality, output: string): number {
  return featureDims(mod, output).reduce((a, b) => a * b, 1);
}
