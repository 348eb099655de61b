/**
 * The fusion heads, one ONNX model per method, as the manifest lists them. Each head declares which
 * features it takes (text_features [N, D_text], pooled [N, D], grid [N, cells, D_grid]); a batch of
 * questions about one image repeats the image features per row. Sessions load lazily per method.
 */
import type { ModelFileReader } from "./text-model";
import { createSession, type Float32Tensor, type ModelSession } from "./ort";
import type { FusionMethod, HeadEntry } from "../models/manifest";

export interface HeadFeatures {
  readonly text: readonly Float32Array[]; // one per question
  readonly pooled: Float32Array; // [D]
  readonly grid: Float32Array; // [cells * D_grid]
}

export interface HeadDims {
  readonly textDim: number;
  readonly pooledDim: number;
  readonly gridCells: number;
  readonly gridDim: number;
}

export class FusionHeads {
  private readonly sessions = new Map<FusionMethod, Promise<ModelSession>>();

  constructor(
    private readonly heads: readonly HeadEntry[],
    private readonly read: ModelFileReader,
    private readonly dims: HeadDims,
  ) {}

  entry(method: FusionMethod): HeadEntry | undefined {
    return this.heads.find((h) => h.fusion === method);
  }

  private session(head: HeadEntry): Promise<ModelSession> {
    let s = this.sessions.get(head.fusion);
    if (!s) {
      s = (async () => {
        const bytes = await this.read(head.file);
        if (!bytes) throw new Error(`head file missing: ${head.file}`);
        return createSession(bytes);
      })();
      s.catch(() => this.sessions.delete(head.fusion)); // retry a failed load next time
      this.sessions.set(head.fusion, s);
    }
    return s;
  }

  /** Logits per question: [questions][labels]. */
  async run(method: FusionMethod, f: HeadFeatures): Promise<Float32Array[]> {
    const head = this.entry(method);
    if (!head) throw new Error(`no head for fusion ${method}`);
    const { textDim, pooledDim, gridCells, gridDim } = this.dims;
    const n = f.text.length;
    if (f.text.some((t) => t.length !== textDim)) throw new Error(`text features must be ${textDim}-d`);
    if (f.pooled.length !== pooledDim || f.grid.length !== gridCells * gridDim) throw new Error("image features have the wrong dims");
    const feeds: Record<string, Float32Tensor> = {};
    for (const input of head.inputs) {
      switch (input) {
        case "text_features":
          feeds[input] = { type: "float32", data: concat(f.text), dims: [n, textDim] };
          break;
        case "pooled":
          feeds[input] = { type: "float32", data: repeat(f.pooled, n), dims: [n, pooledDim] };
          break;
        case "grid":
          feeds[input] = { type: "float32", data: repeat(f.grid, n), dims: [n, gridCells, gridDim] };
          break;
        default: {
          const never: never = input;
          throw new Error(`unknown head input ${String(never)}`);
        }
      }
    }
    const out = (await (await this.session(head)).run(feeds))[head.output];
    if (!out || out.dims.length !== 2 || out.dims[0] !== n) throw new Error(`head ${head.id} returned no [${n}, labels] ${head.output}`);
    const labels = out.dims[1]!;
    return Array.from({ length: n }, (_, i) => out.data.slice(i * labels, (i + 1) * labels));
  }
}

function concat(rows: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(rows.reduce((s, r) => s + r.length, 0));
  let at = 0;
  for (const r of rows) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}

function repeat(v: Float32Array, times: number): Float32Array {
  if (times === 1) return v;
  const out = new Float32Array(v.length * times);
  for (let i = 0; i < times; i++) out.set(v, i * v.length);
  return out;
}
