/**
 * The smallest ONNX model there is, a one-node Identity over a float tensor, as protobuf bytes.
 * ORT_STARTUP=runtime creates a session of it in the Worker's global scope: that starts onnxruntime's
 * WebAssembly runtime (instantiation, OrtInit, kernel registration: most of the start-up CPU) without
 * the cost of a real model's session, which the first request then pays instead
 * (docs/ort-in-workerd.md#start-up-ort-initialised-in-global-scope-issue-15).
 */

/** Protobuf varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

const field = (num: number, wire: 0 | 2) => varint((num << 3) | wire);
const int = (num: number, value: number) => [...field(num, 0), ...varint(value)];
const bytes = (num: number, body: readonly number[]) => [...field(num, 2), ...varint(body.length), ...body];
const text = (num: number, s: string) => bytes(num, [...new TextEncoder().encode(s)]);

/** ValueInfoProto: a float tensor of shape [1] named `name`. */
function floatVector(name: string): number[] {
  const dim = bytes(1, int(1, 1)); // TensorShapeProto.dim { dim_value: 1 }
  const tensorType = [...int(1, 1), ...bytes(2, dim)]; // elem_type FLOAT, shape
  return [...text(1, name), ...bytes(2, bytes(1, tensorType))]; // name, type { tensor_type }
}

export function identityModel(): Uint8Array {
  const node = [...text(1, "x"), ...text(2, "y"), ...text(4, "Identity")];
  const graph = [...bytes(1, node), ...text(2, "identity"), ...bytes(11, floatVector("x")), ...bytes(12, floatVector("y"))];
  const opset = [...text(1, ""), ...int(2, 13)];
  return new Uint8Array([...int(1, 7), ...bytes(8, opset), ...bytes(7, graph)]); // ir_version 7, opset 13, graph
}
