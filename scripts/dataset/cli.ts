/**
 * Generate a dataset split for a suite: `--suite sort-of-clevr` (default, below) or `--suite sentiment`
 * (dispatched to scripts/dataset/sentiment.ts's main(argv) with the other arguments).
 *   npx tsx scripts/dataset/cli.ts [--suite sort-of-clevr] --seed 7 --images 100 --out .data/demo [--png] [--all-questions]
 * Writes to --out:
 *   images.u8        raw uint8, N × 75 × 75 × 3 (RGB, row-major)
 *   questions.jsonl  one record a line: {image, question, type, colour, relational, answer}
 *   scenes.jsonl     one scene a line: {index, objects:[{colour, shape, cx, cy}]}
 *   answers.u8       uint8 N × 6 × 6: label index for every (question type, colour), QUESTION_TYPES × COLOURS order
 *   objects.u8       uint8 N × 6 × 3: (shape index, cx, cy) per colour, COLOURS order
 *   meta.json        seed, images, counts, labels
 *   png/NNNNNN.png + samples.json   with --png (samples.json: the first 20 images' records)
 */
import { mkdirSync, openSync, writeSync, closeSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  generateScene,
  renderScene,
  questionsFor,
  allQuestionsFor,
  answerQuestion,
  LABELS,
  QUESTION_TYPES,
  COLOURS,
  SHAPES,
} from "./sort-of-clevr";
import { encodePng } from "./png";

const USAGE = [
  "usage: npm run gen:data -- [--suite sort-of-clevr] --seed N --images N --out DIR [--png] [--all-questions] [--quiet]",
  "       npm run gen:data -- --suite sentiment --seed N --count N --out DIR [--start K] [--arrays] [--no-files] [--quiet]",
].join("\n");

function parseArgs(argv: string[]) {
  const args = { seed: 7, images: 100, out: "", png: false, all: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--seed") args.seed = Number(argv[++i]);
    else if (a === "--images") args.images = Number(argv[++i]);
    else if (a === "--out") args.out = argv[++i] ?? "";
    else if (a === "--png") args.png = true;
    else if (a === "--all-questions") args.all = true;
    else if (a === "--quiet") args.quiet = true;
    else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (!args.out) throw new Error("--out is required");
  if (!Number.isInteger(args.seed) || !Number.isInteger(args.images) || args.images < 1) throw new Error("bad --seed/--images");
  return args;
}

const SUITES = ["sort-of-clevr", "sentiment"] as const;

/** Split `--suite X` (or `--suite=X`) off the arguments. */
function takeSuite(argv: string[]): { suite: string; rest: string[] } {
  const rest: string[] = [];
  let suite = "sort-of-clevr";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--suite") suite = argv[++i] ?? "";
    else if (a.startsWith("--suite=")) suite = a.slice("--suite=".length);
    else rest.push(a);
  }
  if (!(SUITES as readonly string[]).includes(suite)) throw new Error(`--suite must be one of ${SUITES.join(", ")}, got "${suite}"`);
  return { suite, rest };
}

/** A usage mistake is a message and exit 2, not a stack trace. */
function usageError(err: unknown): never {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}

const { suite, rest } = (() => {
  try {
    return takeSuite(process.argv.slice(2));
  } catch (err) {
    return usageError(err);
  }
})();
if (suite === "sentiment") {
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(USAGE);
    process.exit(0);
  }
  // imported lazily: the sentiment generator is its own module (H6) and the Sort-of-CLEVR path must not need it
  const sentiment = (await import("./sentiment")) as { main: (argv: string[]) => unknown };
  await Promise.resolve(sentiment.main(rest)).catch(usageError);
  process.exit(0);
}
const args = (() => {
  try {
    return parseArgs(rest);
  } catch (err) {
    return usageError(err);
  }
})();
const t0 = Date.now();
mkdirSync(args.out, { recursive: true });
if (args.png) mkdirSync(join(args.out, "png"), { recursive: true });
const imgFd = openSync(join(args.out, "images.u8"), "w");
const qFd = openSync(join(args.out, "questions.jsonl"), "w");
const sFd = openSync(join(args.out, "scenes.jsonl"), "w");
const answers = new Uint8Array(args.images * 36);
const objects = new Uint8Array(args.images * 18);
const samples: unknown[] = [];
let nQuestions = 0;
const CHUNK = 1000;
let imgBuf: Buffer[] = [];
let qLines: string[] = [];
let sLines: string[] = [];
const flush = () => {
  if (imgBuf.length) writeSync(imgFd, Buffer.concat(imgBuf));
  if (qLines.length) writeSync(qFd, qLines.join(""));
  if (sLines.length) writeSync(sFd, sLines.join(""));
  imgBuf = [];
  qLines = [];
  sLines = [];
};
for (let i = 0; i < args.images; i++) {
  const scene = generateScene(args.seed, i);
  const rgb = renderScene(scene);
  imgBuf.push(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.length));
  const qs = args.all ? allQuestionsFor(scene) : questionsFor(scene);
  for (const q of qs) qLines.push(JSON.stringify({ image: i, ...q }) + "\n");
  nQuestions += qs.length;
  sLines.push(JSON.stringify({ index: i, objects: scene.objects }) + "\n");
  QUESTION_TYPES.forEach((type, t) =>
    COLOURS.forEach((colour, c) => {
      answers[i * 36 + t * 6 + c] = LABELS.indexOf(answerQuestion(scene, { type, colour }));
    }),
  );
  scene.objects.forEach((o, c) => {
    objects[i * 18 + c * 3] = SHAPES.indexOf(o.shape);
    objects[i * 18 + c * 3 + 1] = o.cx;
    objects[i * 18 + c * 3 + 2] = o.cy;
  });
  if (args.png) {
    const name = `${String(i).padStart(6, "0")}.png`;
    writeFileSync(join(args.out, "png", name), encodePng(rgb));
    if (samples.length < 20) samples.push({ image: `png/${name}`, index: i, objects: scene.objects, questions: qs });
  }
  if ((i + 1) % CHUNK === 0 || i + 1 === args.images) {
    flush();
    if (!args.quiet) {
      const s = (Date.now() - t0) / 1000;
      process.stderr.write(`\rgenerated ${i + 1}/${args.images} images, ${nQuestions} questions, ${s.toFixed(1)} s`);
    }
  }
}
closeSync(imgFd);
closeSync(qFd);
closeSync(sFd);
writeFileSync(join(args.out, "answers.u8"), answers);
writeFileSync(join(args.out, "objects.u8"), objects);
if (args.png) writeFileSync(join(args.out, "samples.json"), JSON.stringify(samples, null, 2) + "\n");
writeFileSync(
  join(args.out, "meta.json"),
  JSON.stringify(
    { generator: "sort-of-clevr", seed: args.seed, images: args.images, questions: nQuestions, imageShape: [75, 75, 3], labels: LABELS, questionTypes: QUESTION_TYPES, allQuestions: args.all },
    null,
    2,
  ) + "\n",
);
if (!args.quiet) process.stderr.write(`\ndone: ${args.out} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
