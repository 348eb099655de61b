/**
 * An encoder (one served model) as seen by the server: a handle on a worker thread (encoder-worker.ts) that owns
 * the onnxruntime-node session. The execution provider is chosen once at start: CUDA when asked for
 * (or, with "auto", when the CUDA provider library is installed), else CPU; the provider that
 * actually loaded is reported, so metadata and /metrics never claim a GPU that is not there.
 */
import { Worker } from "node:worker_threads";
import type { ProviderChoice } from "./config.js";
import { readModelBytes, type RepositoryModel } from "./repository/load.js";

export type Provider = "cuda" | "cpu";

export interface EncoderOutput {
  name: string;
  /** Per-image shape (without the batch dimension). */
  shape: number[];
  data: Float32Array;
}

export interface Encoder {
  readonly provider: Provider;
  /** Why CUDA was not used, when it was asked for or looked for. */
  readonly fallbackReason: string | undefined;
  /** False once the worker has died: readiness turns 503 so orchestrators replace the process. */
  readonly healthy: boolean;
  run(batch: Float32Array, count: number): Promise<EncoderOutput[]>;
  close(): Promise<void>;
}

/** What the worker needs; the model bytes are the ones whose sha256 the config check passed. */
export interface EncoderWorkerData {
  model: Uint8Array;
  provider: ProviderChoice;
  intraOpThreads: number;
  inputName: string;
  /** Per-item input dims (without the batch dimension). */
  inputShape: number[];
  outputNames: string[];
}

export type WorkerRequest = { type: "run"; id: number; batch: Float32Array; count: number } | { type: "close" };

export type WorkerReply =
  | { type: "ready"; provider: Provider; note: string | undefined }
  | { type: "failed"; message: string }
  | { type: "result"; id: number; outputs: { name: string; dims: number[]; data: Float32Array }[] }
  | { type: "error"; id: number; message: string };

/** From TypeScript sources the worker needs tsx's loader first (encoder-worker-boot.mjs). */
function workerEntry(): URL {
  return new URL(import.meta.url.endsWith(".ts") ? "./encoder-worker-boot.mjs" : "./encoder-worker.js", import.meta.url);
}

export async function createEncoder(repoModel: RepositoryModel, provider: ProviderChoice, intraOpThreads: number): Promise<Encoder> {
  const model = await readModelBytes(repoModel);
  const spec = repoModel.config;
  const workerData: EncoderWorkerData = {
    model,
    provider,
    intraOpThreads,
    inputName: spec.input.name,
    inputShape: spec.input.shape.slice(1),
    outputNames: spec.outputs.map((o) => o.name),
  };
  const worker = new Worker(workerEntry(), { workerData });
  const pending = new Map<number, { resolve: (o: EncoderOutput[]) => void; reject: (e: Error) => void; count: number }>();
  let nextId = 0;
  let dead: Error | undefined;

  const ready = await new Promise<Extract<WorkerReply, { type: "ready" }>>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`encoder worker exited with code ${code} while loading`)));
    worker.once("message", (msg: WorkerReply) => {
      if (msg.type === "ready") resolve(msg);
      else reject(new Error(msg.type === "failed" ? msg.message : `unexpected ${msg.type} from encoder worker`));
    });
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  // Only our own listeners: Worker keeps internal newListener/removeListener hooks that ref its port.
  for (const event of ["message", "error", "exit"]) worker.removeAllListeners(event);

  const failAll = (err: Error) => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on("error", (err) => failAll(new Error(`encoder worker crashed: ${err.message}`)));
  worker.on("exit", (code) => failAll(new Error(`encoder worker exited with code ${code}`)));
  worker.on("message", (msg: WorkerReply) => {
    if (msg.type !== "result" && msg.type !== "error") return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.type === "error") return p.reject(new Error(msg.message));
    try {
      p.resolve(
        spec.outputs.map((o) => {
          const out = msg.outputs.find((x) => x.name === o.name);
          const shape = o.shape.slice(1);
          if (!out || out.dims[0] !== p.count || out.dims.slice(1).some((d, i) => d !== shape[i])) {
            throw new Error(`output ${o.name} has dims ${JSON.stringify(out?.dims)}, config.json says [${p.count}, ${shape.join(", ")}]`);
          }
          return { name: o.name, shape, data: out.data };
        }),
      );
    } catch (err) {
      p.reject(err as Error);
    }
  });

  return {
    provider: ready.provider,
    fallbackReason: ready.note,
    get healthy() {
      return dead === undefined;
    },
    run(batch, count) {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      // Transfer, not copy: the batch is ours alone once it is handed to the encoder.
      const owned = batch.byteOffset === 0 && batch.byteLength === batch.buffer.byteLength ? batch : batch.slice();
      return new Promise<EncoderOutput[]>((resolve, reject) => {
        pending.set(id, { resolve, reject, count });
        worker.postMessage({ type: "run", id, batch: owned, count } satisfies WorkerRequest, [owned.buffer as ArrayBuffer]);
      });
    },
    async close() {
      worker.removeAllListeners("exit");
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.postMessage({ type: "close" } satisfies WorkerRequest);
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
