/**
 * `npm run suite:pack -- --from DIR [--out models/<id>] [--repository models/repository] [--force] [--optimize]`
 *
 * Turns a folder of user files (a suite.yaml or suite.json description, encoders as ONNX files or
 * transformers.js-style text folders, heads as ONNX with the trainer's heads.json) into a served
 * suite: models/<id>/manifest.json (schema v2, checksums, tensor specs from the graphs) with the
 * edge's files, and models/repository/<model>/ folders for remote encoders. Everything is built in
 * a staging folder and validated (the manifest schema, every file's sha256) before anything under
 * --out or --repository changes; an existing suite folder is replaced only with --force.
 * Exit 0 on success, 1 with a list of problems otherwise. See docs/bring-your-own-suite.md.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSuiteManifest, SuiteManifestError, type SuiteManifest } from "../../functions/suites/manifest";
import { checkSuiteFiles } from "../../functions/suites/node";
import { DescriptionError, parseDescription, type SuiteDescription } from "./description";
import { packEncoder, PackError, type PackContext, type PackedModality } from "./encoders";
import { packHeads } from "./heads";

export interface PackOptions {
  readonly from: string;
  readonly description?: string;
  readonly out?: string;
  readonly repository?: string;
  readonly force?: boolean;
  /** Pre-optimise the heads for onnxruntime-web (scripts/optimize/optimize-edge-models.ts): faster loads, same outputs within 1e-4. */
  readonly optimize?: boolean;
  readonly log?: (line: string) => void;
}

export interface PackResult {
  readonly manifest: SuiteManifest;
  readonly suiteDir: string;
  readonly repositoryFolders: string[];
}

const OPTIMIZER = fileURLToPath(new URL("../optimize/optimize-edge-models.ts", import.meta.url));
const DESCRIPTION_NAMES = ["suite.yaml", "suite.yml", "suite.json"];

export function findDescription(from: string, explicit?: string): string {
  if (explicit) {
    const p = resolve(from, explicit);
    if (!existsSync(p)) throw new PackError(`description not found: ${p}`);
    return p;
  }
  const found = DESCRIPTION_NAMES.map((n) => join(from, n)).find((p) => existsSync(p));
  if (!found) throw new PackError(`${from}: no suite description (${DESCRIPTION_NAMES.join(", ")})`);
  return found;
}

export function readDescription(from: string, explicit?: string): { path: string; description: SuiteDescription } {
  const path = findDescription(from, explicit);
  return { path, description: parseDescription(readFileSync(path, "utf8"), path) };
}

/** Packs the encoders only, into suiteDir/repositoryOut (used by extract-features before heads exist). */
export async function packModalities(ctx: PackContext, d: SuiteDescription): Promise<Map<string, PackedModality>> {
  const mods = new Map<string, PackedModality>();
  for (const [i, m] of d.modalities.entries()) mods.set(m.name, await packEncoder(ctx, m, i));
  return mods;
}

export async function pack(opts: PackOptions): Promise<PackResult> {
  const log = opts.log ?? (() => {});
  const from = resolve(opts.from);
  if (!existsSync(from)) throw new PackError(`--from ${from}: no such folder`);
  const { path: descPath, description: d } = readDescription(from, opts.description);
  const out = resolve(opts.out ?? join("models", d.id));
  const repository = resolve(opts.repository ?? join(dirname(out), "repository"));
  if (basename(out) !== d.id) throw new PackError(`--out ${out}: the folder name must be the suite id '${d.id}'`);
  if (existsSync(out) && !opts.force) throw new PackError(`${out} already exists; pass --force to replace it`);
  const staging = mkdtempSync(join(tmpdir(), "suite-pack-"));
  try {
    const ctx: PackContext = {
      from, suiteDir: join(staging, "suite"), repository, repositoryOut: join(staging, "repository"),
      suiteId: d.id, suiteVersion: d.version, force: Boolean(opts.force),
    };
    log(`packing ${descPath}: suite ${d.id}@${d.version}, ${d.modalities.length} modalities`);
    const mods = await packModalities(ctx, d);
    for (const [name, m] of mods) {
      const e = m.manifest.encoder;
      log(`  ${name} (${m.manifest.kind}, ${m.manifest.required ? "required" : "optional"}): ${e.runs === "edge" ? `edge ${e.file}` : `remote ${e.model}/${e.modelVersion}`} -> ${[...m.featureDims].map(([o, dims]) => `${o}${JSON.stringify(dims)}`).join(", ")}`);
    }
    const heads = packHeads(ctx, d.heads, mods);
    for (const h of heads.heads) log(`  head ${h.id}: ${h.fusion} over ${h.modalities.join("+")}${h.maskInput ? " (optional modalities via mask)" : ""}`);
    const fusions = [...new Set(heads.heads.map((h) => h.fusion))];
    const defaultFusion = d.defaultFusion ?? heads.defaultFusion ?? fusions[0]!;
    // evaluation written by the trainer travels with the suite
    const evalDir = typeof d.heads === "string" ? dirname(dirname(resolve(from, d.heads))) : from;
    for (const f of ["EVAL.md", "eval.json"]) if (existsSync(join(evalDir, f))) cpSync(join(evalDir, f), join(ctx.suiteDir, f));
    let manifest: SuiteManifest;
    try {
      manifest = parseSuiteManifest(
        {
          schemaVersion: 2, id: d.id, version: d.version, title: d.title, description: d.description, seed: d.seed ?? null,
          task: { kind: "classification", labels: d.task.labels, regression: d.task.regression ? { ...d.task.regression, output: "score" } : null },
          modalities: [...mods.values()].map((m) => m.manifest), heads: heads.heads, defaultFusion,
        },
        `${d.id}/manifest.json`,
      );
    } catch (err) {
      if (err instanceof SuiteManifestError) throw new PackError(err.message);
      throw err;
    }
    writeFileSync(join(ctx.suiteDir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
    if (opts.optimize) {
      // rewrites the staged heads and their sha256/bytes in the staged manifest
      const r = spawnSync(process.execPath, ["--import", "tsx", OPTIMIZER, ctx.suiteDir], { encoding: "utf8" });
      if (r.status !== 0) throw new PackError(`optimising the heads failed:\n${r.stdout}${r.stderr}`);
      manifest = parseSuiteManifest(JSON.parse(readFileSync(join(ctx.suiteDir, "manifest.json"), "utf8")), `${d.id}/manifest.json`);
      log(`  heads pre-optimised for onnxruntime-web`);
    }
    // every checksum, re-read from the staged files (remote models from the staged repository)
    const stagedModels = join(staging, "models");
    renameSync(ctx.repositoryOut, join(staging, "repository-tmp"));
    cpSync(join(staging, "repository-tmp"), join(stagedModels, "repository"), { recursive: true });
    renameSync(ctx.suiteDir, join(stagedModels, d.id));
    const problems = checkSuiteFiles(join(stagedModels, d.id), manifest, stagedModels);
    if (problems.length) throw new PackError(`staged suite failed its own checks:\n  - ${problems.join("\n  - ")}`);
    // commit: the suite folder, then each remote model's config and version folder
    if (existsSync(out)) rmSync(out, { recursive: true });
    cpSync(join(stagedModels, d.id), out, { recursive: true });
    const repositoryFolders: string[] = [];
    for (const model of readdirSync(join(stagedModels, "repository"))) {
      const src = join(stagedModels, "repository", model);
      const dst = join(repository, model);
      for (const entry of readdirSync(src)) cpSync(join(src, entry), join(dst, entry), { recursive: true, force: true });
      repositoryFolders.push(dst);
    }
    log(`wrote ${out} (${heads.heads.length} heads, default fusion ${defaultFusion})${repositoryFolders.length ? ` and ${repositoryFolders.join(", ")}` : ""}`);
    return { manifest, suiteDir: out, repositoryFolders };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): PackOptions {
  const opts: { from?: string; description?: string; out?: string; repository?: string; force?: boolean; optimize?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new PackError(`${a} needs a value`);
      return v;
    };
    if (a === "--from") opts.from = value();
    else if (a === "--description") opts.description = value();
    else if (a === "--out") opts.out = value();
    else if (a === "--repository") opts.repository = value();
    else if (a === "--force") opts.force = true;
    else if (a === "--optimize") opts.optimize = true;
    else if (a === "--help" || a === "-h") {
      console.log("usage: npm run suite:pack -- --from DIR [--description suite.yaml] [--out models/<id>] [--repository models/repository] [--force] [--optimize]");
      process.exit(0);
    } else throw new PackError(`unknown option ${a} (see --help)`);
  }
  if (!opts.from) throw new PackError("--from DIR is required (see --help)");
  return { ...opts, from: opts.from };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await pack({ ...parseArgs(process.argv.slice(2)), log: (l) => console.log(l) });
  } catch (err) {
    if (err instanceof PackError || err instanceof DescriptionError) {
      console.error(`suite:pack: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}
