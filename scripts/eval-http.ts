/**
 * `npm run eval`: the robustness table through the real HTTP path (edge Worker under `wrangler dev`
 * + the feature function): every fusion head × the input shifts of docs/task.md, on fresh seeded
 * scenes, with ECE of the returned top score; plus `answerable` on generated in-task and off-task
 * questions. Compared with the offline numbers in models/sort-of-clevr/eval.json when they are on
 * the same samples.
 *
 *   npx tsx scripts/eval-http.ts [--images 300] [--seed 2026] [--shifts a,b] [--fusions attention,concat]
 *       [--url http://127.0.0.1:8787] [--out docs/EVAL-HTTP.md] [--json docs/eval-http.json]
 * Without --url it starts its own stack on free ports and stops it afterwards.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { generateScene, QUESTION_TYPES, RELATIONAL, questionsFor, type QuestionType } from "../functions/tasks/sort-of-clevr/generator";
import { inTaskQuestions, offTaskQuestions } from "../functions/tasks/sort-of-clevr/question-sets";
import { renderShift, SHIFTS, type Shift } from "../functions/tasks/sort-of-clevr/shifts-node";
import { machine } from "./bench/lib";
import { startStack, type Stack } from "./bench/stack";

const ECE_BINS = 15;
const BAR_EXEMPT: readonly Shift[] = ["jpeg-q50"];

function args() {
  const a = { images: 300, seed: 2026, url: "", out: "docs/EVAL-HTTP.md", json: "docs/eval-http.json", concurrency: 4, shifts: [...SHIFTS] as Shift[], fusions: ["attention", "concat", "sum", "product", "bilinear"], answerability: 600 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1] ?? ""];
    if (k === "--images") a.images = Number(v);
    else if (k === "--seed") a.seed = Number(v);
    else if (k === "--url") a.url = v;
    else if (k === "--out") a.out = v;
    else if (k === "--json") a.json = v;
    else if (k === "--concurrency") a.concurrency = Number(v);
    else if (k === "--answerability") a.answerability = Number(v);
    else if (k === "--fusions") a.fusions = v.split(",").filter(Boolean);
    else if (k === "--shifts") {
      for (const s of v.split(",")) if (!(SHIFTS as readonly string[]).includes(s)) throw new Error(`unknown shift ${s}`);
      a.shifts = v.split(",") as Shift[];
    } else throw new Error(`unknown argument ${k} (see the header of scripts/eval-http.ts)`);
  }
  return a;
}

interface Tally {
  perType: Record<QuestionType, { right: number; total: number }>;
  conf: number[];
  hit: boolean[];
}
const emptyTally = (): Tally => ({ perType: Object.fromEntries(QUESTION_TYPES.map((t) => [t, { right: 0, total: 0 }])) as Tally["perType"], conf: [], hit: [] });
const pct = (r: number, t: number) => (t ? (100 * r) / t : NaN);
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");

function ece(conf: number[], hit: boolean[]): number {
  const sumC: number[] = new Array(ECE_BINS).fill(0);
  const sumA: number[] = new Array(ECE_BINS).fill(0);
  const cnt: number[] = new Array(ECE_BINS).fill(0);
  conf.forEach((c, i) => {
    const b = Math.min(ECE_BINS - 1, Math.max(0, Math.ceil(c * ECE_BINS) - 1));
    sumC[b] = sumC[b]! + c;
    sumA[b] = sumA[b]! + (hit[i] ? 1 : 0);
    cnt[b] = cnt[b]! + 1;
  });
  let e = 0;
  for (let b = 0; b < ECE_BINS; b++) if (cnt[b]) e += (cnt[b]! / conf.length) * Math.abs(sumC[b]! / cnt[b]! - sumA[b]! / cnt[b]!);
  return 100 * e;
}

function summary(t: Tally) {
  const sum = (types: readonly QuestionType[]) => types.reduce((acc, q) => ({ right: acc.right + t.perType[q].right, total: acc.total + t.perType[q].total }), { right: 0, total: 0 });
  const rel = sum(QUESTION_TYPES.filter((q) => RELATIONAL[q]));
  const non = sum(QUESTION_TYPES.filter((q) => !RELATIONAL[q]));
  return {
    relational: pct(rel.right, rel.total),
    nonRelational: pct(non.right, non.total),
    ece: ece(t.conf, t.hit),
    questions: rel.total + non.total,
    perType: Object.fromEntries(QUESTION_TYPES.map((q) => [q, pct(t.perType[q].right, t.perType[q].total)])),
  };
}

interface BatchBody {
  results: { answers: { label: string; score: number }[]; answerable?: boolean }[];
}

async function post(url: string, body: unknown, what: string): Promise<BatchBody> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${url}/v1/answer/batch`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (res.status === 200) return (await res.json()) as BatchBody;
    const text = await res.text();
    // a loaded machine: retry transient upstream failures a few times, count nothing twice
    if ((res.status === 502 || res.status === 503 || res.status === 504) && attempt < 3) {
      await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
      continue;
    }
    throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 300)}`);
  }
}

async function main() {
  const a = args();
  let stack: Stack | null = null;
  let url = a.url;
  if (!url) {
    console.log("starting the local stack (feature function + wrangler dev)…");
    stack = await startStack();
    url = stack.edge.url;
  }
  const t0 = performance.now();
  const tallies: Record<string, Record<string, Tally>> = Object.fromEntries(a.shifts.map((s) => [s, Object.fromEntries(a.fusions.map((f) => [f, emptyTally()]))]));
  const answerability = { inTask: 0, inTaskAccepted: 0, offTask: 0, offTaskRefused: 0, missingField: 0 };
  try {
    for (const shift of a.shifts) {
      const ts = performance.now();
      let next = 0;
      const worker = async () => {
        for (;;) {
          const i = next++;
          if (i >= a.images) return;
          const scene = generateScene(a.seed, i);
          const qs = questionsFor(scene);
          const base64 = (await renderShift(scene, shift)).toString("base64");
          for (const fusion of a.fusions) {
            const body = await post(url, { questions: qs.map((q) => q.question), image: { base64 }, fusion, topK: 1 }, `${shift} image ${i} ${fusion}`);
            qs.forEach((q, j) => {
              const top = body.results[j]!.answers[0]!;
              const t = tallies[shift]![fusion]!;
              const ok = top.label === q.answer;
              t.perType[q.type].total++;
              if (ok) t.perType[q.type].right++;
              t.conf.push(top.score);
              t.hit.push(ok);
            });
          }
        }
      };
      await Promise.all(Array.from({ length: a.concurrency }, worker));
      const d = summary(tallies[shift]![a.fusions[0]!]!);
      console.log(`${shift}: ${a.fusions[0]} relational ${f2(d.relational)} non-relational ${f2(d.nonRelational)} ECE ${f2(d.ece)} (${((performance.now() - ts) / 1000).toFixed(0)} s)`);
    }
    // answerable through the API: the generated sets, in batches of 20 questions with one image
    if (a.answerability > 0) {
      const image = (await renderShift(generateScene(a.seed, 0), "exact-png")).toString("base64");
      const sets = [...inTaskQuestions(a.seed + 1, a.answerability / 2), ...offTaskQuestions(a.seed + 1, a.answerability / 2)];
      for (let s = 0; s < sets.length; s += 20) {
        const chunk = sets.slice(s, s + 20);
        // the API refuses empty questions with a 400 before any model runs: those count as refused
        const sendable = chunk.filter((q) => q.text.trim() !== "");
        const empty = chunk.length - chunk.filter((q) => q.text.trim() !== "").length;
        answerability.offTask += empty;
        answerability.offTaskRefused += empty;
        if (!sendable.length) continue;
        const body = await post(url, { questions: sendable.map((q) => q.text), image: { base64: image }, topK: 1 }, "answerability");
        sendable.forEach((q, j) => {
          const got = body.results[j]!.answerable;
          if (got === undefined) answerability.missingField++;
          if (q.answerable) {
            answerability.inTask++;
            if (got === true) answerability.inTaskAccepted++;
          } else {
            answerability.offTask++;
            if (got === false) answerability.offTaskRefused++;
          }
        });
      }
    }
  } finally {
    await stack?.stop();
  }

  const offlinePath = "models/sort-of-clevr/eval.json";
  const offline = existsSync(offlinePath) ? (JSON.parse(readFileSync(offlinePath, "utf8")) as { seed: number; images: number; shifts: Record<string, Record<string, { relational: number; nonRelational: number; ece: number }>> }) : null;
  const sameScenes = offline?.seed === a.seed;
  const results = Object.fromEntries(a.shifts.map((s) => [s, Object.fromEntries(a.fusions.map((f) => [f, summary(tallies[s]![f]!)]))]));
  const def = a.fusions[0]!;
  const barShifts = a.shifts.filter((s) => !BAR_EXEMPT.includes(s));
  const worst = (k: "relational" | "nonRelational") => Math.min(...barShifts.map((s) => results[s]![def]![k]));
  const L: string[] = ["# The robustness table through the HTTP path", ""];
  L.push(`Generated by \`npx tsx scripts/eval-http.ts --images ${a.images} --seed ${a.seed}\` (\`npm run eval\`) on ${new Date().toISOString().slice(0, 10)}, ${machine()}.`, "");
  L.push(`Each shifted image (docs/task.md, "Evaluation shifts") goes as base64 to \`POST /v1/answer/batch\` with its 6 questions, once per fusion, to the edge Worker under \`wrangler dev\`, which gets the image features from the feature function (decode, letterbox, Lanczos-3, the soc-image encoder) over the Open Inference Protocol and the text features from its int8 encoder in onnxruntime-web; the top answer and its score are scored. Scenes: generator seed ${a.seed}, the first ${a.images} scenes (${a.images * 6} questions a shift and fusion)${sameScenes ? `, a subset of the offline evaluation's scenes (models/sort-of-clevr/EVAL.md, ${offline!.images} scenes)` : ""}.`, "");
  L.push("## Bars (default fusion, through HTTP)", "", "| bar | met | value |", "|---|---|---|");
  L.push(`| ${def}: relational ≥ 95% under every shift except JPEG q50 | ${worst("relational") >= 95 ? "yes" : "**no**"} | min ${f2(worst("relational"))}% |`);
  L.push(`| ${def}: non-relational ≥ 99% under every shift except JPEG q50 | ${worst("nonRelational") >= 99 ? "yes" : "**no**"} | min ${f2(worst("nonRelational"))}% |`);
  if (answerability.offTask) {
    L.push(`| off-task questions answerable: false ≥ 95% | ${pct(answerability.offTaskRefused, answerability.offTask) >= 95 ? "yes" : "**no**"} | ${f2(pct(answerability.offTaskRefused, answerability.offTask))}% of ${answerability.offTask} |`);
    L.push(`| in-task questions answerable: true ≥ 99% | ${pct(answerability.inTaskAccepted, answerability.inTask) >= 99 ? "yes" : "**no**"} | ${f2(pct(answerability.inTaskAccepted, answerability.inTask))}% of ${answerability.inTask} |`);
  }
  L.push("", "## Relational / non-relational accuracy % (ECE %) per fusion and shift", "");
  L.push(`| shift | ${a.fusions.join(" | ")} | offline ${def} (same seed) |`, `|---|${a.fusions.map(() => "---").join("|")}|---|`);
  for (const s of a.shifts) {
    const off = sameScenes ? offline?.shifts[s]?.[def] : undefined;
    L.push(`| ${s} | ${a.fusions.map((f) => { const r = results[s]![f]!; return `${f1(r.relational)} / ${f1(r.nonRelational)} (${f1(r.ece)})`; }).join(" | ")} | ${off ? `${f1(off.relational)} / ${f1(off.nonRelational)} (${f1(off.ece)})` : "–"} |`);
  }
  L.push("", `## ${def}: per question type (accuracy %)`, "", `| shift | ${QUESTION_TYPES.join(" | ")} |`, `|---|${QUESTION_TYPES.map(() => "---").join("|")}|`);
  for (const s of a.shifts) L.push(`| ${s} | ${QUESTION_TYPES.map((q) => f1(results[s]![def]!.perType[q]!)).join(" | ")} |`);
  if (answerability.inTask + answerability.offTask) {
    L.push("", "## answerable through the API", "", `Generated sets (seed ${a.seed + 1}): ${answerability.inTask} in-task questions in varied casing and punctuation, ${answerability.offTask} off-task questions; \`answerable\` read from each batch result (empty questions are refused by the API's validation with a 400 and counted as refused).${answerability.missingField ? ` ${answerability.missingField} results had no answerable field.` : ""}`, "");
    L.push("| measure | value |", "|---|---|", `| in-task accepted | ${f2(pct(answerability.inTaskAccepted, answerability.inTask))}% |`, `| off-task refused | ${f2(pct(answerability.offTaskRefused, answerability.offTask))}% |`);
  }
  L.push("", `The offline differences come from the text encoder runtime (onnxruntime-web in the Worker vs onnxruntime-node) only; the image path is the feature function's own code in both. Wall time ${((performance.now() - t0) / 1000).toFixed(0)} s.`);
  writeFileSync(a.out, L.join("\n") + "\n");
  writeFileSync(a.json, JSON.stringify({ seed: a.seed, images: a.images, machine: machine(), fusions: a.fusions, shifts: results, answerability }, null, 2) + "\n");
  console.log(L.join("\n"));
  console.log(`wrote ${a.out} and ${a.json}`);
}

await main();
