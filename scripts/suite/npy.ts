/**
 * Writes NumPy .npy files (format 1.0), what scripts/heads/train_heads.py reads from a features
 * folder: little-endian float32, int64 or fixed-width unicode arrays, C order.
 */
import { writeFileSync } from "node:fs";

function header(descr: string, shape: readonly number[]): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  const unpadded = 10 + dict.length + 1; // magic(6) + version(2) + len(2) + dict + \n
  const pad = (64 - (unpadded % 64)) % 64;
  const text = dict + " ".repeat(pad) + "\n";
  const head = Buffer.alloc(10);
  head.write("\x93NUMPY", 0, "latin1");
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(text.length, 8);
  return Buffer.concat([head, Buffer.from(text, "latin1")]);
}

export function writeNpyF32(path: string, data: Float32Array, shape: readonly number[]): void {
  if (shape.reduce((a, b) => a * b, 1) !== data.length) throw new Error(`${path}: ${data.length} values for shape ${shape}`);
  writeFileSync(path, Buffer.concat([header("<f4", shape), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

export function writeNpyI64(path: string, data: readonly number[]): void {
  const arr = BigInt64Array.from(data.map((x) => BigInt(x)));
  writeFileSync(path, Buffer.concat([header("<i8", [data.length]), Buffer.from(arr.buffer)]));
}

export function writeNpyStrings(path: string, data: readonly string[]): void {
  const width = Math.max(1, ...data.map((s) => [...s].length));
  const buf = Buffer.alloc(data.length * width * 4);
  data.forEach((s, i) => [...s].forEach((ch, j) => buf.writeUInt32LE(ch.codePointAt(0)!, (i * width + j) * 4)));
  writeFileSync(path, Buffer.concat([header(`<U${width}`, [data.length]), buf]));
}
