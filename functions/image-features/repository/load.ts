/**
 * Reads a model repository (models/repository/<name>/config.json + <v>/model.onnx), validates
 * every config with the zod schema and checks the served file's sha256, so the server never
 * serves a model other than the one its config names. Any problem fails the start (fail closed).
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type ModelConfig, ModelConfigSchema, type ModelVersion, servedVersion } from "./config-schema.js";

export class RepositoryError extends Error {}

export interface RepositoryModel {
  config: ModelConfig;
  /** The integer version served and its human version and checksum. */
  served: ModelVersion;
  /** Absolute path of <repository>/<name>/<version>/model.onnx. */
  file: string;
  /** Version folders present on disk, ascending (the Triton generator mirrors them). */
  versionsOnDisk: number[];
}

export async function readModelConfig(path: string): Promise<ModelConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new RepositoryError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const parsed = ModelConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new RepositoryError(`${path} is not a valid model config: ${issues}`);
  }
  return parsed.data;
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** Load one model folder. */
export async function loadModel(dir: string): Promise<RepositoryModel> {
  const config = await readModelConfig(join(dir, "config.json"));
  const folder = dir.split(/[\\/]/).filter(Boolean).pop();
  if (folder !== config.name) throw new RepositoryError(`${dir}: config name "${config.name}" must equal its folder name "${folder}"`);
  const entries = await readdir(dir);
  const versionsOnDisk = entries.filter((e) => /^[1-9][0-9]*$/.test(e)).map(Number).sort((a, b) => a - b);
  const served = servedVersion(config);
  const file = join(dir, String(served.version), "model.onnx");
  if (!(await stat(file).catch(() => undefined))?.isFile()) throw new RepositoryError(`${config.name}: version ${served.version} has no ${file}`);
  return { config, served, file, versionsOnDisk };
}

/**
 * Load every model folder (those with a config.json) of one or more repositories, or only `only`
 * when given. Names and aliases must be unique across all of them.
 */
export async function loadRepository(roots: string | readonly string[], only?: readonly string[]): Promise<RepositoryModel[]> {
  const candidates = new Map<string, string>(); // model name -> folder
  for (const root of typeof roots === "string" ? [roots] : roots) {
    const dir = resolve(root);
    if (!(await isDir(dir))) throw new RepositoryError(`model repository ${dir} is not a directory`);
    for (const name of (await readdir(dir)).sort()) {
      if (!(await stat(join(dir, name, "config.json")).catch(() => undefined))) continue;
      const other = candidates.get(name);
      if (other) throw new RepositoryError(`model ${name} is in two repositories: ${other} and ${join(dir, name)}`);
      candidates.set(name, join(dir, name));
    }
  }
  const where = typeof roots === "string" ? roots : roots.join(", ");
  const wanted = only && only.length > 0 ? only : [...candidates.keys()];
  const missing = wanted.filter((n) => !candidates.has(n));
  if (missing.length) throw new RepositoryError(`model(s) ${missing.join(", ")} not found in ${where} (have: ${[...candidates.keys()].join(", ") || "none"})`);
  if (wanted.length === 0) throw new RepositoryError(`model repository ${where} has no model folder with a config.json`);
  const models = await Promise.all(wanted.map((n) => loadModel(candidates.get(n)!)));
  const seen = new Map<string, string>();
  for (const m of models) {
    for (const n of [m.config.name, ...m.config.aliases]) {
      const other = seen.get(n);
      if (other) throw new RepositoryError(`route name "${n}" is used by both ${other} and ${m.config.name}`);
      seen.set(n, m.config.name);
    }
  }
  return models;
}

/** Read the served model file, verifying its sha256. */
export async function readModelBytes(model: RepositoryModel): Promise<Uint8Array> {
  const bytes = await readFile(model.file);
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== model.served.sha256) {
    throw new RepositoryError(`${model.file}: sha256 ${actual} does not match config.json (${model.served.sha256})`);
  }
  return bytes;
}
