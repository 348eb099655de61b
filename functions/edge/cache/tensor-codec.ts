/**
 * Compact binary form of named float32 vectors for the remote cache tiers (Cache API, KV):
 * "EFT1", u32 header length, a JSON header [{name, length}], padding to 4 bytes, then the raw
 * little-endian floats. Far smaller and faster than JSON numbers.
 */
const MAGIC = "EFT1";

export type NamedVectors = Record<string, Float32Array>;

export function encodeVectors(vectors: NamedVectors): Uint8Array {
  const entries = Object.entries(vectors);
  const header = new TextEncoder().encode(JSON.stringify(entries.map(([name, v]) => ({ name, length: v.length }))));
  const dataStart = Math.ceil((8 + header.byteLength) / 4) * 4;
  const total = dataStart + entries.reduce((n, [, v]) => n + v.byteLength, 0);
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, header.byteLength, true);
  out.set(header, 8);
  let at = dataStart;
  for (const [, v] of entries) {
    out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), at);
    at += v.byteLength;
  }
  return out;
}

/** Returns null for anything that is not a well-formed encoding (a corrupt entry is a miss). */
export function decodeVectors(bytes: Uint8Array): NamedVectors | null {
  if (bytes.byteLength < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) return null;
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  if (8 + headerLength > bytes.byteLength) return null;
  let header: { name: string; length: number }[];
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    return null;
  }
  let at = Math.ceil((8 + headerLength) / 4) * 4;
  const out: NamedVectors = {};
  for (const { name, length } of header) {
    if (typeof name !== "string" || !Number.isInteger(length) || length < 0 || at + length * 4 > bytes.byteLength) return null;
    const v = new Float32Array(length);
    new Uint8Array(v.buffer).set(bytes.subarray(at, at + length * 4));
    out[name] = v;
    at += length * 4;
  }
  return at === bytes.byteLength ? out : null;
}
