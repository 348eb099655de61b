/**
 * Reads the signature of an ONNX model (graph inputs and outputs: names, element types, shapes)
 * straight from its protobuf, so the packager can check tensor names and feature sizes without a
 * runtime. Only the fields it needs: ModelProto.graph(7) -> GraphProto.input(11)/output(12)/
 * initializer(5) -> ValueInfoProto{name 1, type 2} -> TypeProto.tensor_type(1){elem_type 1, shape 2}
 * -> TensorShapeProto.dim(1){dim_value 1 | dim_param 2}.
 */

export interface OnnxTensorInfo {
  readonly name: string;
  /** KServe datatype name (FP32, INT64, …) or "ONNX_TYPE_<n>" for others. */
  readonly datatype: string;
  /** -1 for symbolic or unknown dimensions. */
  readonly shape: readonly number[];
}

export interface OnnxSignature {
  readonly inputs: readonly OnnxTensorInfo[];
  readonly outputs: readonly OnnxTensorInfo[];
  readonly opset: number;
}

export class OnnxReadError extends Error {}

const ELEM_TYPES: Record<number, string> = { 1: "FP32", 2: "UINT8", 3: "INT8", 6: "INT32", 7: "INT64", 8: "BYTES", 9: "BOOL", 10: "FP16", 11: "FP64" };

type Field = { no: number; wire: number; int: bigint; bytes: Uint8Array };

function* fields(buf: Uint8Array): Generator<Field> {
  let off = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (off >= buf.length) throw new OnnxReadError("truncated varint");
      const b = buf[off++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  const empty = new Uint8Array(0);
  while (off < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { no, wire, int: varint(), bytes: empty };
    else if (wire === 2) {
      const len = Number(varint());
      if (off + len > buf.length) throw new OnnxReadError("truncated field");
      yield { no, wire, int: 0n, bytes: buf.subarray(off, off + len) };
      off += len;
    } else if (wire === 1) off += 8;
    else if (wire === 5) off += 4;
    else throw new OnnxReadError(`unsupported protobuf wire type ${wire}`);
  }
}

const utf8 = (b: Uint8Array) => new TextDecoder().decode(b);

function valueInfo(b: Uint8Array): OnnxTensorInfo {
  let name = "";
  let datatype = "UNKNOWN";
  const shape: number[] = [];
  for (const f of fields(b)) {
    if (f.no === 1 && f.wire === 2) name = utf8(f.bytes);
    else if (f.no === 2 && f.wire === 2) {
      for (const t of fields(f.bytes)) {
        if (t.no !== 1 || t.wire !== 2) continue; // tensor_type only
        for (const tt of fields(t.bytes)) {
          if (tt.no === 1 && tt.wire === 0) datatype = ELEM_TYPES[Number(tt.int)] ?? `ONNX_TYPE_${tt.int}`;
          else if (tt.no === 2 && tt.wire === 2) {
            for (const d of fields(tt.bytes)) {
              if (d.no !== 1 || d.wire !== 2) continue;
              let dim = -1;
              for (const dv of fields(d.bytes)) if (dv.no === 1 && dv.wire === 0) dim = Number(dv.int);
              shape.push(dim);
            }
          }
        }
      }
    }
  }
  return { name, datatype, shape };
}

/** Throws OnnxReadError for bytes that are not an ONNX model. */
export function readOnnxSignature(bytes: Uint8Array): OnnxSignature {
  const inputs: OnnxTensorInfo[] = [];
  const outputs: OnnxTensorInfo[] = [];
  const initializers = new Set<string>();
  let opset = 0;
  let sawGraph = false;
  try {
    for (const f of fields(bytes)) {
      if (f.no === 8 && f.wire === 2) {
        let domain = "";
        let version = 0;
        for (const o of fields(f.bytes)) {
          if (o.no === 1 && o.wire === 2) domain = utf8(o.bytes);
          else if (o.no === 2 && o.wire === 0) version = Number(o.int);
        }
        if (domain === "" || domain === "ai.onnx") opset = version;
      } else if (f.no === 7 && f.wire === 2) {
        sawGraph = true;
        for (const g of fields(f.bytes)) {
          if (g.wire !== 2) continue;
          if (g.no === 11) inputs.push(valueInfo(g.bytes));
          else if (g.no === 12) outputs.push(valueInfo(g.bytes));
          else if (g.no === 5) {
            for (const t of fields(g.bytes)) if (t.no === 8 && t.wire === 2) initializers.add(utf8(t.bytes));
          }
        }
      }
    }
  } catch (err) {
    if (err instanceof OnnxReadError) throw err;
    throw new OnnxReadError(`not an ONNX model: ${(err as Error).message}`);
  }
  if (!sawGraph || outputs.length === 0) throw new OnnxReadError("not an ONNX model (no graph with outputs)");
  // Older exporters list initializers among the inputs too: those are weights, not inputs.
  return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs, opset };
}

/** The op types a model's main graph uses (GraphProto.node(1) -> NodeProto.op_type(4)); subgraphs not read. */
export function readOnnxOpTypes(bytes: Uint8Array): Set<string> {
  const ops = new Set<string>();
  try {
    for (const f of fields(bytes)) {
      if (f.no !== 7 || f.wire !== 2) continue;
      for (const g of fields(f.bytes)) {
        if (g.no !== 1 || g.wire !== 2) continue;
        for (const n of fields(g.bytes)) if (n.no === 4 && n.wire === 2) ops.add(utf8(n.bytes));
      }
    }
  } catch (err) {
    if (err instanceof OnnxReadError) throw err;
    throw new OnnxReadError(`not an ONNX model: ${(err as Error).message}`);
  }
  return ops;
}
