/** Generated hostile requests for the image-feature function (Open Inference Protocol v2). */
import { type HostileCase, hostileImages, PNG } from "./cases-edge";

const INFER = "/v2/models/image-encoder/infer";

function binaryBody(header: unknown, tail: Uint8Array, declaredHeaderLength?: number): { body: Uint8Array; headers: Record<string, string> } {
  const h = Buffer.from(JSON.stringify(header));
  return {
    body: Buffer.concat([h, Buffer.from(tail)]),
    headers: { "content-type": "application/octet-stream", "inference-header-content-length": String(declaredHeaderLength ?? h.length) },
  };
}

function bytesElement(img: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(img.length);
  return Buffer.concat([len, Buffer.from(img)]);
}

export function imageCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (name: string, body: Uint8Array | string, headers: Record<string, string>, path = INFER, method = "POST", auth = true) =>
    cases.push({ name, target: "image", method, path, headers, body, expect: "4xx", auth });
  const jsonReq = (name: string, req: unknown) => add(name, typeof req === "string" ? req : JSON.stringify(req), { "content-type": "application/json" });
  const b64 = PNG.toString("base64");
  const input = (over: Record<string, unknown>) => ({ inputs: [{ name: "image", shape: [1], datatype: "BYTES", data: [b64], ...over }] });

  for (const body of ["", "{", "[]", "null", '{"inputs": 5}', '{"inputs": []}', '{"inputs": [null]}', '{"inputs": [{}]}', "\u0000"]) jsonReq(`json ${JSON.stringify(body)}`, body);
  for (const dt of ["FP32", "INT64", "UINT8", "STRING", "", 5, null]) jsonReq(`datatype ${JSON.stringify(dt)}`, input({ datatype: dt }));
  for (const shape of [[2], [0], [-1], [], "1", [1e12], null]) jsonReq(`shape ${JSON.stringify(shape)}`, input({ shape }));
  for (const name of ["images", "", "IMAGE", null]) jsonReq(`input name ${JSON.stringify(name)}`, input({ name }));
  for (const data of [[], ["!!!"], [5], [null], "abc", [b64, b64]]) jsonReq(`data ${JSON.stringify(data).slice(0, 30)}`, input({ data }));
  jsonReq("unknown output", { ...input({}), outputs: [{ name: "logits" }] });
  jsonReq("content_type text", input({ parameters: { content_type: "str" } }));
  jsonReq("FP32 image of wrong shape", { inputs: [{ name: "image", shape: [1, 3, 10, 10], datatype: "FP32", data: Array(300).fill(0) }] });
  jsonReq("FP32 image with too little data", { inputs: [{ name: "image", shape: [1, 3, 75, 75], datatype: "FP32", data: [0, 1] }] });
  jsonReq("FP32 image with NaN-ish strings", { inputs: [{ name: "image", shape: [1, 3, 75, 75], datatype: "FP32", data: Array(3 * 75 * 75).fill("NaN") }] });

  for (const [name, img] of hostileImages()) {
    jsonReq(`json BYTES: ${name}`, input({ data: [Buffer.from(img).toString("base64")] }));
    const { body, headers } = binaryBody({ inputs: [{ name: "image", shape: [1], datatype: "BYTES", parameters: { binary_data_size: img.length + 4 } }] }, bytesElement(img));
    add(`binary BYTES: ${name}`, body, headers);
  }
  // Broken binary framing.
  const el = bytesElement(PNG);
  const hdr = (size: unknown) => ({ inputs: [{ name: "image", shape: [1], datatype: "BYTES", parameters: { binary_data_size: size } }] });
  for (const [name, header, tail, declared] of [
    ["binary size larger than body", hdr(el.length + 1000), el, undefined],
    ["binary size negative", hdr(-4), el, undefined],
    ["binary size not a number", hdr("big"), el, undefined],
    ["element length beyond data", hdr(8), Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4]), undefined],
    ["header length beyond body", hdr(el.length), el, 10_000_000],
    ["header length zero", hdr(el.length), el, 0],
    ["header length negative", hdr(el.length), el, -1],
    ["header not JSON", "not json", el, undefined],
  ] as [string, unknown, Uint8Array, number | undefined][]) {
    const h = typeof header === "string" ? Buffer.from(header) : Buffer.from(JSON.stringify(header));
    add(name, Buffer.concat([h, Buffer.from(tail)]), { "content-type": "application/octet-stream", "inference-header-content-length": String(declared ?? h.length) });
  }
  // Too many images, too large a body, wrong routes and methods.
  const many = Array.from({ length: 100 }, () => b64);
  jsonReq("100 images", input({ shape: [100], data: many }));
  cases.push({ name: "40 MB body", target: "image", method: "POST", path: INFER, headers: { "content-type": "application/json" }, body: Buffer.alloc(40 * 1024 * 1024, 0x61), expect: "4xx", mayReset: true });
  add("unknown model", JSON.stringify(input({})), { "content-type": "application/json" }, "/v2/models/nope/infer");
  add("unknown version", JSON.stringify(input({})), { "content-type": "application/json" }, "/v2/models/image-encoder/versions/999/infer");
  add("GET infer", "", {}, INFER, "GET");
  add("PUT infer", "", {}, INFER, "PUT");
  add("text/plain infer", "hello", { "content-type": "text/plain" });
  // Bad auth (the suite runs the image server with a token).
  for (const h of [undefined, "", "Bearer", "Bearer wrong-token-0000000000", "Basic abc", "Bearer " + "t".repeat(10000)]) {
    add(`auth ${JSON.stringify(h?.slice(0, 20))}`, JSON.stringify(input({})), { "content-type": "application/json", ...(h === undefined ? {} : { authorization: h }) }, INFER, "POST", false);
  }
  return cases;
}
