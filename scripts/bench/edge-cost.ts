/**
 * The edge as a user meets it after `npm start`, and what each answer costs, in one run:
 * 1. first answer, per configuration (ORT_STARTUP × HEAD_WARMUP, and the pause a user leaves between
 *    questions), a fresh stack per trial: the first GET /healthz (waits for the isolate's start-up),
 *    the first /v1/answer (fresh image and question, default fusion) end to end, then each further
 *    head's first use (same image and question, so both features are cached). Medians over trials.
 * 2. CPU per request (eager stack): per cache state (both hit, text miss, image miss, both miss),
 *    the workerd process's CPU time (/proc, user + system, all threads) over N sequential requests,
 *    less GET /healthz's per request (the local runtime and wrangler's proxy, not billed by
 *    Workers), and the feature function's CPU per request beside it.
 *   npx tsx scripts/bench/edge-cost.ts [--requests 20] [--trials 3] [--out f.json]
 */
import { fmt, machine, median, processStats, runAsScript, serverTiming } from "./lib";
import { sceneSample } from "./scenes";
import { type Stack, startStack } from "./stack";

const argv = process.argv.slice(2);
const N = argv.includes("--requests") ? Number(argv[argv.indexOf("--requests") + 1]) : 20;
const TRIALS = argv.includes("--trials") ? Number(argv[argv.indexOf("--trials") + 1]) : 3;

/** What is compared: the old behaviour first, then what each change adds. */
const CONFIGS = [
  { label: "lazy, no warm-up (start-up before issue 15)", ORT_STARTUP: "lazy", HEAD_WARMUP: "off", pauseMs: 0 },
  { label: "eager, no warm-up", ORT_STARTUP: "eager", HEAD_WARMUP: "off", pauseMs: 0 },
  { label: "eager + warm-up, questions back to back", ORT_STARTUP: "eager", HEAD_WARMUP: "suite", pauseMs: 0 },
  { label: "eager + warm-up, 1 s between questions", ORT_STARTUP: "eager", HEAD_WARMUP: "suite", pauseMs: 1000 },
] as const;
type Config = (typeof CONFIGS)[number];
const SEED = 7331; // used by no training or evaluation split
const FUSIONS = ["attention", "concat", "sum", "product", "bilinear"];

/** Generous upstream timeouts: on a loaded machine the feature function's first encode is slow, and a 504 is not what is measured here. */
const PATIENT = { IMAGE_FEATURES_ATTEMPT_TIMEOUT_MS: "60000", IMAGE_FEATURES_DEADLINE_MS: "120000" };

const edgeCpu = (s: Stack) => processStats(s.edge.process.pid!, /workerd/).cpuMs;
const imageCpu = (s: Stack) => processStats(s.image.process.pid!, /image-features/).cpuMs;

async function answer(s: Stack, body: Record<string, unknown>, retry = true): Promise<{ wallMs: number; serverMs: number }> {
  const t0 = performance.now();
  const res = await fetch(`${s.edge.url}/v1/answer`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  // wrangler dev restarts the Worker when a watched file changes (a shared working tree): once, retry.
  if (retry && text.startsWith("Your worker restarted")) return answer(s, body, false);
  const json = JSON.parse(text) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`/v1/answer ${res.status}: ${JSON.stringify(json)}`);
  return { wallMs: performance.now() - t0, serverMs: serverTiming(res.headers.get("server-timing"), "total") };
}

async function firstAnswerTrial(config: Config, scene: number) {
  const s = await startStack({ ORT_STARTUP: config.ORT_STARTUP, HEAD_WARMUP: config.HEAD_WARMUP, ...PATIENT });
  try {
    const readyCpuMs = edgeCpu(s);
    let t0 = performance.now();
    await (await fetch(`${s.edge.url}/healthz`)).arrayBuffer();
    const healthzMs = performance.now() - t0;
    const sample = sceneSample(SEED, scene);
    const q = sample.questions[1]!.question;
    const c0 = edgeCpu(s);
    const first = await answer(s, { question: q, image: { base64: sample.base64 } });
    const firstCpuMs = edgeCpu(s) - c0;
    const heads: Record<string, { wallMs: number; serverMs: number }> = {};
    for (const fusion of FUSIONS.slice(1)) {
      if (config.pauseMs) await new Promise((r) => setTimeout(r, config.pauseMs));
      heads[fusion] = await answer(s, { question: q, image: { base64: sample.base64 }, fusion });
    }
    t0 = performance.now();
    await answer(s, { question: q, image: { base64: sample.base64 } });
    const repeatMs = performance.now() - t0;
    return { readyMs: s.edge.readyMs, readyCpuMs, healthzMs, first, firstCpuMs, heads, repeatMs };
  } finally {
    await s.stop();
  }
}

type Trial = Awaited<ReturnType<typeof firstAnswerTrial>>;

async function firstAnswer(config: Config, firstScene: number) {
  const trials: Trial[] = [];
  for (let t = 0; t < TRIALS; t++) trials.push(await firstAnswerTrial(config, firstScene + t));
  const med = (f: (t: Trial) => number) => median(trials.map(f));
  const heads = Object.fromEntries(FUSIONS.slice(1).map((k) => [k, { wallMs: med((t) => t.heads[k]!.wallMs), serverMs: med((t) => t.heads[k]!.serverMs) }]));
  const result = {
    label: config.label,
    mode: config.ORT_STARTUP,
    headWarmup: config.HEAD_WARMUP,
    pauseMs: config.pauseMs,
    trials: TRIALS,
    readyMs: med((t) => t.readyMs),
    readyCpuMs: med((t) => t.readyCpuMs),
    healthzMs: med((t) => t.healthzMs),
    first: { wallMs: med((t) => t.first.wallMs), serverMs: med((t) => t.first.serverMs) },
    firstCpuMs: med((t) => t.firstCpuMs),
    heads,
    repeatMs: med((t) => t.repeatMs),
    raw: trials,
  };
  console.log(`${config.label}: ready ${fmt(result.readyMs)} ms (edge CPU ${fmt(result.readyCpuMs)} ms); first /healthz ${fmt(result.healthzMs)} ms; first /v1/answer ${fmt(result.first.wallMs)} ms end to end (edge CPU ${fmt(result.firstCpuMs)} ms); further heads' first use: ${Object.entries(heads).map(([k, v]) => `${k} ${fmt(v.wallMs)}`).join(", ")} ms; repeat ${fmt(result.repeatMs)} ms (medians of ${TRIALS})`);
  return result;
}

async function perRequestCpu(s: Stack, label: string, send: (i: number) => Promise<unknown>) {
  const e0 = edgeCpu(s);
  const i0 = imageCpu(s);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await send(i);
  return { label, edgeCpuMs: (edgeCpu(s) - e0) / N, imageCpuMs: (imageCpu(s) - i0) / N, wallMs: (performance.now() - t0) / N };
}

export async function benchEdgeCost() {
  console.log(`edge cost bench on ${machine()}`);
  const first: Record<string, Awaited<ReturnType<typeof firstAnswer>>> = {};
  for (const [i, config] of CONFIGS.entries()) first[config.label] = await firstAnswer(config, i * TRIALS);
  const s = await startStack({ ORT_STARTUP: "eager", ...PATIENT });
  try {
    let scene = 100;
    const hot = sceneSample(SEED, 2);
    const hotQ = hot.questions[0]!.question;
    for (const fusion of FUSIONS) await answer(s, { question: hotQ, image: { base64: hot.base64 }, fusion }); // every head loaded
    const cached = sceneSample(SEED, 3);
    await answer(s, { question: hotQ, image: { base64: cached.base64 } });
    const states = [
      await perRequestCpu(s, "healthz (runtime floor)", () => fetch(`${s.edge.url}/healthz`).then((r) => r.arrayBuffer())),
      await perRequestCpu(s, "both hit", () => answer(s, { question: hotQ, image: { base64: hot.base64 } })),
      await perRequestCpu(s, "text miss", (i) => answer(s, { question: `${hotQ}${" ".repeat(i + 1)}`, image: { base64: cached.base64 } })),
      await perRequestCpu(s, "image miss", () => answer(s, { question: hotQ, image: { base64: sceneSample(SEED, scene++).base64 } })),
      await perRequestCpu(s, "both miss", (i) => answer(s, { question: `${hotQ}${" ".repeat(100 + i)}`, image: { base64: sceneSample(SEED, scene++).base64 } })),
    ];
    const floor = states[0]!.edgeCpuMs;
    const rows = states.map((r) => ({ ...r, edgeCpuOverFloorMs: Math.max(0, r.edgeCpuMs - floor) }));
    for (const r of rows) console.log(`${r.label.padEnd(24)} edge CPU ${fmt(r.edgeCpuMs)} ms/request (${fmt(r.edgeCpuOverFloorMs)} over the floor), feature function CPU ${fmt(r.imageCpuMs)} ms, wall ${fmt(r.wallMs)} ms`);
    return { machine: machine(), requestsPerState: N, loadAverageAtEnd: (await import("node:os")).loadavg(), first, cpu: rows };
  } finally {
    await s.stop();
  }
}

await runAsScript(import.meta.url, benchEdgeCost);
