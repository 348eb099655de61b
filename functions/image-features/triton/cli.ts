/**
 * `npm run triton:repo [-- --repository models/repository --out models/triton --copy]`: writes
 * the Triton model repository generated from the feature function's (generate.ts). By default
 * the ONNX files are relative symlinks into models/repository (no second copy in git; they
 * resolve when models/ is mounted whole, e.g. `-v $PWD/models:/models` and
 * `--model-repository=/models/triton`); --copy writes real files, for an image or a bucket.
 * Files the generator no longer produces are removed, so the folder always mirrors the source.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULTS } from "../config.js";
import { loadRepository, readModelBytes } from "../repository/load.js";
import { type TritonModelSource, tritonRepository } from "./generate.js";

const PYTHON_MODEL = resolve(import.meta.dirname, "preprocess_model.py");

function listFiles(root: string, at = ""): string[] {
  if (!existsSync(join(root, at))) return [];
  return readdirSync(join(root, at), { withFileTypes: true }).flatMap((e) => {
    const rel = at ? `${at}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(root, rel) : [rel];
  });
}

export async function writeTritonRepository(repositoryPath: string, out: string, copy: boolean): Promise<string[]> {
  const models = await loadRepository(repositoryPath);
  const sources: TritonModelSource[] = [];
  for (const m of models) {
    await readModelBytes(m); // sha256 check: never publish a file its config does not name
    const linkDir = join(out, `${m.config.name}-encoder`, String(m.served.version));
    sources.push({ config: m.config, version: m.served.version, humanVersion: m.served.humanVersion, onnxLink: relative(linkDir, m.file) });
  }
  const files = tritonRepository(sources, {
    maxQueueDelayMs: DEFAULTS.batching.maxQueueDelayMs,
    maxQueue: DEFAULTS.batching.maxQueue,
    requestTimeoutMs: DEFAULTS.limits.requestTimeoutMs,
    maxPixels: DEFAULTS.limits.maxPixels,
  });
  mkdirSync(out, { recursive: true });
  // Keep hand-written files at the top level (README.md); drop generated ones that went away.
  for (const old of listFiles(out)) if (old.includes("/") && !files.has(old)) rmSync(join(out, old));
  const written: string[] = [];
  for (const [rel, file] of files) {
    const path = join(out, rel);
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    if (file.kind === "text") writeFileSync(path, file.content);
    else if (file.kind === "python") writeFileSync(path, readFileSync(PYTHON_MODEL));
    else if (copy) copyFileSync(resolve(dirname(path), file.target), path);
    else symlinkSync(file.target, path);
    written.push(rel);
  }
  for (const dir of readdirSync(out)) {
    const p = join(out, dir);
    if (statSync(p).isDirectory() && listFiles(p).length === 0) rmSync(p, { recursive: true });
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { values } = parseArgs({ options: { repository: { type: "string", default: "models/repository" }, out: { type: "string", default: "models/triton" }, copy: { type: "boolean", default: false } } });
  writeTritonRepository(values.repository, values.out, values.copy).then(
    (written) => {
      for (const f of written) process.stdout.write(`${values.out}/${f}\n`);
      process.stdout.write(`Triton model repository written to ${values.out} (${values.copy ? "ONNX copied" : "ONNX symlinked into " + values.repository})\n`);
    },
    (err: unknown) => {
      process.stderr.write(`triton:repo failed: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
