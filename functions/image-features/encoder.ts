/**
 * The image encoder on onnxruntime-node. The execution provider is chosen once at start: CUDA when
 * asked for (or, with "auto", when the CUDA provider library is installed), else CPU. The provider
 * that actually loaded is reported, so metadata and /metrics never claim a GPU that is not there.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import type { ProviderChoice } from "./config.js";
import { type ImageModelSpec, readModelBytes } from "./manifest.js";

export type Provider = "cuda" | "cpu";

export interface EncoderOutput {
  name: string;
  /** Per-image shape (without the batch dimension). */
  shape: number[];
  data: Float32Array;
}

export interface Encoder {
  readonly provider: Provider;
  /** Why CUDA was not used, when it was asked for or auto-detected but failed. */
  readonly fallbackReason: string | undefined;
  run(batch: Float32Array, count: number): Promise<EncoderOutput[]>;
  close(): Promise<void>;
}

/** onnxruntime-node's install script puts the CUDA provider here; npm here skips that download. */
export function cudaProviderInstalled(): boolean {
  try {
    const pkg = createRequire(import.meta.url).resolve("onnxruntime-node");
    const bin = join(dirname(pkg), "..", "bin", "napi-v6", `${process.platform}`, `${process.arch}`);
    return existsSync(join(bin, "libonnxruntime_providers_cuda.so"));
  } catch {
    return false;
  }
}

function sessionOptions(provider: Provider, intraOpThreads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    // fp32 graph: full optimisation (fusions) stays within 1e-5 of the unoptimised graph.
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    // One batch runs at a time (the batcher serialises), so inter-op threads would only idle.
    interOpNumThreads: 1,
    ...(intraOpThreads > 0 ? { intraOpNumThreads: intraOpThreads } : {}),
  };
}

export async function createEncoder(spec: ImageModelSpec, choice: ProviderChoice, intraOpThreads: number): Promise<Encoder> {
  const bytes = await readModelBytes(spec);
  const tryCuda = choice === "cuda" || (choice === "auto" && cudaProviderInstalled());
  let session: ort.InferenceSession | undefined;
  let provider: Provider = "cpu";
  let fallbackReason: string | undefined;
  if (tryCuda) {
    try {
      session = await ort.InferenceSession.create(bytes, sessionOptions("cuda", intraOpThreads));
      provider = "cuda";
    } catch (err) {
      fallbackReason = `CUDA execution provider failed to load: ${(err as Error).message.split("\n")[0]}`;
    }
  } else if (choice === "auto") {
    fallbackReason = "onnxruntime-node CUDA provider library not installed";
  }
  session ??= await ort.InferenceSession.create(bytes, sessionOptions("cpu", intraOpThreads));
  checkSignature(session, spec);
  const outputNames = spec.outputs.map((o) => o.name);
  const loaded = session;

  const encoder: Encoder = {
    provider,
    fallbackReason,
    async run(batch, count) {
      const { channels, height, width } = spec.input;
      const feeds = { [spec.input.name]: new ort.Tensor("float32", batch, [count, channels, height, width]) };
      const results = await loaded.run(feeds, outputNames);
      return spec.outputs.map((o) => {
        const t = results[o.name];
        if (!t || t.type !== "float32" || !(t.data instanceof Float32Array)) throw new Error(`output ${o.name} is not float32`);
        const shape = o.shape.slice(1);
        if (t.dims[0] !== count || t.dims.slice(1).some((d, i) => d !== shape[i])) {
          throw new Error(`output ${o.name} has dims ${JSON.stringify(t.dims)}, manifest says [${count}, ${shape.join(", ")}]`);
        }
        return { name: o.name, shape, data: t.data };
      });
    },
    close: () => loaded.release(),
  };
  // Warm up: the first run allocates and, on CUDA, picks kernels; also proves the outputs match the manifest.
  await encoder.run(new Float32Array(spec.input.channels * spec.input.height * spec.input.width), 1);
  return encoder;
}

function checkSignature(session: ort.InferenceSession, spec: ImageModelSpec): void {
  if (!session.inputNames.includes(spec.input.name)) {
    throw new Error(`model has inputs ${session.inputNames.join(", ")}; manifest says "${spec.input.name}"`);
  }
  for (const o of spec.outputs) {
    if (!session.outputNames.includes(o.name)) throw new Error(`model has outputs ${session.outputNames.join(", ")}; manifest says "${o.name}"`);
  }
}
