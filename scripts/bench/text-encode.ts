/**
 * Text-encode latency for a typical question: inside the Worker (workerd, onnxruntime-web WASM),
 * end to end over HTTP through `wrangler dev`, and onnxruntime-node (native) on the same model file,
 * in one run on one machine. Prints medians and the workerd/native ratio; `--out f.json` saves them.
 */
import { readFileSync } from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";
import { bundledTextModelPaths } from "../lib/text-model-paths";
import { fmt, machine, median, ownCpuMs, processStats, runAsScript, serverTiming, startEdge } from "./lib";

const QUESTION = "what shape is the object closest to the red object?";
const ROUNDS = 9;
const ITERATIONS = 300;

/** onnxruntime-node on the same files; each call of the returned function times one round of ITERATIONS encodes. */
async function nativeRounds(level: "all" | "basic"): Promise<() => Promise<{ wallMs: number; cpuMs: number }>> {
  // Both sessions fold the int8 weights' DequantizeLinear as the Worker does (same maths); without
  // that, "all" would instead quantise activations too (MatMulIntegerToFloat), different numbers.
  const paths = bundledTextModelPaths();
  const tok = new Tokenizer(JSON.parse(readFileSync(paths.tokenizer, "utf8")), paths.tokenizerConfig ? JSON.parse(readFileSync(paths.tokenizerConfig, "utf8")) : {});
  const session = await ort.InferenceSession.create(paths.onnx, { graphOptimizationLevel: level, intraOpNumThreads: 1, interOpNumThreads: 1, extra: { session: { disable_quant_qdq: "1" } } });
  const encodeOnce = async () => {
    const enc = tok.encode(QUESTION, { return_token_type_ids: true });
    const n = enc.ids.length;
    const t = (a: number[]) => new ort.Tensor("int64", BigInt64Array.from(a.map(BigInt)), [1, n]);
    const all: Record<string, ort.Tensor> = { input_ids: t(enc.ids), attention_mask: t(enc.attention_mask), token_type_ids: t(enc.token_type_ids!) };
    const feeds = Object.fromEntries(session.inputNames.map((k) => [k, all[k]!]));
    return session.run(feeds);
  };
  for (let i = 0; i < 20; i++) await encodeOnce();
  return async () => {
    const t0 = performance.now();
    const c0 = ownCpuMs();
    for (let i = 0; i < ITERATIONS; i++) await encodeOnce();
    return { wallMs: (performance.now() - t0) / ITERATIONS, cpuMs: (ownCpuMs() - c0) / ITERATIONS };
  };
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

export async function benchTextEncode() {
  console.log(`text-encode bench on ${machine()}`);
  const edge = await startEdge({ BENCH_ROUTES: "1" });
  try {
    // Cold: the first request after start loads the runtime and the session.
    const t0 = performance.now();
    const cold = await post(`${edge.url}/v1/features/text`, { texts: [QUESTION] });
    const coldEndToEndMs = performance.now() - t0;
    const coldInWorkerMs = serverTiming(cold.headers.get("server-timing"), "total");
    await cold.arrayBuffer();

    // Per encode in the Worker, three ways, each from a request of ITERATIONS encodes less a request
    // of one (the request's own cost cancels): the Worker's own clock (coarse in workerd), the client's
    // wall clock, and workerd's CPU from /proc. Native rounds are interleaved with the Worker's, so
    // both sides of each ratio see the same machine load; ratios are medians of per-round ratios.
    const nativeAllRound = await nativeRounds("all");
    const nativeBasicRound = await nativeRounds("basic");
    const inWorker: number[] = [];
    const inWorkerCpu: number[] = [];
    const inWorkerClient: number[] = [];
    const nativeAllWall: number[] = [];
    const nativeAllCpu: number[] = [];
    const nativeBasicWall: number[] = [];
    const ratioWall: number[] = [];
    const ratioCpu: number[] = [];
    const workerdCpu = () => processStats(edge.process.pid!, /workerd/).cpuMs;
    const request = async (iterations: number) => {
      const c0 = workerdCpu();
      const t0 = performance.now();
      const res = (await (await post(`${edge.url}/_bench/text-encode`, { text: QUESTION, iterations })).json()) as { perCallMs: number };
      return { wallMs: performance.now() - t0, cpuMs: workerdCpu() - c0, perCallMs: res.perCallMs };
    };
    await request(ITERATIONS); // warm: the first long request also grows the wasm heap
    for (let r = 0; r < ROUNDS; r++) {
      const one = await request(1);
      const many = await request(ITERATIONS);
      const clientMs = (many.wallMs - one.wallMs) / (ITERATIONS - 1);
      inWorkerClient.push(clientMs);
      inWorkerCpu.push((many.cpuMs - one.cpuMs) / (ITERATIONS - 1));
      inWorker.push(many.perCallMs);
      const nat = await nativeAllRound();
      nativeAllWall.push(nat.wallMs);
      nativeAllCpu.push(nat.cpuMs);
      nativeBasicWall.push((await nativeBasicRound()).wallMs);
      ratioWall.push(clientMs / nat.wallMs);
      ratioCpu.push(inWorkerCpu.at(-1)! / nat.cpuMs);
    }
    // End to end, cache misses: a distinct question each time (same length class).
    const missE2E: number[] = [];
    const hitE2E: number[] = [];
    for (let i = 0; i < 60; i++) {
      const q = `${QUESTION} ${i}`;
      let s = performance.now();
      await (await post(`${edge.url}/v1/features/text`, { texts: [q] })).arrayBuffer();
      missE2E.push(performance.now() - s);
      s = performance.now();
      await (await post(`${edge.url}/v1/features/text`, { texts: [q] })).arrayBuffer();
      hitE2E.push(performance.now() - s);
    }
    const nativeAll = { wallMs: median(nativeAllWall), cpuMs: median(nativeAllCpu) };
    const nativeBasic = { wallMs: median(nativeBasicWall) };
    const result = {
      machine: machine(),
      model: bundledTextModelPaths().onnx,
      question: QUESTION,
      edgeStartMs: edge.readyMs,
      coldFirstRequest: { inWorkerMs: coldInWorkerMs, endToEndMs: coldEndToEndMs },
      inWorkerMedianMs: median(inWorker),
      inWorkerClientWallMedianMs: median(inWorkerClient),
      inWorkerCpuMedianMs: median(inWorkerCpu),
      endToEndMissMedianMs: median(missE2E),
      endToEndHitMedianMs: median(hitE2E),
      nativeAllMedianMs: nativeAll.wallMs,
      nativeBasicMedianMs: nativeBasic.wallMs,
      nativeAllCpuMedianMs: nativeAll.cpuMs,
      // wall per encode from the client's clock (workerd's own clock is coarse), interleaved rounds
      ratioWorkerdVsNativeAll: median(ratioWall),
      ratioWorkerdVsNativeBasic: median(inWorkerClient) / nativeBasic.wallMs,
      // CPU per encode, workerd (whole process, /proc ticks: V8's GC and compiler threads included) vs this process
      cpuRatioWorkerdVsNativeAll: median(ratioCpu),
      rounds: ROUNDS,
      iterations: ITERATIONS,
    };
    console.log(`cold first request: ${fmt(coldInWorkerMs)} ms in worker, ${fmt(coldEndToEndMs)} ms end to end (wrangler dev ready after ${fmt(edge.readyMs)} ms)`);
    console.log(`in worker (onnxruntime-web WASM): median ${fmt(result.inWorkerClientWallMedianMs)} ms per text by the client's clock, ${fmt(result.inWorkerMedianMs)} ms by the Worker's (${ROUNDS} rounds × ${ITERATIONS})`);
    console.log(`onnxruntime-node native, single thread: ${fmt(nativeAll.wallMs)} ms (opt all), ${fmt(nativeBasic.wallMs)} ms (opt basic)`);
    console.log(`CPU per encode: workerd ${fmt(result.inWorkerCpuMedianMs)} ms vs native ${fmt(nativeAll.cpuMs)} ms = ${result.cpuRatioWorkerdVsNativeAll.toFixed(2)}×`);
    console.log(`ratio workerd / native: ${result.ratioWorkerdVsNativeAll.toFixed(2)}× (vs all), ${result.ratioWorkerdVsNativeBasic.toFixed(2)}× (vs basic)`);
    console.log(`end to end via wrangler dev: miss ${fmt(result.endToEndMissMedianMs)} ms, hit ${fmt(result.endToEndHitMedianMs)} ms (medians of 60)`);
    return result;
  } finally {
    await edge.stop();
  }
}

await runAsScript(import.meta.url, benchTextEncode);
