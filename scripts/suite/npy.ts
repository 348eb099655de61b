/**
 * Writes NumPy .npy files (format 1.0), what scripts/heads/train_heads.py reads from a features
 * folder: little-endian float32, int64 or fixed-width unicode arrays, C order; and reads the numeric
 * ones back (readNpy: float32, float64 as float32, int64).
 */
import { readFileSync, writeFileSync } from "node:fs";

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

export interface NpyArray {
  readonly shape: readonly number[];
  /** float32 for '<f4' and '<f8' (narrowed), int64 for '<i8'. */
  readonly data: Float32Array | BigInt64Array;
}

/** The header dictionary of a .npy file (format 1.x or 2.x) and the bytes after it. */
function npyHeader(path: string): { dict: string; body: Buffer } {
  const b = readFileSync(path);
  if (b.toString("latin1", 0, 6) !== "\x93NUMPY") throw new Error(`${path}: not a .npy file`);
  const major = b[6]!;
  const headerLength = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  return { dict: b.toString("latin1", start, start + headerLength), body: b.subarray(start + headerLength) };
}

/** Reads a C-order little-endian float32, float64 or int64 .npy file (format 1.x or 2.x). */
export function readNpy(path: string): NpyArray {
  const { dict, body } = npyHeader(path);
  const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (!descr || shapeText === undefined) throw new Error(`${path}: unreadable .npy header ${dict.trim()}`);
  if (/'fortran_order':\s*True/.test(dict)) throw new Error(`${path}: Fortran-order arrays are not read`);
  const shape = shapeText.split(",").map((x) => x.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, c) => a * c, 1);
  const copy = (bytes: number) => {
    if (body.length < count * bytes) throw new Error(`${path}: ${body.length} bytes of data for shape (${shape.join(", ")})`);
    return new Uint8Array(body.subarray(0, count * bytes)).buffer; // aligned copy
  };
  if (descr === "<f4") return { shape, data: new Float32Array(copy(4)) };
  if (descr === "<f8") return { shape, data: Float32Array.from(new Float64Array(copy(8))) };
  if (descr === "<i8") return { shape, data: new BigInt64Array(copy(8)) };
  throw new Error(`${path}: dtype ${descr} is not read here (float32, float64 or int64)`);
}

/** Reads a fixed-width unicode ('<U<n>') .npy array, as writeNpyStrings writes it. */
export function readNpyStrings(path: string): string[] {
  const { dict, body } = npyHeader(path);
  const width = Number(/'descr':\s*'<U(\d+)'/.exec(dict)?.[1]);
  const count = Number(/'shape':\s*\((\d+),?\)/.exec(dict)?.[1]);
  if (!(width > 0) || !(count >= 0)) throw new Error(`${path}: not a 1-D little-endian unicode array (${dict.trim()})`);
  return Array.from({ length: count }, (_, i) => {
    let s = "";
    for (let j = 0; j < width; j++) {
      const cp = body.readUInt32LE((i * width + j) * 4);
      if (cp === 0) break;
      s += String.fromCodePoint(cp);
    }
    return s;
  });
}
