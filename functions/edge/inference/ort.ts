/**
 * The only module of the edge that imports onnxruntime-web.
 *
 * workerd forbids compiling WebAssembly from bytes at run time, so the ORT wasm is imported as a
 * module (wrangler turns a `.wasm` import into a compiled `WebAssembly.Module`) and handed to the
 * Emscripten glue in place of the bytes it would otherwise fetch and compile. The recipe is in
 * docs/ort-in-workerd.md.
 *
 * Start-up: `startRuntime` may be awaited in the Worker's global scope (workerd allows top-level
 * await of work that does no I/O). It instantiates the wasm, creates a session for each model it is
 * given and runs it once on synthetic inputs, so V8's lazy compilation of ORT's WebAssembly happens
 * before the first request. Those sessions are kept and handed to the first `createSession` of the
 * same bytes. If it fails, nothing is lost: `createSession` starts the runtime lazily as before.
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
  /** One run on synthetic inputs of request shapes (warms the kernels it uses); a no-op for inputs it cannot fake. */
  probe(): Promise<void>;
  /** Frees the session's wasm memory (after queued runs). The edge keeps its sessions for the isolate's life. */
  release(): Promise<void>;
}

/** ORT's graph optimisation level at session load (ORT's own default is "all"; the edge's is below). */
export type GraphOptimization = "disabled" | "basic" | "extended" | "all";
export interface SessionChoices {
  readonly graphOptimization?: GraphOptimization;
}

/**
 * "basic" (constant folding, which also folds the int8 weights' DequantizeLinear, and redundant-node
 * elimination) by default. "all" adds fusions (FusedMatMul, BiasGelu, ...) whose WASM kernels are
 * no faster than the plain ops here (int8 text encoder in workerd: 0.227 ms of CPU a run at "basic"
 * vs 0.267 at "all", docs/BENCHMARKS.md "Model variants"), and their graph passes cost session-create
 * CPU on every load; the fusion heads are pre-optimised offline anyway (scripts/optimize).
 */
const DEFAULT_OPTIMISATION: GraphOptimization = "basic";

let runtimeReady: Promise<void> | null = null;
/** The wasm instance's linear memory, once the runtime has started (for the memory report). */
let wasmMemory: WebAssembly.Memory | null = null;

/**
 * Fold DequantizeLinear of constant int8 weights into fp32 constants when the session is created.
 * ORT keeps those nodes by default (for QDQ fusions that do not apply here), which re-dequantises
 * every weight on every run: 0.79 → 0.50 ms per question for the int8 text encoder in WASM, with
 * the same numbers. The file stays int8 (small to ship); memory holds fp32 weights (71k floats).
 */
function sessionOptions(choices: SessionChoices = {}): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: choices.graphOptimization ?? DEFAULT_OPTIMISATION,
    extra: { session: { disable_quant_qdq: "1" } },
  };
}

function configureRuntime(): void {
  ort.env.wasm.numThreads = 1; // Workers have no threads.
  ort.env.wasm.proxy = false;
  // A non-empty-typed placeholder makes the glue skip fetching the wasm and call
  // WebAssembly.instantiate(bytes, imports), which withPrecompiledWasm intercepts below.
  ort.env.wasm.wasmBinary = new Uint8Array(0);
  ort.env.logLevel = "error";
}

function findMemory(imports: WebAssembly.Imports | undefined): WebAssembly.Memory | null {
  for (const ns of Object.values(imports ?? {})) {
    for (const value of Object.values(ns)) if (value instanceof WebAssembly.Memory) return value;
  }
  return null;
}

/**
 * The first session creation initialises the wasm runtime. For that call only,
 * `WebAssembly.instantiate(bytes, imports)` is redirected to the precompiled module.
 */
async function withPrecompiledWasm<T>(create: () => Promise<T>): Promise<T> {
  const original = WebAssembly.instantiate;
  const patched = (async (_source: unknown, imports?: WebAssembly.Imports) => {
    const instance = await original(ortWasmModule, imports);
    wasmMemory = findMemory(imports) ?? Object.values(instance.exports).find((e): e is WebAssembly.Memory => e instanceof WebAssembly.Memory) ?? null;
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

  probe(): Promise<void> {
    const next = this.queue.then(async () => {
      const feeds = syntheticFeeds(this.session);
      if (feeds) await this.session.run(feeds);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  release(): Promise<void> {
    const done = this.queue.then(() => this.session.release());
    this.queue = done.catch(() => undefined);
    return done;
  }
}

async function createOrtSession(modelBytes: Uint8Array, choices: SessionChoices): Promise<ort.InferenceSession> {
  if (!runtimeReady) {
    configureRuntime();
    // Start the runtime with this model; later sessions reuse it.
    const first = withPrecompiledWasm(() => ort.InferenceSession.create(modelBytes, sessionOptions(choices)));
    runtimeReady = first.then(
      () => undefined,
      (err: unknown) => {
        runtimeReady = null; // a failed start is retried by the next request
        throw err;
      },
    );
    return first;
  }
  await runtimeReady;
  return ort.InferenceSession.create(modelBytes, sessionOptions(choices));
}

/** Sessions created at start-up, with their bytes, waiting for the first `createSession` of the same file. */
const prepared: { bytes: Uint8Array; optimisation: GraphOptimization; session: ort.InferenceSession }[] = [];

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Creates a session from ONNX bytes. The first call also starts the wasm runtime. */
export async function createSession(modelBytes: Uint8Array, choices: SessionChoices = {}): Promise<ModelSession> {
  const optimisation = choices.graphOptimization ?? DEFAULT_OPTIMISATION;
  // Byte-for-byte equal, not just a hash: adopting another model's session must be impossible.
  const i = prepared.findIndex((p) => p.optimisation === optimisation && sameBytes(p.bytes, modelBytes));
  if (i >= 0) return new SerialSession(prepared.splice(i, 1)[0]!.session);
  return new SerialSession(await createOrtSession(modelBytes, choices));
}

/**
 * Symbolic dims of a probe input: 1 for the batch axis, PROBE_SEQUENCE for any other (a typical
 * question's token count), so the probe runs the matrix-product paths a real question takes rather
 * than the one-token vector paths.
 */
const PROBE_SEQUENCE = 16;

/** Zero-filled inputs (ones for int64, so masks and ids are valid) of typical request shapes. */
function syntheticFeeds(session: ort.InferenceSession): Record<string, ort.Tensor> | null {
  const feeds: Record<string, ort.Tensor> = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) return null;
    const dims = meta.shape.map((d, axis) => (typeof d === "number" && d > 0 ? d : axis === 0 ? 1 : PROBE_SEQUENCE));
    const size = dims.reduce((a, b) => a * b, 1);
    if (meta.type === "float32") feeds[meta.name] = new ort.Tensor("float32", new Float32Array(size), dims);
    else if (meta.type === "int64") feeds[meta.name] = new ort.Tensor("int64", new BigInt64Array(size).fill(1n), dims);
    else return null;
  }
  return feeds;
}

export interface StartupModel {
  /** Shown in the report. */
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly choices?: SessionChoices;
  /** Probe runs at start-up (default 1). */
  readonly probeRuns?: number;
}

export interface StartupReport {
  readonly ok: boolean;
  readonly error?: string;
  /** Wall time of each stage as the isolate's clock saw it (1 ms steps in workerd). */
  readonly runtimeMs: number;
  readonly models: readonly { name: string; createMs: number; probeRunMs: number }[];
  readonly totalMs: number;
}

let startup: StartupReport | null = null;

/**
 * Starts the wasm runtime and prepares sessions for `models` (each created and run once on
 * synthetic inputs, which also compiles the kernels they use). Never throws: a failure is reported
 * and the lazy path takes over. Meant for the Worker's global scope.
 */
export async function startRuntime(models: readonly StartupModel[]): Promise<StartupReport> {
  const t0 = Date.now();
  let runtimeMs = 0;
  const done: { name: string; createMs: number; probeRunMs: number }[] = [];
  try {
    for (const [i, m] of models.entries()) {
      const c0 = Date.now();
      const session = await createOrtSession(m.bytes, m.choices ?? {});
      const c1 = Date.now();
      if (i === 0) runtimeMs = c1 - c0;
      const feeds = syntheticFeeds(session);
      if (feeds) for (let r = 0; r < (m.probeRuns ?? 1); r++) await session.run(feeds);
      prepared.push({ bytes: m.bytes, optimisation: m.choices?.graphOptimization ?? DEFAULT_OPTIMISATION, session });
      done.push({ name: m.name, createMs: c1 - c0, probeRunMs: Date.now() - c1 });
    }
    startup = { ok: true, runtimeMs, models: done, totalMs: Date.now() - t0 };
  } catch (err) {
    startup = { ok: false, error: err instanceof Error ? err.message : String(err), runtimeMs, models: done, totalMs: Date.now() - t0 };
  }
  return startup;
}

/** What `startRuntime` did in this isolate, or null if the runtime started lazily (or not yet). */
export function startupReport(): StartupReport | null {
  return startup;
}

/** Bytes of the ORT wasm linear memory (0 before the runtime starts). It grows and never shrinks. */
export function wasmMemoryBytes(): number {
  return wasmMemory?.buffer.byteLength ?? 0;
}
