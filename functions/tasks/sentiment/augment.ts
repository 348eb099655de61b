/**
 * Camera-like pixel augmentations applied after rendering (pure TypeScript): blur, brightness and
 * contrast, a colour cast, sensor noise. Codec round trips (JPEG/WebP) need an encoder and are done
 * by the dataset CLI with sharp (scripts/dataset/sentiment.ts), the same kinds the VQA suite uses.
 */
import type { RgbImage } from "./image";
import { clampByte } from "./image";
import type { Rng } from "./random";

export interface PixelAugment {
  /** Gaussian blur sigma in pixels, 0 = none */
  blur: number;
  /** multiplicative contrast around mid-grey, 1 = none */
  contrast: number;
  /** additive brightness in levels */
  brightness: number;
  /** per-channel gains (colour cast / white balance) */
  gains: readonly [number, number, number];
  /** sensor noise sigma in levels, 0 = none */
  noise: number;
}

export const NO_AUGMENT: PixelAugment = { blur: 0, contrast: 1, brightness: 0, gains: [1, 1, 1], noise: 0 };

/** Draw augmentation parameters: each effect applies to a fraction of images. */
export function drawAugment(rng: Rng): PixelAugment {
  const blur = rng.chance(0.25) ? rng.uniform(0.3, 1.0) : 0;
  const bc = rng.chance(0.4);
  const contrast = bc ? rng.uniform(0.85, 1.15) : 1;
  const brightness = bc ? rng.uniform(-20, 20) : 0;
  const cast = rng.chance(0.3);
  const gains: [number, number, number] = cast ? [rng.uniform(0.92, 1.08), rng.uniform(0.92, 1.08), rng.uniform(0.92, 1.08)] : [1, 1, 1];
  const noise = rng.chance(0.4) ? rng.uniform(1, 8) : 0;
  return { blur, contrast, brightness, gains, noise };
}

function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(sigma * 3));
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma));
    k[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/** Separable Gaussian blur with edge clamping, in float. */
function blur(src: Float32Array, width: number, height: number, sigma: number): Float32Array {
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += k[i + r]! * src[(y * width + Math.min(width - 1, Math.max(0, x + i))) * 3 + c]!;
        tmp[(y * width + x) * 3 + c] = s;
      }
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += k[i + r]! * tmp[(Math.min(height - 1, Math.max(0, y + i)) * width + x) * 3 + c]!;
        out[(y * width + x) * 3 + c] = s;
      }
  return out;
}

/** Apply the augmentation; `rng` supplies the noise. Returns a new image. */
export function augmentImage(img: RgbImage, a: PixelAugment, rng: Rng): RgbImage {
  let f: Float32Array = Float32Array.from(img.data);
  if (a.blur > 0) f = blur(f, img.width, img.height, a.blur);
  const out = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) {
    let v = (f[i]! - 128) * a.contrast + 128 + a.brightness;
    v *= a.gains[i % 3]!;
    if (a.noise > 0) v += a.noise * rng.normal();
    out[i] = clampByte(v);
  }
  return { width: img.width, height: img.height, data: out };
}
