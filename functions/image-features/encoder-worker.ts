/**
 * Worker thread that owns the onnxruntime-node session. onnxruntime-node's `run` executes
 * synchronously on the calling thread, so on the main thread every batch would freeze HTTP and
 * image decoding for its whole duration; here the main thread keeps accepting and decoding the
 * next batch while this one runs (the pipelining that makes batching pay).
 *
 * Messages in: { id, batch, count } | { type: "close" }. Out: { type: "ready", provider, note } once,
 * then { id, outputs } or { id, error } per batch.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import type { EncoderWorkerData, Provider, WorkerReply, WorkerRequest } from "./encoder.js";

const data = workerData as EncoderWorkerData;
const port = parentPort;
if (!port) throw new Error("encoder-worker must run as a worker thread");

/** onnxruntime-node's install script puts the CUDA provider here; npm here skips that download. */
function cudaProviderInstalled(): boolean {
  try {
    const entry = createRequire(import.meta.url).resolve("onnxruntime-node");
    return existsSync(join(dirname(entry), "..", "bin", "napi-v6", process.platform, process.arch, "libonnxruntime_providers_cuda.so"));
  } catch {
    return false;
  }
}

function sessionOptions(provider: Provider): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    // fp32 graph: full optimisation (fusions) stays within 1e-5 of running the file unoptimised.
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    interOpNumThreads: 1, // one batch at a time: inter-op threads would only idle
    ...(data.intraOpThreads > 0 ? { intraOpNumThreads: data.intraOpThreads } : {}),
    // Idle intra-op threads would spin-wait between runs, stealing the cores that decode images.
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  };
}

async function load(): Promise<{ session: ort.InferenceSession; provider: Provider; note: string | undefined }> {
  const tryCuda = data.provider === "cuda" || (data.provider === "auto" && cudaProviderInstalled());
  let note: string | undefined = data.provider === "auto" && !tryCuda ? "onnxruntime-node CUDA provider library not installed" : undefined;
  if (tryCuda) {
    try {
      return { session: await ort.InferenceSession.create(data.model, sessionOptions("cuda")), provider: "cuda", note };
    } catch (err) {
      note = `CUDA execution provider failed to load: ${(err as Error).message.split("\n")[0]}`;
    }
  }
  return { session: await ort.InferenceSession.create(data.model, sessionOptions("cpu")), provider: "cpu", note };
}

async function run(session: ort.InferenceSession, batch: Float32Array, count: number): Promise<{ name: string; dims: number[]; data: Float32Array }[]> {
  const results = await session.run({ [data.inputName]: new ort.Tensor("float32", batch, [count, ...data.inputShape]) }, data.outputNames);
  return data.outputNames.map((name) => {
    const t = results[name];
    if (!t || !(t.data instanceof Float32Array)) throw new Error(`output ${name} is missing or not float32`);
    return { name, dims: [...t.dims], data: t.data };
  });
}

async function main(): Promise<void> {
  const post = (msg: WorkerReply, transfer: ArrayBuffer[] = []) => port?.postMessage(msg, transfer);
  let loaded: Awaited<ReturnType<typeof load>>;
  try {
    loaded = await load();
    const missing = [data.inputName, ...data.outputNames].filter((n) => ![...loaded.session.inputNames, ...loaded.session.outputNames].includes(n));
    if (missing.length) throw new Error(`model lacks tensors named in config.json: ${missing.join(", ")}`);
    // The batcher stacks requests along dim 0: the ONNX input must have a dynamic batch dimension
    // and exactly the per-item dims config.json declares (fail at start, not on the first request).
    const input = loaded.session.inputMetadata.find((m) => m.name === data.inputName);
    if (input?.isTensor) {
      const [batch, ...item] = input.shape;
      if (typeof batch === "number" && batch !== -1) throw new Error(`model input ${data.inputName} has a fixed batch dimension ${batch}; config.json's maxBatchSize needs a dynamic one`);
      if (item.length !== data.inputShape.length || item.some((d, i) => typeof d === "number" && d !== data.inputShape[i])) {
        throw new Error(`model input ${data.inputName} has shape [${input.shape.join(", ")}], config.json says [-1, ${data.inputShape.join(", ")}]`);
      }
    }
    // Warm up: the first run allocates and, on CUDA, picks kernels.
    await run(loaded.session, new Float32Array(data.inputShape.reduce((a, b) => a * b, 1)), 1);
  } catch (err) {
    post({ type: "failed", message: (err as Error).message });
    return;
  }
  const { session } = loaded;
  post({ type: "ready", provider: loaded.provider, note: loaded.note });
  port?.on("message", (msg: WorkerRequest) => {
    if (msg.type === "close") {
      void session.release().finally(() => port.close());
      return;
    }
    run(session, msg.batch, msg.count).then(
      // Copy out of onnxruntime's buffers so they can be transferred without a second copy.
      (outputs) => {
        const owned = outputs.map((o) => ({ ...o, data: o.data.slice() }));
        post({ type: "result", id: msg.id, outputs: owned }, owned.map((o) => o.data.buffer as ArrayBuffer));
      },
      (err: unknown) => post({ type: "error", id: msg.id, message: (err as Error).message }),
    );
  });
}

void main();
