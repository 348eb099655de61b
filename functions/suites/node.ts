/**
 * Node-side suite helpers: find the suites under models/, read and validate their manifests, and
 * check every listed file's size and sha256 (used by `npm run suites:check`, scripts and tests).
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseSuiteManifestJson, type SuiteManifest, suiteFiles } from "./manifest";

export const MODELS_DIR = "models";
/** Folders under models/ that are not suites. */
const NOT_SUITES = new Set(["repository", "triton"]);

export function suiteDirs(modelsDir = MODELS_DIR): string[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir)
    .filter((name) => !NOT_SUITES.has(name) && statSync(join(modelsDir, name)).isDirectory() && existsSync(join(modelsDir, name, "manifest.json")))
    .sort()
    .map((name) => join(modelsDir, name));
}

export function readSuiteManifest(suiteDir: string): SuiteManifest {
  const path = join(suiteDir, "manifest.json");
  return parseSuiteManifestJson(readFileSync(path, "utf8"), path);
}

export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/**
 * Where a remote encoder's model file lives: models/repository/<model>/<version>/model.onnx, the
 * version being the manifest's modelVersion, else the repository config's pin or highest version.
 */
export function remoteModelPath(modelsDir: string, model: string, modelVersion: number | undefined): string {
  const folder = join(modelsDir, "repository", model);
  let version = modelVersion;
  const config = join(folder, "config.json");
  if (version === undefined && existsSync(config)) {
    const parsed = JSON.parse(readFileSync(config, "utf8")) as { version?: unknown; versions?: Record<string, unknown> };
    version = typeof parsed.version === "number" ? parsed.version : Math.max(...Object.keys(parsed.versions ?? {}).map(Number).filter(Number.isInteger));
  }
  return join(folder, String(Number.isFinite(version) ? version : 1), "model.onnx");
}

/** Problems with a suite's files (missing, wrong size, wrong sha256); empty when all is well. */
export function checkSuiteFiles(suiteDir: string, m: SuiteManifest, modelsDir = MODELS_DIR): string[] {
  const problems: string[] = [];
  if (suiteDir.split(/[\\/]/).pop() !== m.id) problems.push(`${suiteDir}: folder name differs from the suite id ${m.id}`);
  for (const f of suiteFiles(m)) {
    const path = join(suiteDir, f.file);
    if (!existsSync(path)) {
      problems.push(`${path}: missing`);
      continue;
    }
    const size = statSync(path).size;
    if (size !== f.bytes) problems.push(`${path}: ${size} bytes, manifest says ${f.bytes}`);
    const sha = sha256File(path);
    if (sha !== f.sha256) problems.push(`${path}: sha256 ${sha}, manifest says ${f.sha256}`);
  }
  for (const mod of m.modalities) {
    const enc = mod.encoder;
    if (enc.runs !== "remote") continue;
    const path = remoteModelPath(modelsDir, enc.model, enc.modelVersion);
    if (!existsSync(path)) {
      problems.push(`${path}: missing (remote encoder of modality ${mod.name})`);
      continue;
    }
    const sha = sha256File(path);
    if (sha !== enc.sha256) problems.push(`${path}: sha256 ${sha}, ${m.id} manifest (modality ${mod.name}) says ${enc.sha256}`);
  }
  return problems;
}
