/**
 * Open Inference Protocol (KServe v2) REST encoding for the edge's one call: encoded items (images,
 * audio) in as a BYTES tensor, FP32 outputs back. Uses the binary tensor data extension both ways (JSON floats are
 * slow to parse), and reads plain JSON responses too, as Triton and KServe may send either.
 */

export interface OipOutputTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export class OipProtocolError extends Error {}

const LE = true;

/** Builds an infer request body: JSON header, then each BYTES element as u32 length + bytes. */
export function encodeBytesInferRequest(inputName: string, images: readonly Uint8Array[], outputs: readonly string[]): { body: Uint8Array; headerLength: number } {
  const binarySize = images.reduce((n, img) => n + 4 + img.byteLength, 0);
  const header = new TextEncoder().encode(
    JSON.stringify({
      // [N, 1]: the shape Triton expects for a BYTES input of a batching model (dims [1]).
      inputs: [{ name: inputName, shape: [images.length, 1], datatype: "BYTES", parameters: { binary_data_size: binarySize } }],
      outputs: outputs.map((name) => ({ name, parameters: { binary_data: true } })),
    }),
  );
  const body = new Uint8Array(header.byteLength + binarySize);
  body.set(header, 0);
  const view = new DataView(body.buffer);
  let at = header.byteLength;
  for (const img of images) {
    view.setUint32(at, img.byteLength, LE);
    body.set(img, at + 4);
    at += 4 + img.byteLength;
  }
  return { body, headerLength: header.byteLength };
}

interface ResponseHeaderJson {
  outputs?: { name?: unknown; datatype?: unknown; shape?: unknown; data?: unknown; parameters?: { binary_data_size?: unknown } }[];
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Parses an infer response (binary extension or plain JSON) into FP32 tensors by name. */
export function decodeInferResponse(body: ArrayBuffer, headerLength: number | null): Map<string, OipOutputTensor> {
  const bytes = new Uint8Array(body);
  const jsonEnd = headerLength ?? bytes.byteLength;
  if (!Number.isInteger(jsonEnd) || jsonEnd < 0 || jsonEnd > bytes.byteLength) throw new OipProtocolError("bad Inference-Header-Content-Length");
  let header: ResponseHeaderJson;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(0, jsonEnd))) as ResponseHeaderJson;
  } catch {
    throw new OipProtocolError("response header is not JSON");
  }
  if (!header || !Array.isArray(header.outputs)) throw new OipProtocolError("response has no outputs");
  const out = new Map<string, OipOutputTensor>();
  let at = jsonEnd;
  for (const o of header.outputs) {
    if (typeof o.name !== "string" || o.datatype !== "FP32" || !Array.isArray(o.shape) || !o.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new OipProtocolError(`malformed output ${String(o.name)}`);
    }
    const shape = o.shape as number[];
    const count = product(shape);
    let data: Float32Array;
    const binarySize = o.parameters?.binary_data_size;
    if (binarySize !== undefined) {
      if (binarySize !== count * 4 || at + count * 4 > bytes.byteLength) throw new OipProtocolError(`output ${o.name} has the wrong binary size`);
      data = new Float32Array(count);
      new Uint8Array(data.buffer).set(bytes.subarray(at, at + count * 4)); // copy: `at` may be unaligned
      at += count * 4;
    } else {
      if (!Array.isArray(o.data) || o.data.length !== count || !o.data.every((x) => typeof x === "number")) {
        throw new OipProtocolError(`output ${o.name} data does not match its shape`);
      }
      data = Float32Array.from(o.data as number[]);
    }
    out.set(o.name, { name: o.name, datatype: "FP32", shape, data });
  }
  return out;
}
