/**
 * Start-up initialisation of onnxruntime-web in workerd, measured side by side in one run:
 *   lazy        runtime and sessions created by the first request (the edge's behaviour before)
 *   eager       runtime + the text encoder created and run once in the Worker's global scope
 *   eager-head  the same plus the default fusion head
 * Each trial starts a fresh `wrangler dev` of the bench Worker (scripts/bench/ort-worker), records
 * the workerd process's CPU time up to "Ready" and during each request (/proc, user+system), the
 * in-Worker stage times, the first text encode, and the first use of every head of the default suite.
 *   npx tsx scripts/bench/cold-start.ts [--trials 3] [--out f.json]
 */
import { relative } from "node:path";
import { edgeModelFiles, syntheticFeedSpec } from "./edge-models";
import { fmt, machine, median, processStats, runAsScript, type Started, startEdge } from "./lib";

const argv = process.argv.slice(2);
const TRIALS = argv.includes("--trials") ? Number(argv[argv.indexOf("--trials") + 1]) : 3;
const MODES = ["lazy", "eager", "eager-head"] as const;
type Mode = (typeof MODES)[number];
const CONFIG = "scripts/bench/ort-worker/wrangler.toml";

const cpu = (edge: Started) => processStats(edge.process.pid!, /workerd/).cpuMs;

async function timed<T>(edge: Started, f: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const c0 = cpu(edge);
  const t0 = performance.now();
  const value = await f();
  return { value, wallMs: performance.now() - t0, cpuMs: cpu(edge) - c0 };
}

interface Trial {
  readyMs: number;
  readyCpuMs: number;
  startup: { globalMs: number; report: unknown; wasmMemoryBytes: number };
  firstEncode: { wallMs: number; cpuMs: number; inWorkerMs: number };
  secondEncode: { wallMs: number; inWorkerMs: number };
  heads: Record<string, { wallMs: number; cpuMs: number; fetchMs: number; createMs: number; firstRunMs: number }>;
}

async function trial(mode: Mode, heads: { name: string; path: string; feeds: unknown }[]): Promise<Trial> {
  const edge = await startEdge({ ORT_STARTUP: mode }, CONFIG);
  try {
    const readyCpuMs = cpu(edge);
    const startup = (await (await fetch(`${edge.url}/startup`)).json()) as Trial["startup"];
    const encode = () => fetch(`${edge.url}/encode`, { method: "POST" }).then((r) => r.json() as Promise<{ ms: number }>);
    const first = await timed(edge, encode);
    const second = await timed(edge, encode);
    const headResults: Trial["heads"] = {};
    for (const h of heads) {
      const r = await timed(edge, () =>
        fetch(`${edge.url}/head`, { method: "POST", body: JSON.stringify({ path: h.path, feeds: h.feeds }) }).then(
          (res) => res.json() as Promise<{ fetchMs: number; createMs: number; firstRunMs: number }>,
        ),
      );
      headResults[h.name] = { wallMs: r.wallMs, cpuMs: r.cpuMs, ...r.value };
    }
    return {
      readyMs: edge.readyMs,
      readyCpuMs,
      startup,
      firstEncode: { wallMs: first.wallMs, cpuMs: first.cpuMs, inWorkerMs: first.value.ms },
      secondEncode: { wallMs: second.wallMs, inWorkerMs: second.value.ms },
      heads: headResults,
    };
  } finally {
    await edge.stop();
  }
}

export async function benchColdStart() {
  console.log(`cold-start bench on ${machine()}, ${TRIALS} trials per mode`);
  // The default suite's heads, default first (the order a user meets them in).
  const files = edgeModelFiles().filter((f) => f.suite === "sort-of-clevr" && f.role === "head").sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
  const heads = await Promise.all(files.map(async (f) => ({ name: f.name, path: relative("models", f.path), feeds: await syntheticFeedSpec(f.path) })));
  const trials: Record<Mode, Trial[]> = { lazy: [], eager: [], "eager-head": [] };
  for (let t = 0; t < TRIALS; t++) {
    for (const mode of MODES) {
      // wrangler dev restarts the Worker when files it watches change (a shared working tree): retry such a trial once.
      const r = await trial(mode, heads).catch((err: unknown) => {
        console.log(`trial ${t + 1} ${mode} failed (${err instanceof Error ? err.message.split("\n")[0] : String(err)}); retrying once`);
        return trial(mode, heads);
      });
      trials[mode].push(r);
      const headsLine = Object.entries(r.heads).map(([k, v]) => `${k} ${fmt(v.wallMs)}`).join(", ");
      console.log(`trial ${t + 1} ${mode.padEnd(10)} ready ${fmt(r.readyMs)} ms (workerd CPU ${fmt(r.readyCpuMs)} ms, global scope ${r.startup.globalMs} ms); first encode ${fmt(r.firstEncode.wallMs)} ms (CPU ${fmt(r.firstEncode.cpuMs)}), second ${fmt(r.secondEncode.wallMs)}; first head use: ${headsLine}`);
    }
  }
  const summary = Object.fromEntries(
    MODES.map((mode) => {
      const ts = trials[mode];
      const headNames = Object.keys(ts[0]!.heads);
      return [
        mode,
        {
          readyMs: median(ts.map((t) => t.readyMs)),
          readyCpuMs: median(ts.map((t) => t.readyCpuMs)),
          globalScopeMs: median(ts.map((t) => t.startup.globalMs)),
          firstEncodeMs: median(ts.map((t) => t.firstEncode.wallMs)),
          firstEncodeCpuMs: median(ts.map((t) => t.firstEncode.cpuMs)),
          firstEncodeInWorkerMs: median(ts.map((t) => t.firstEncode.inWorkerMs)),
          secondEncodeMs: median(ts.map((t) => t.secondEncode.wallMs)),
          wasmMemoryAfterStartupBytes: median(ts.map((t) => t.startup.wasmMemoryBytes)),
          headFirstUse: Object.fromEntries(
            headNames.map((h) => [h, { wallMs: median(ts.map((t) => t.heads[h]!.wallMs)), cpuMs: median(ts.map((t) => t.heads[h]!.cpuMs)), fetchMs: median(ts.map((t) => t.heads[h]!.fetchMs)), createMs: median(ts.map((t) => t.heads[h]!.createMs)), firstRunMs: median(ts.map((t) => t.heads[h]!.firstRunMs)) }]),
          ),
        },
      ];
    }),
  );
  const lazy = summary.lazy!;
  for (const mode of MODES) {
    const s = summary[mode]!;
    console.log(`${mode.padEnd(10)} median: ready CPU ${fmt(s.readyCpuMs)} ms (${fmt(s.readyCpuMs - lazy.readyCpuMs)} over lazy), first encode ${fmt(s.firstEncodeMs)} ms wall / ${fmt(s.firstEncodeCpuMs)} ms CPU`);
  }
  return { machine: machine(), trials: TRIALS, loadAverageAtEnd: (await import("node:os")).loadavg(), summary, raw: trials };
}

await runAsScript(import.meta.url, benchColdStart);
