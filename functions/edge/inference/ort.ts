/**
 * The only module of the edge that imports onnxruntime-web.
 *
 * workerd forbids compiling WebAssembly from bytes at run time, so the ORT wasm is imported as a
 * module (wrangler turns a `.wasm` import into a compiled `WebAssembly.Module`) and handed to the
 * Emscripten glue in place of the bytes it would otherwise fetch and compile. The recipe is in
 * docs/ort-in-workerd.md.
 */
import * as ort from "onnxruntime-web/wasm";
import ortWasmModule from "onnxruntime-web/ort-wasm-simd-threaded.wasm";

/** A tensor as the rest of the edge sees it: typed data plus its dims, never `any`. */
export type Float32Tensor = { readonly type: "float32"; readonly data: Float32Array; readonly dims: readonly number[] };
export type Int64Tensor = { readonly type: "int64"; readonly data: BigInt64Array; readonly dims: readonly number[] };
export type EdgeTensor = Float32Tensor | Int64Tensor;

export interface ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs are serialised per session: ORT's wasm backend is single-threaded and not re-entrant. */
  run(feeds: Readonly<Record<string, EdgeTensor>>): Promise<Record<string, Float32Tensor>>;
}

let runtimeReady: Promise<void> | null = null;

/**
 * Fold DequantizeLinear of constant int8 weights into fp32 constants when the session is created.
 * ORT keeps those nodes by default (for QDQ fusions that do not apply here), which re-dequantises
 * every weight on every run: 0.79 → 0.50 ms per question for the int8 text encoder in WASM, with
 * the same numbers. The file stays int8 (small to ship); memory holds fp32 weights (71k floats).
 */
const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = { extra: { session: { disable_quant_qdq: "1" } } };

function configureRuntime(): void {
  ort.env.wasm.numThreads = 1; // Workers have no threads.
  ort.env.wasm.proxy = false;
  // A non-empty-typed placeholder makes the glue skip fetching the wasm and call
  // WebAssembly.instantiate(bytes, imports), which createSession intercepts below.
  ort.env.wasm.wasmBinary = new Uint8Array(0);
  ort.env.logLevel = "error";
}

/**
 * The first session creation initialises the wasm runtime. For that call only,
 * `WebAssembly.instantiate(bytes, imports)` is redirected to the precompiled module.
 */
async function withPrecompiledWasm<T>(create: () => Promise<T>): Promise<T> {
  const original = WebAssembly.instantiate;
  const patched = (async (_source: unknown, imports?: WebAssembly.Imports) => {
    const instance = await original(ortWasmModule, imports);
    return { instance, module: ortWasmModule };
  }) as unknown as typeof WebAssembly.instantiate;
  WebAssembly.instantiate = patched;
  try {
    return await create();
  } finally {
    WebAssembly.instantiate = original;
  }
}

function toOrtTensor(t: EdgeTensor): ort.Tensor {
  return t.type === "float32"
    ? new ort.Tensor("float32", t.data, t.dims as number[])
    : new ort.Tensor("int64", t.data, t.dims as number[]);
}

function fromOrtTensor(name: string, t: ort.Tensor): Float32Tensor {
  if (t.type !== "float32" || !(t.data instanceof Float32Array)) {
    throw new Error(`output ${name} is ${t.type}, expected float32`);
  }
  return { type: "float32", data: t.data, dims: [...t.dims] };
}

class SerialSession implements ModelSession {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(private readonly session: ort.InferenceSession) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }
  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  run(feeds: Readonly<Record<string, EdgeTensor>>): Promise<Record<string, Float32Tensor>> {
    const next = this.queue.then(async () => {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(t);
      const out = await this.session.run(ortFeeds);
      const result: Record<string, Float32Tensor> = {};
      for (const [name, t] of Object.entries(out)) result[name] = fromOrtTensor(name, t);
      return result;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Creates a session from ONNX bytes. The first call also starts the wasm runtime. */
export async function createSession(modelBytes: Uint8Array): Promise<ModelSession> {
  if (!runtimeReady) {
    configureRuntime();
    // Start the runtime with this model; later sessions reuse it.
    const first = withPrecompiledWasm(() => ort.InferenceSession.create(modelBytes, SESSION_OPTIONS));
    runtimeReady = first.then(
      () => undefined,
      (err: unknown) => {
        runtimeReady = null; // a failed start is retried by the next request
        throw err;
      },
    );
    return new SerialSession(await first);
  }
  await runtimeReady;
  return new SerialSession(await ort.InferenceSession.create(modelBytes, SESSION_OPTIONS));
}
