/**
 * A minimal protobuf reader for ONNX files: enough of ModelProto/GraphProto/NodeProto/TensorProto
 * to inspect nodes and initializers in tests, without the onnx package.
 */
type Field = { no: number; wire: number; value: bigint | Uint8Array };

function* fields(buf: Uint8Array): Generator<Field> {
  let off = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[off++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (off < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { no, wire, value: varint() };
    else if (wire === 1) {
      yield { no, wire, value: buf.subarray(off, off + 8) };
      off += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      yield { no, wire, value: buf.subarray(off, off + len) };
      off += len;
    } else if (wire === 5) {
      yield { no, wire, value: buf.subarray(off, off + 4) };
      off += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function packedVarints(b: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let off = 0;
  while (off < b.length) {
    let r = 0n;
    let s = 0n;
    for (;;) {
      const x = b[off++]!;
      r |= BigInt(x & 0x7f) << s;
      if (!(x & 0x80)) break;
      s += 7n;
    }
    out.push(r);
  }
  return out;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number; // 1 float, 3 int8, 6 int32, 7 int64
  raw: Uint8Array;
  floatData: number[];
}
export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, bigint | number | string>;
}
export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  inputs: string[];
  outputs: string[];
  opset: number;
}

function tensor(b: Uint8Array): OnnxTensor {
  const t: OnnxTensor = { name: "", dims: [], dataType: 0, raw: new Uint8Array(), floatData: [] };
  for (const f of fields(b)) {
    if (f.no === 1) {
      if (f.wire === 0) t.dims.push(Number(f.value as bigint));
      else t.dims.push(...packedVarints(f.value as Uint8Array).map(Number));
    } else if (f.no === 2) t.dataType = Number(f.value as bigint);
    else if (f.no === 4) {
      const v = f.value as Uint8Array;
      const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
      for (let i = 0; i < v.byteLength; i += 4) t.floatData.push(dv.getFloat32(i, true));
    } else if (f.no === 8) t.name = text(f.value as Uint8Array);
    else if (f.no === 9) t.raw = f.value as Uint8Array;
  }
  return t;
}

function node(b: Uint8Array): OnnxNode {
  const n: OnnxNode = { name: "", opType: "", inputs: [], outputs: [], attrs: {} };
  for (const f of fields(b)) {
    if (f.no === 1) n.inputs.push(text(f.value as Uint8Array));
    else if (f.no === 2) n.outputs.push(text(f.value as Uint8Array));
    else if (f.no === 3) n.name = text(f.value as Uint8Array);
    else if (f.no === 4) n.opType = text(f.value as Uint8Array);
    else if (f.no === 5) {
      let name = "";
      let value: bigint | number | string = "";
      for (const a of fields(f.value as Uint8Array)) {
        if (a.no === 1) name = text(a.value as Uint8Array);
        else if (a.no === 3) value = a.value as bigint; // i
        else if (a.no === 2) value = new DataView((a.value as Uint8Array).buffer, (a.value as Uint8Array).byteOffset, 4).getFloat32(0, true);
        else if (a.no === 4) value = text(a.value as Uint8Array);
      }
      n.attrs[name] = value;
    }
  }
  return n;
}

export function readOnnx(buf: Uint8Array): OnnxGraph {
  const g: OnnxGraph = { nodes: [], initializers: new Map(), inputs: [], outputs: [], opset: 0 };
  for (const f of fields(buf)) {
    if (f.no === 8) {
      // opset_import: OperatorSetIdProto { domain = 1, version = 2 }
      let domain = "";
      let version = 0;
      for (const o of fields(f.value as Uint8Array)) {
        if (o.no === 1) domain = text(o.value as Uint8Array);
        else if (o.no === 2) version = Number(o.value as bigint);
      }
      if (domain === "" || domain === "ai.onnx") g.opset = version;
    }
    if (f.no !== 7) continue;
    for (const gf of fields(f.value as Uint8Array)) {
      if (gf.no === 1) g.nodes.push(node(gf.value as Uint8Array));
      else if (gf.no === 5) {
        const t = tensor(gf.value as Uint8Array);
        g.initializers.set(t.name, t);
      } else if (gf.no === 11 || gf.no === 12) {
        let name = "";
        for (const v of fields(gf.value as Uint8Array)) if (v.no === 1) name = text(v.value as Uint8Array);
        (gf.no === 11 ? g.inputs : g.outputs).push(name);
      }
    }
  }
  return g;
}

/** Values of a tensor as numbers (float32, int8, int32, int64 raw or float_data). */
export function tensorValues(t: OnnxTensor): Float64Array {
  if (t.dataType === 1 && t.raw.length === 0) return Float64Array.from(t.floatData);
  const dv = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
  const n = t.dims.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (t.dataType === 1) out[i] = dv.getFloat32(i * 4, true);
    else if (t.dataType === 3) out[i] = dv.getInt8(i);
    else if (t.dataType === 6) out[i] = dv.getInt32(i * 4, true);
    else if (t.dataType === 7) out[i] = Number(dv.getBigInt64(i * 8, true));
    else throw new Error(`data type ${t.dataType} not handled`);
  }
  return out;
}
