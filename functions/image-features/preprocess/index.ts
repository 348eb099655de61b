/**
 * Preprocessing modules by modality kind. Adding a kind = one module + one line here + one
 * schema entry in repository/config-schema.ts (and its Python twin for Triton).
 */
import type { Preprocess } from "../repository/config-schema.js";
import { audioPreprocessor } from "./audio.js";
import { imagePreprocessor } from "./image.js";
import type { ItemPreprocessor, PreprocessLimits } from "./types.js";

export type { ItemPreprocessor, PreprocessLimits } from "./types.js";

export function createPreprocessor(p: Preprocess, limits: PreprocessLimits): ItemPreprocessor {
  switch (p.kind) {
    case "image":
      return imagePreprocessor(p, limits);
    case "audio":
      return audioPreprocessor(p);
  }
}

/** Caps how many items are decoded at once across all requests and models, so a burst cannot take all memory. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** Preprocess a request's items into one contiguous [N, ...] tensor, in request order. */
export async function preprocessItems(pre: ItemPreprocessor, items: Buffer[], limiter: Limiter): Promise<Float32Array> {
  const size = pre.itemSize;
  const tensor = new Float32Array(items.length * size);
  await Promise.all(items.map((bytes, i) => limiter.run(() => pre.prepare(bytes, i, tensor.subarray(i * size, (i + 1) * size)))));
  return tensor;
}
