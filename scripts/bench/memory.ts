/**
 * The isolate's memory budget, measured in the bench Worker (scripts/bench/ort-worker, the edge's
 * own inference/ort.ts): ORT's WebAssembly linear memory after start-up, after every edge model of
 * the first suite is loaded and run once, and after a second suite's. With only one suite shipped,
 * the second is a stand-in: the same suite's models loaded again as separate sessions (what a
 * second suite of the same size costs); the report says which. The feature caches' share is their
 * configured byte caps (they are bounded LRUs); workerd's process RSS is recorded beside it.
 *   npx tsx scripts/bench/memory.ts [--out f.json]
 */
import { relative } from "node:path";
import { edgeModelFiles, syntheticFeedSpec } from "./edge-models";
import { machine, processStats, runAsScript, startEdge } from "./lib";

const MiB = 2 ** 20;

export async function benchMemory() {
  console.log(`memory bench on ${machine()}`);
  const files = edgeModelFiles();
  const suites = [...new Set(files.map((f) => f.suite))];
  const plan = suites.map((suite) => ({ label: suite, standIn: false, files: files.filter((f) => f.suite === suite) }));
  if (plan.length === 1) plan.push({ label: `${plan[0]!.label} again (stand-in for a second suite)`, standIn: true, files: plan[0]!.files });
  const edge = await startEdge({ ORT_STARTUP: "eager" }, "scripts/bench/ort-worker/wrangler.toml");
  try {
    const rss = () => processStats(edge.process.pid!, /workerd/).rssMiB;
    const startup = (await (await fetch(`${edge.url}/startup`)).json()) as { wasmMemoryBytes: number };
    const steps: { after: string; wasmMemoryBytes: number; workerdRssMiB: number }[] = [{ after: "start-up (runtime + default text encoder)", wasmMemoryBytes: startup.wasmMemoryBytes, workerdRssMiB: rss() }];
    console.log(`${steps[0]!.after}: wasm ${(startup.wasmMemoryBytes / MiB).toFixed(1)} MiB`);
    for (const suite of plan) {
      let wasm = 0;
      for (const f of suite.files) {
        const res = await fetch(`${edge.url}/head`, { method: "POST", body: JSON.stringify({ path: relative("models", f.path), feeds: await syntheticFeedSpec(f.path) }) });
        if (!res.ok) throw new Error(`${f.path}: ${res.status} ${await res.text()}`);
        wasm = ((await res.json()) as { wasmMemoryBytes: number }).wasmMemoryBytes;
      }
      steps.push({ after: `suite ${suite.label}: ${suite.files.length} models loaded and run once`, wasmMemoryBytes: wasm, workerdRssMiB: rss() });
      console.log(`${steps.at(-1)!.after}: wasm ${(wasm / MiB).toFixed(1)} MiB`);
    }
    return { machine: machine(), suites: plan.map((p) => ({ label: p.label, standIn: p.standIn, models: p.files.map((f) => relative("models", f.path)) })), steps };
  } finally {
    await edge.stop();
  }
}

await runAsScript(import.meta.url, benchMemory);
