/**
 * Bench-only Worker: measures the edge's inference/ort.ts inside workerd, in isolation from routes,
 * caches and upstream calls. See wrangler.toml next to it.
 *   GET  /startup  what start-up did (mode, stage times, wasm memory)
 *   POST /encode   one text-encoder run on the bundled encoder (creates its session on first use)
 *   POST /head     { path, feeds }: a head read from static assets (sha256 checked, as the edge does),
 *                  its session created and run once: fetch, create and first-run times
 *   POST /session  { model: base64, graphOptimization?, creates?, iterations?, feeds } →
 *                  session create time, first run, per-run median, wasm memory before/after
 */
import { env } from "cloudflare:workers";
import textEncoder from "../../../models/sort-of-clevr/text-encoder.int8.onnx";
import defaultHead from "../../../models/sort-of-clevr/heads/attention.onnx";
import {
  createSession,
  type EdgeTensor,
  type GraphOptimization,
  type ModelSession,
  startRuntime,
  startupReport,
  wasmMemoryBytes,
} from "../../../functions/edge/inference/ort";

const textBytes = new Uint8Array(textEncoder);
const headBytes = new Uint8Array(defaultHead);
const MODES = ["lazy", "eager", "eager-head"] as const;
const requested = (env as { ORT_STARTUP?: string }).ORT_STARTUP;
const mode = MODES.find((m) => m === requested) ?? "lazy";
const globalStart = Date.now();
const probeRuns = Number((env as { ORT_PROBE_RUNS?: string }).ORT_PROBE_RUNS ?? "1");
if (mode === "eager") await startRuntime([{ name: "text-encoder", bytes: textBytes, probeRuns }]);
// Also the default head (bundled here only for this measurement: the edge reads heads from assets).
if (mode === "eager-head") await startRuntime([{ name: "text-encoder", bytes: textBytes }, { name: "head-attention", bytes: headBytes }]);
const globalMs = Date.now() - globalStart;

const IDS = [2, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 3];
function textFeeds(): Record<string, EdgeTensor> {
  const dims = [1, IDS.length];
  return {
    input_ids: { type: "int64", data: BigInt64Array.from(IDS.map(BigInt)), dims },
    attention_mask: { type: "int64", data: new BigInt64Array(IDS.length).fill(1n), dims },
  };
}

type FeedSpec = { type: "float32" | "int64"; dims: number[]; fill: number };
function feedsFrom(spec: Record<string, FeedSpec>): Record<string, EdgeTensor> {
  const out: Record<string, EdgeTensor> = {};
  for (const [name, s] of Object.entries(spec)) {
    const n = s.dims.reduce((a, b) => a * b, 1);
    out[name] = s.type === "float32" ? { type: "float32", data: new Float32Array(n).fill(s.fill), dims: s.dims } : { type: "int64", data: new BigInt64Array(n).fill(BigInt(s.fill)), dims: s.dims };
  }
  return out;
}

let text: Promise<ModelSession> | null = null;

export default {
  async fetch(request: Request, bindings: { ASSETS: Fetcher }): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/head" && request.method === "POST") {
      const body = (await request.json()) as { path: string; feeds: Record<string, FeedSpec> };
      const t0 = Date.now();
      const res = await bindings.ASSETS.fetch(`https://assets.local/${body.path}`);
      if (!res.ok) return new Response(`asset ${body.path}: ${res.status}`, { status: 500 });
      const bytes = new Uint8Array(await res.arrayBuffer());
      await crypto.subtle.digest("SHA-256", bytes);
      const t1 = Date.now();
      const session = await createSession(bytes);
      const t2 = Date.now();
      await session.run(feedsFrom(body.feeds));
      return Response.json({ fetchMs: t1 - t0, createMs: t2 - t1, firstRunMs: Date.now() - t2, wasmMemoryBytes: wasmMemoryBytes() });
    }
    if (url.pathname === "/startup") return Response.json({ mode, globalMs, report: startupReport(), wasmMemoryBytes: wasmMemoryBytes() });
    if (url.pathname === "/encode") {
      const t0 = Date.now();
      text ??= createSession(textBytes);
      const out = await (await text).run(textFeeds());
      return Response.json({ ms: Date.now() - t0, first: out.text_features?.data[0] ?? null, wasmMemoryBytes: wasmMemoryBytes() });
    }
    if (url.pathname === "/session" && request.method === "POST") {
      const body = (await request.json()) as { model: string; graphOptimization?: GraphOptimization; creates?: number; iterations?: number; feeds: Record<string, FeedSpec> };
      const bytes = Uint8Array.from(atob(body.model), (c) => c.charCodeAt(0));
      const memoryBefore = wasmMemoryBytes();
      const creates = Math.max(1, body.creates ?? 1);
      let session: ModelSession | null = null;
      const t0 = Date.now();
      for (let i = 0; i < creates; i++) {
        await session?.release();
        session = await createSession(bytes, { graphOptimization: body.graphOptimization });
      }
      const createMs = (Date.now() - t0) / creates;
      const feeds = feedsFrom(body.feeds);
      const r0 = Date.now();
      const first = await session!.run(feeds);
      const firstRunMs = Date.now() - r0;
      const iterations = body.iterations ?? 0;
      const i0 = Date.now();
      for (let i = 0; i < iterations; i++) await session!.run(feedsFrom(body.feeds));
      const runMs = iterations > 0 ? (Date.now() - i0) / iterations : null;
      const firstOutput = Object.values(first)[0];
      await session!.release();
      return Response.json({ createMs, firstRunMs, runMs, output: firstOutput ? Array.from(firstOutput.data.slice(0, 8)) : [], memoryBefore, memoryAfter: wasmMemoryBytes() });
    }
    return new Response("not found", { status: 404 });
  },
};
