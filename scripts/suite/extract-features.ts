/**
 * `npm run suite:features -- --from DIR --csv examples.csv --out FEATURES [--features-url URL] [--val 0.15 --test 0.15 --seed 1]`
 *
 * Step 1 of bringing your own suite: a CSV of labelled examples -> per-modality features, computed the
 * way the suite will serve them. Columns: one per modality (text inline; image/audio as a path relative
 * to the CSV, empty = missing, allowed for optional modalities), `label` (one of task.labels), optional
 * `score` (task.regression), optional `split` (train|val|test; else a seeded random split).
 * Edge text encoders run here in onnxruntime-node with the edge's pooling; remote encoders run on the
 * feature function: the one at --features-url, else one started here on the packed encoders.
 * Writes FEATURES/{train,val,test}/<modality>.<output>.npy, labels.npy, score.npy, present.<m>.npy,
 * label_names.npy and FEATURES/suite.json, what scripts/heads/train_heads.py reads.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { EdgeEncoder, RemoteEncoder } from "../../functions/suites/manifest-schema";
import { mulberry32 } from "../../functions/tasks/sort-of-clevr/generator"; // the project's seeded PRNG
import { startProcess } from "../bench/lib";
import { parseCsv } from "./csv";
import { didYouMean, DescriptionError } from "./description";
import { PackError, type PackContext } from "./encoders";
import { writeNpyF32, writeNpyI64, writeNpyStrings } from "./npy";
import { packModalities, readDescription } from "./pack";
import { remoteFeatures } from "./remote-features";
import { TextFeatures } from "./text-features";

interface Options {
  from: string;
  csv: string;
  out: string;
  featuresUrl?: string;
  token?: string;
  val: number;
  test: number;
  seed: number;
  concurrency: number;
}

const SPLITS = ["train", "val", "test"] as const;
type SplitName = (typeof SPLITS)[number];

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

export async function extractFeatures(o: Options, log: (l: string) => void = console.log): Promise<Record<SplitName, number>> {
  const from = resolve(o.from);
  const { description: d } = readDescription(from);
  const csvPath = resolve(from, o.csv);
  const rows = parseCsv(readFileSync(csvPath, "utf8"));
  const names = d.modalities.map((m) => m.name);
  const cols = Object.keys(rows[0] ?? {});
  for (const c of cols) {
    if (![...names, "label", "score", "split"].includes(c)) throw new PackError(`${csvPath}: column '${c}' is not a modality, label, score or split${didYouMean(c, [...names, "label", "score", "split"])}`);
  }
  for (const m of d.modalities) if (!cols.includes(m.name)) throw new PackError(`${csvPath}: no column for modality '${m.name}'`);
  if (!cols.includes("label")) throw new PackError(`${csvPath}: no 'label' column`);
  if (d.task.regression && !cols.includes("score")) throw new PackError(`${csvPath}: task.regression needs a 'score' column`);

  const rand = mulberry32(o.seed);
  const split: SplitName[] = rows.map((r, i) => {
    if (r.split !== undefined && r.split !== "") {
      if (!(SPLITS as readonly string[]).includes(r.split)) throw new PackError(`${csvPath} row ${i + 2}: split '${r.split}' is not train, val or test`);
      return r.split as SplitName;
    }
    const u = rand();
    return u < o.test ? "test" : u < o.test + o.val ? "val" : "train";
  });
  const labels = rows.map((r, i) => {
    const k = d.task.labels.indexOf(r.label!);
    if (k < 0) throw new PackError(`${csvPath} row ${i + 2}: label '${r.label}' is not in task.labels${didYouMean(r.label!, d.task.labels)}`);
    return k;
  });
  rows.forEach((r, i) => {
    for (const m of d.modalities) if (m.required && !r[m.name]) throw new PackError(`${csvPath} row ${i + 2}: required modality '${m.name}' is empty`);
  });

  const staging = mkdtempSync(join(tmpdir(), "suite-features-"));
  let server: Awaited<ReturnType<typeof startProcess>> | undefined;
  try {
    const ctx: PackContext = {
      from, suiteDir: join(staging, "suite"), repository: join(staging, "repository"), repositoryOut: join(staging, "repository"),
      suiteId: d.id, suiteVersion: d.version, force: true,
    };
    const mods = await packModalities(ctx, d);
    const remote = [...mods.values()].filter((m) => m.manifest.encoder.runs === "remote");
    let url = o.featuresUrl;
    if (remote.length && !url) {
      log(`starting the feature function on ${ctx.repository}`);
      server = await startProcess(
        process.execPath,
        ["--import", "tsx", "functions/image-features/main.ts", "--repository", ctx.repository, "--host", "127.0.0.1", "--port", "0", "--insecure-local", "--provider", "cpu"],
        "",
        /ready on (http:\/\/\S+)/,
        {},
        120_000,
      );
      url = server.readyLine.match(/ready on (http:\/\/\S+)/)![1]!;
    }
    const features = new Map<string, Float32Array[]>();
    const present = new Map<string, number[]>();
    const csvDir = dirname(csvPath);
    for (const [name, m] of mods) {
      const enc = m.manifest.encoder;
      const pres = rows.map((r) => (r[name] ? 1 : 0));
      present.set(name, pres);
      const t0 = performance.now();
      let done = 0;
      const tick = () => {
        done++;
        if (done % 200 === 0 || done === rows.length) log(`  ${name}: ${done}/${rows.length} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      };
      if (enc.runs === "edge") {
        const limits = m.manifest.limits as { maxTokens: number };
        const text = await TextFeatures.open(ctx.suiteDir, enc as EdgeEncoder, limits.maxTokens);
        const out: Float32Array[] = [];
        for (const r of rows) {
          out.push(r[name] ? await text.encode(r[name]!) : new Float32Array(text.dim));
          tick();
        }
        await text.close();
        features.set(`${name}.${enc.outputs[0]!.name}`, out);
      } else {
        const re = enc as RemoteEncoder;
        const results = await mapLimit(rows, o.concurrency, async (r, i) => {
          let res: Map<string, Float32Array> | undefined;
          if (r[name]) {
            const bytes = readFileSync(resolve(csvDir, r[name]!));
            try {
              res = await remoteFeatures(url!, re.model, re.modelVersion, bytes, re.outputs, o.token);
            } catch (err) {
              throw new PackError(`${csvPath} row ${i + 2} (${name} = ${r[name]}): ${(err as Error).message}`);
            }
          }
          tick();
          return res;
        });
        for (const spec of re.outputs) {
          const size = spec.shape.slice(1).reduce((a, b) => a * b, 1);
          features.set(`${name}.${spec.name}`, results.map((x) => x?.get(spec.name) ?? new Float32Array(size)));
        }
      }
    }
    const counts = { train: 0, val: 0, test: 0 };
    const out = resolve(o.out);
    for (const s of SPLITS) {
      const idx = rows.map((_, i) => i).filter((i) => split[i] === s);
      counts[s] = idx.length;
      if (idx.length === 0) throw new PackError(`split '${s}' is empty; give more rows or set --val/--test`);
      const dir = join(out, s);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const [key, list] of features) {
        const [modName, output] = [key.slice(0, key.indexOf(".")), key.slice(key.indexOf(".") + 1)];
        const mod = mods.get(modName)!;
        const dims = mod.featureDims.get(output)!;
        const size = dims.reduce((a, b) => a * b, 1);
        const data = new Float32Array(idx.length * size);
        idx.forEach((i, j) => data.set(list[i]!, j * size));
        writeNpyF32(join(dir, `${key}.npy`), data, [idx.length, ...dims]);
      }
      for (const [name, pres] of present) {
        if (!d.modalities.find((m) => m.name === name)!.required) writeNpyF32(join(dir, `present.${name}.npy`), Float32Array.from(idx.map((i) => pres[i]!)), [idx.length]);
      }
      writeNpyI64(join(dir, "labels.npy"), idx.map((i) => labels[i]!));
      if (d.task.regression) writeNpyF32(join(dir, "score.npy"), Float32Array.from(idx.map((i) => Number(rows[i]!.score))), [idx.length]);
      writeNpyStrings(join(dir, "label_names.npy"), d.task.labels);
    }
    writeFileSync(
      join(out, "suite.json"),
      JSON.stringify({ id: d.id, version: d.version, labels: d.task.labels, optional: d.modalities.filter((m) => !m.required).map((m) => m.name), regression: d.task.regression ?? null }, null, 2) + "\n",
    );
    log(`wrote ${out}: train ${counts.train}, val ${counts.val}, test ${counts.test} rows; arrays ${[...features.keys()].join(", ")}`);
    return counts;
  } finally {
    await server?.stop();
    rmSync(staging, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): Options {
  const o: Partial<Options> & { val: number; test: number; seed: number; concurrency: number } = { val: 0.15, test: 0.15, seed: 1, concurrency: 4 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new PackError(`${a} needs a value`);
      return x;
    };
    if (a === "--from") o.from = v();
    else if (a === "--csv") o.csv = v();
    else if (a === "--out") o.out = v();
    else if (a === "--features-url") o.featuresUrl = v().replace(/\/$/, "");
    else if (a === "--val") o.val = Number(v());
    else if (a === "--test") o.test = Number(v());
    else if (a === "--seed") o.seed = Number(v());
    else if (a === "--concurrency") o.concurrency = Number(v());
    else throw new PackError(`unknown option ${a}`);
  }
  if (!o.from || !o.csv || !o.out) throw new PackError("usage: suite:features -- --from DIR --csv examples.csv --out FEATURES [--features-url URL] [--val 0.15 --test 0.15 --seed 1]");
  return { ...o, token: process.env.FEATURES_TOKEN } as Options;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await extractFeatures(parseArgs(process.argv.slice(2)));
  } catch (err) {
    if (err instanceof PackError || err instanceof DescriptionError) {
      console.error(`suite:features: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}
