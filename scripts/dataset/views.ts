/**
 * Pre-render augmented training views of a Sort-of-CLEVR split (docs/task.md, "Augmented views"):
 * every scene drawn `--views` times by the seeded augmenting renderer, encoded with its codec and
 * decoded through the image-feature function's own preprocessing (letterbox, lanczos3) to the image
 * encoder's input size.
 *
 *   npx tsx scripts/dataset/views.ts --seed 1234 --images 20000 --views 3 --size 150 --out .data/soc/train
 *       [--first 0] [--count N]   (a shard: scenes first..first+count-1, files suffixed .FIRST)
 *       [--exact]                 (every view is the exact spec render, PNG: the clean reference)
 *
 * Writes next to the split's scene files (cli.ts):
 *   views.u8     uint8 [V, size, size, 3] (RGB, row-major), V = images × views, view v of scene i at i·views + v
 *   cover.f32    float32 [V, 6, grid²]: per-colour coverage of each encoder cell (training targets)
 *   views.json   seed, images, views, size, grid, codec/path counts
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { generateScene } from "../../functions/tasks/sort-of-clevr/generator";
import { cellCoverage, exactSpec, renderView, sampleViewSpec } from "../../functions/tasks/sort-of-clevr/augment";
import { encodeView, letterbox } from "../../functions/tasks/sort-of-clevr/augment-node";

function parseArgs(argv: string[]) {
  const a = { seed: 1234, images: 100, views: 3, size: 150, grid: 15, out: "", first: 0, count: -1, quiet: false, exact: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = argv[i + 1] ?? "";
    if (k === "--quiet") { a.quiet = true; continue; }
    if (k === "--exact") { a.exact = true; continue; }
    if (k === "--help" || k === "-h") {
      console.log("usage: views.ts --seed N --images N --views N --size PX --out DIR [--grid 15] [--first I --count N] [--exact] [--quiet]");
      process.exit(0);
    }
    if (!["--seed", "--images", "--views", "--size", "--grid", "--out", "--first", "--count"].includes(k)) throw new Error(`unknown argument ${k}`);
    (a as Record<string, unknown>)[k.slice(2)] = k === "--out" ? v : Number(v);
    i++;
  }
  if (!a.out) throw new Error("--out is required");
  for (const key of ["seed", "images", "views", "size", "grid", "first"] as const)
    if (!Number.isInteger(a[key]) || a[key] < 0) throw new Error(`--${key} must be a non-negative integer`);
  if (a.count < 0) a.count = a.images - a.first;
  if (a.size % a.grid !== 0) throw new Error("--size must be a multiple of --grid");
  return a;
}

const args = parseArgs(process.argv.slice(2));
mkdirSync(args.out, { recursive: true });
const suffix = args.first === 0 && args.count === args.images ? "" : `.${args.first}`;
const imgFd = openSync(join(args.out, `views${suffix}.u8`), "w");
const covFd = openSync(join(args.out, `cover${suffix}.f32`), "w");
const counts: Record<string, number> = {};
const bump = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
const t0 = Date.now();
const BATCH = 32;
const end = args.first + args.count;

async function oneView(index: number, view: number) {
  const scene = generateScene(args.seed, index);
  const spec = args.exact ? exactSpec() : sampleViewSpec(scene, view);
  const raw = renderView(scene, spec, view);
  const bytes = await encodeView(raw, spec.codec);
  const img = await letterbox(bytes, args.size);
  bump(`path:${spec.path}${spec.upscale > 1 ? "+upscale" : ""}`);
  bump(`codec:${spec.codec.kind}`);
  if (spec.canvas[0] !== spec.canvas[1]) bump("letterboxed");
  if (spec.shrink < 1) bump("shrunk");
  return { img: img.data, cover: cellCoverage(scene, spec, args.size, args.grid) };
}

for (let s = args.first; s < end; s += BATCH) {
  const jobs: Promise<{ img: Uint8Array; cover: Float32Array }>[] = [];
  for (let i = s; i < Math.min(end, s + BATCH); i++) for (let v = 0; v < args.views; v++) jobs.push(oneView(i, v));
  const done = await Promise.all(jobs);
  writeSync(imgFd, Buffer.concat(done.map((d) => Buffer.from(d.img.buffer, d.img.byteOffset, d.img.length))));
  writeSync(covFd, Buffer.concat(done.map((d) => Buffer.from(d.cover.buffer, d.cover.byteOffset, d.cover.byteLength))));
  const n = Math.min(end, s + BATCH) - args.first;
  if (!args.quiet && (n % 512 === 0 || n === args.count)) {
    const sec = (Date.now() - t0) / 1000;
    process.stderr.write(`views: ${n}/${args.count} scenes (${n * args.views} views), ${sec.toFixed(0)} s, eta ${((sec / n) * (args.count - n)).toFixed(0)} s\n`);
  }
}
closeSync(imgFd);
closeSync(covFd);
writeFileSync(
  join(args.out, `views${suffix}.json`),
  JSON.stringify({ seed: args.seed, exact: args.exact, images: args.images, first: args.first, count: args.count, views: args.views, size: args.size, grid: args.grid, counts }, null, 2) + "\n",
);
if (!args.quiet) process.stderr.write(`views done: ${args.out} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
