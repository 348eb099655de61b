/**
 * Features of an image or audio file from the feature function (or Triton/KServe serving the same
 * repository) over the Open Inference Protocol: one BYTES input `input` with the encoded file
 * (binary extension), the requested outputs back as JSON. The same request the edge sends, so the
 * heads train on exactly the features they will be served.
 */
export interface RemoteOutputSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

export async function remoteFeatures(
  baseUrl: string,
  model: string,
  version: number | undefined,
  bytes: Uint8Array,
  outputs: readonly RemoteOutputSpec[],
  token?: string,
): Promise<Map<string, Float32Array>> {
  const header = Buffer.from(
    JSON.stringify({
      inputs: [{ name: "input", shape: [1], datatype: "BYTES", parameters: { binary_data_size: bytes.length + 4 } }],
      outputs: outputs.map((o) => ({ name: o.name, parameters: { binary_data: false } })),
    }),
  );
  const len = Buffer.alloc(4);
  len.writeUInt32LE(bytes.length);
  const path = version !== undefined ? `/v2/models/${model}/versions/${version}/infer` : `/v2/models/${model}/infer`;
  const res = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(header.length),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: new Uint8Array(Buffer.concat([header, len, bytes])),
  });
  const raw = new Uint8Array(await res.arrayBuffer());
  const jsonLen = Number(res.headers.get("inference-header-content-length") ?? raw.length);
  const text = new TextDecoder().decode(raw.subarray(0, jsonLen));
  if (!res.ok) throw new Error(`${model}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { outputs: { name: string; shape: number[]; data?: number[]; parameters?: { binary_data_size?: number } }[] };
  const result = new Map<string, Float32Array>();
  let off = jsonLen;
  for (const o of body.outputs) {
    const size = o.parameters?.binary_data_size;
    if (size !== undefined) {
      result.set(o.name, new Float32Array(raw.slice(off, off + size).buffer));
      off += size;
    } else result.set(o.name, Float32Array.from(o.data ?? []));
  }
  for (const o of outputs) {
    const v = result.get(o.name);
    const want = o.shape.slice(1).reduce((a, b) => a * b, 1);
    if (!v || v.length !== want) throw new Error(`${model}: output ${o.name} has ${v?.length ?? 0} values, expected ${want}`);
  }
  return result;
}
