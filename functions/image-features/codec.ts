/**
 * Turns an infer request body (JSON, or JSON + binary tensor data) into checked image inputs, and
 * infer results back into a JSON or binary response. All input checking lives here so the handler
 * only ever sees well-formed tensors.
 */
import {
  BINARY_HEADER,
  type InferRequestHeader,
  type InferResponseHeader,
  type Parameters,
  ProtocolError,
  type RequestInput,
  type RequestOutput,
  type ResponseOutput,
} from "./protocol.js";

/** What a served model accepts (from its repository config). */
export interface Signature {
  /** Name of the BYTES input (encoded items): "input", the name the edge and the Triton ensemble use. */
  bytesInputName: string;
  /** The ONNX input's name: also accepted for BYTES (older clients), and for preprocessed FP32 tensors. */
  tensorInputName: string;
  /** Per-item dims of the preprocessed tensor (the ONNX input without the batch dim). */
  itemShape: number[];
  outputs: { name: string; shape: number[] }[];
}

export type ItemsInput =
  | { kind: "encoded"; items: Buffer[] }
  /** Already preprocessed tensor, exactly what Triton serving the raw ONNX takes. */
  | { kind: "tensor"; data: Float32Array; count: number };

export interface ParsedInfer {
  id: string | undefined;
  input: ItemsInput;
  outputs: { name: string; binary: boolean }[];
}

const bad = (code: ConstructorParameters<typeof ProtocolError>[1], message: string) => new ProtocolError(400, code, message);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function binaryFlag(params: unknown, key: string): boolean | undefined {
  if (!isRecord(params) || params[key] === undefined) return undefined;
  if (typeof params[key] !== "boolean") throw bad("bad_request", `parameters.${key} must be a boolean`);
  return params[key];
}

/** Split the body into the JSON header and the binary section (empty without the extension). */
function splitBody(body: Buffer, headerLength: string | undefined): { header: InferRequestHeader; binary: Buffer } {
  let jsonPart: Buffer = body;
  let binary: Buffer = Buffer.alloc(0);
  if (headerLength !== undefined) {
    const n = /^\d+$/.test(headerLength) ? Number(headerLength) : NaN;
    if (!Number.isSafeInteger(n) || n > body.length) {
      throw bad("invalid_binary", `${BINARY_HEADER} must be an integer between 0 and the body length (${body.length})`);
    }
    jsonPart = body.subarray(0, n);
    binary = body.subarray(n);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(jsonPart.toString("utf8"));
  } catch {
    throw bad("invalid_json", "request body is not valid JSON");
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.inputs)) throw bad("bad_request", 'request must be an object with an "inputs" array');
  for (const [i, input] of parsed.inputs.entries()) {
    if (!isRecord(input) || typeof input.name !== "string" || typeof input.datatype !== "string" || !Array.isArray(input.shape)) {
      throw bad("bad_request", `inputs[${i}] must have a string name, a string datatype and a shape array`);
    }
    if (!input.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad("wrong_shape", `inputs[${i}].shape must be non-negative integers`);
  }
  if (parsed.outputs !== undefined) {
    if (!Array.isArray(parsed.outputs) || !parsed.outputs.every((o) => isRecord(o) && typeof o.name === "string")) {
      throw bad("bad_request", '"outputs" must be an array of objects with a string name');
    }
  }
  if (parsed.id !== undefined && typeof parsed.id !== "string") throw bad("bad_request", '"id" must be a string');
  return { header: parsed as unknown as InferRequestHeader, binary };
}

function flatten(data: unknown, out: unknown[], depth = 0): void {
  if (!Array.isArray(data)) {
    out.push(data);
    return;
  }
  if (depth > 8) throw bad("wrong_shape", "data is nested too deeply");
  for (const d of data) flatten(d, out, depth + 1);
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function decodeBase64(s: unknown, index: number): Buffer {
  if (typeof s !== "string" || !BASE64.test(s) || s.length % 4 === 1) {
    throw bad("invalid_base64", `BYTES element ${index} must be a base64 string (standard or URL-safe alphabet)`);
  }
  return Buffer.from(s, "base64");
}

/** BYTES elements in the binary extension: 4-byte little-endian length, then the bytes. */
function splitBytesElements(raw: Buffer, count: number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < raw.length) {
    if (at + 4 > raw.length) throw bad("invalid_binary", "truncated BYTES element length");
    const len = raw.readUInt32LE(at);
    at += 4;
    if (at + len > raw.length) throw bad("invalid_binary", "BYTES element runs past binary_data_size");
    out.push(raw.subarray(at, at + len));
    at += len;
  }
  if (out.length !== count) throw bad("wrong_shape", `shape says ${count} elements, binary data holds ${out.length}`);
  return out;
}

function parseItemsInput(input: RequestInput, raw: Buffer | undefined, sig: Signature, maxItems: number): ItemsInput {
  const shape = input.shape;
  const count = shape[0] ?? 0;
  if (input.datatype === "BYTES") {
    // [N] is the natural shape; [N, 1] is what Triton clients send for a batched 1-element input.
    if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1)) || count < 1) {
      throw bad("wrong_shape", `BYTES input "${input.name}" must have shape [N] (or [N, 1]) with N >= 1, got ${JSON.stringify(shape)}`);
    }
    if (count > maxItems) throw new ProtocolError(413, "too_many_images", `at most ${maxItems} items per request, got ${count}`);
    const contentType = input.parameters?.content_type;
    if (contentType !== undefined && contentType !== "base64") {
      throw new ProtocolError(415, "unsupported_content_type", `JSON BYTES elements are base64; content_type "${String(contentType)}" is not supported`);
    }
    if (raw) return { kind: "encoded", items: splitBytesElements(raw, count) };
    const flat: unknown[] = [];
    flatten(input.data, flat);
    if (input.data === undefined || flat.length !== count) throw bad("wrong_shape", `shape says ${count} elements, data holds ${input.data === undefined ? 0 : flat.length}`);
    return { kind: "encoded", items: flat.map(decodeBase64) };
  }
  if (input.datatype === "FP32") {
    if (input.name !== sig.tensorInputName) {
      throw bad("wrong_datatype", `input "${input.name}" takes BYTES (encoded items); preprocessed FP32 goes to "${sig.tensorInputName}"`);
    }
    const want = [count, ...sig.itemShape];
    if (shape.length !== want.length || shape.some((d, i) => d !== want[i]) || count < 1) {
      throw bad("wrong_shape", `FP32 input "${input.name}" must have shape [N, ${sig.itemShape.join(", ")}], got ${JSON.stringify(shape)}`);
    }
    if (count > maxItems) throw new ProtocolError(413, "too_many_images", `at most ${maxItems} items per request, got ${count}`);
    const size = want.reduce((a, b) => a * b, 1);
    if (raw) {
      if (raw.length !== size * 4) throw bad("wrong_shape", `FP32 binary data must be ${size * 4} bytes, got ${raw.length}`);
      const data = new Float32Array(size); // copy: the body slice may not be 4-byte aligned
      Buffer.from(data.buffer).set(raw);
      return { kind: "tensor", data, count };
    }
    const flat: unknown[] = [];
    flatten(input.data, flat);
    if (flat.length !== size) throw bad("wrong_shape", `shape says ${size} values, data holds ${flat.length}`);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const v = flat[i];
      if (typeof v !== "number" || !Number.isFinite(v)) throw bad("wrong_datatype", `FP32 data[${i}] is not a finite number`);
      data[i] = v;
    }
    return { kind: "tensor", data, count };
  }
  throw bad("wrong_datatype", `input "${input.name}" must be BYTES (encoded items) or FP32 (preprocessed tensor), got ${input.datatype}`);
}

const allOutputs = (sig: Signature) => sig.outputs.map((o) => ({ name: o.name, binary: true }));

export function parseInferRequest(body: Buffer, headerLength: string | undefined, sig: Signature, maxItems: number): ParsedInfer {
  // Raw binary request (binary extension): header length 0, the body is the one BYTES element;
  // batch 1, every output returned in binary, as Triton does.
  if (headerLength !== undefined && /^0+$/.test(headerLength)) {
    if (body.length === 0) throw bad("invalid_binary", "raw binary request with an empty body");
    return { id: undefined, input: { kind: "encoded", items: [body] }, outputs: allOutputs(sig) };
  }
  const { header, binary } = splitBody(body, headerLength);
  // Slice the binary section in input order, as the extension defines.
  let at = 0;
  const raws = header.inputs.map((input) => {
    const size = input.parameters?.binary_data_size;
    if (size === undefined) return undefined;
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0 || at + size > binary.length) {
      throw bad("invalid_binary", `input "${input.name}": binary_data_size must fit the ${binary.length} binary bytes sent`);
    }
    at += size;
    return binary.subarray(at - size, at);
  });
  if (at !== binary.length) throw bad("invalid_binary", `${binary.length - at} binary bytes are not claimed by any input`);

  const names = new Set([sig.bytesInputName, sig.tensorInputName]);
  for (const input of header.inputs) {
    if (!names.has(input.name)) throw bad("unknown_input", `unknown input "${input.name}"; the model takes "${sig.bytesInputName}" (BYTES)`);
  }
  const input = header.inputs[0];
  if (!input) throw bad("missing_input", `missing input "${sig.bytesInputName}"`);
  if (header.inputs.length > 1) throw bad("bad_request", "the model takes exactly one input");

  const allBinary = binaryFlag(header.parameters, "binary_data_output") ?? false;
  const known = new Set(sig.outputs.map((o) => o.name));
  // No outputs, or an empty list: every output (as Triton does).
  const requested: RequestOutput[] = header.outputs && header.outputs.length > 0 ? header.outputs : sig.outputs.map((o) => ({ name: o.name }));
  const outputs = requested.map((o) => {
    if (!known.has(o.name)) throw bad("unknown_output", `unknown output "${o.name}"; the model has ${[...known].join(", ")}`);
    return { name: o.name, binary: binaryFlag(o.parameters, "binary_data") ?? allBinary };
  });
  if (new Set(outputs.map((o) => o.name)).size !== outputs.length) throw bad("bad_request", "an output is requested more than once");

  return { id: header.id, input: parseItemsInput(input, raws[0], sig, maxItems), outputs };
}

export interface EncodedResponse {
  body: Buffer;
  headers: Record<string, string>;
}

/** Build the response: JSON data, or the JSON header followed by raw little-endian FP32 bytes. */
export function encodeInferResponse(
  meta: { modelName: string; modelVersion: string; id: string | undefined; parameters?: Parameters },
  outputs: { name: string; binary: boolean; shape: number[]; data: Float32Array }[],
): EncodedResponse {
  const chunks: Buffer[] = [];
  const described: ResponseOutput[] = outputs.map((o) => {
    if (!o.binary) return { name: o.name, datatype: "FP32", shape: o.shape, data: Array.from(o.data) };
    chunks.push(Buffer.from(o.data.buffer, o.data.byteOffset, o.data.byteLength));
    return { name: o.name, datatype: "FP32", shape: o.shape, parameters: { binary_data_size: o.data.byteLength } };
  });
  const header: InferResponseHeader = { model_name: meta.modelName, model_version: meta.modelVersion, outputs: described };
  if (meta.id !== undefined) header.id = meta.id;
  if (meta.parameters) header.parameters = meta.parameters;
  const json = Buffer.from(JSON.stringify(header));
  if (chunks.length === 0) return { body: json, headers: { "content-type": "application/json" } };
  return {
    body: Buffer.concat([json, ...chunks]),
    headers: { "content-type": "application/octet-stream", [BINARY_HEADER]: String(json.length) },
  };
}
