/**
 * Letterbox + resize of decoded 8-bit RGB pixels, in plain TypeScript (no sharp, no node: imports),
 * so that training data generation (functions/tasks), this server and the Triton Python-backend
 * model (functions/image-features/triton/preprocess_model.py, the same steps in numpy) compute the
 * same pixels. The steps, each defined exactly (docs/image-features.md, "Resize kernel"):
 *
 * 1. background: the per-channel median of the border pixels (lower median), or a fixed colour;
 * 2. letterbox: pad to the target aspect ratio with that colour, content centred (floor offsets),
 *    never stretched: canvas = (max(w, ceil(h*W/H)), max(h, ceil(w*H/W)));
 * 3. if the canvas is already W x H, done (pixels pass through bit-exactly);
 * 4. box pre-shrink by integer factors kx = floor(sx/2), ky = floor(sy/2) when >= 2 (block means,
 *    last block partial), like libvips' shrink and PIL's reducing_gap, to keep big images cheap;
 * 5. separable Lanczos-3, PIL-style antialiasing (support 3*max(scale, 1), weights normalised),
 *    horizontal pass then vertical, in float64; round half up, clamp to [0, 255].
 */

export type Rgb = readonly [number, number, number];

export interface Pixels {
  /** RGB, 3 bytes a pixel, rows top to bottom. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** Flatten RGBA onto a colour: round((c*a + bg*(255-a)) / 255), in integers. */
export function flattenAlpha(rgba: Uint8Array, width: number, height: number, bg: Rgb): Uint8Array {
  const n = width * height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = rgba[4 * i + 3] ?? 255;
    for (let c = 0; c < 3; c++) {
      const v = rgba[4 * i + c] ?? 0;
      out[3 * i + c] = a === 255 ? v : Math.floor((v * a + bg[c]! * (255 - a) + 127) / 255);
    }
  }
  return out;
}

/** Per-channel lower median of the border pixels (top and bottom rows, left and right columns). */
export function borderMedian(img: Pixels): Rgb {
  const { data, width: w, height: h } = img;
  const idx: number[] = [];
  for (let x = 0; x < w; x++) idx.push(x);
  if (h > 1) for (let x = 0; x < w; x++) idx.push((h - 1) * w + x);
  for (let y = 1; y < h - 1; y++) {
    idx.push(y * w);
    if (w > 1) idx.push(y * w + w - 1);
  }
  const median = (c: number) => {
    const values = Uint8Array.from(idx, (i) => data[3 * i + c] ?? 0).sort();
    return values[Math.floor((values.length - 1) / 2)] ?? 0;
  };
  return [median(0), median(1), median(2)];
}

/** Size of the letterbox canvas: the image padded to the aspect ratio of outWidth x outHeight. */
export function canvasSize(w: number, h: number, outWidth: number, outHeight: number): { width: number; height: number } {
  return { width: Math.max(w, Math.ceil((h * outWidth) / outHeight)), height: Math.max(h, Math.ceil((w * outHeight) / outWidth)) };
}

/** Pad to the aspect ratio of outWidth x outHeight, centred, with `bg`. */
export function letterbox(img: Pixels, outWidth: number, outHeight: number, bg: Rgb): Pixels {
  const { width: w, height: h } = img;
  const { width: cw, height: ch } = canvasSize(w, h, outWidth, outHeight);
  if (cw === w && ch === h) return img;
  const ox = Math.floor((cw - w) / 2);
  const oy = Math.floor((ch - h) / 2);
  const out = new Uint8Array(cw * ch * 3);
  // One row of background, copied into every row (per-pixel set() is slow on large canvases).
  const row = new Uint8Array(cw * 3);
  for (let x = 0; x < cw; x++) {
    row[3 * x] = bg[0];
    row[3 * x + 1] = bg[1];
    row[3 * x + 2] = bg[2];
  }
  for (let y = 0; y < ch; y++) out.set(row, y * cw * 3);
  for (let y = 0; y < h; y++) out.set(img.data.subarray(y * w * 3, (y + 1) * w * 3), ((y + oy) * cw + ox) * 3);
  return { data: out, width: cw, height: ch };
}

function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float64Array[];
}

/** Lanczos-3 taps for resampling `inSize` samples to `outSize`, where one output step is `scale` inputs. */
function taps(inSize: number, outSize: number, scale: number): Taps {
  const filterScale = Math.max(scale, 1);
  const support = 3 * filterScale;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support + 0.5));
    const hi = Math.min(inSize, Math.floor(center + support + 0.5));
    const w = new Float64Array(Math.max(0, hi - lo));
    let sum = 0;
    for (let j = lo; j < hi; j++) sum += w[j - lo] = lanczos3((j + 0.5 - center) / filterScale);
    if (sum !== 0) for (let k = 0; k < w.length; k++) w[k]! /= sum;
    start[i] = lo;
    count[i] = w.length;
    weights.push(w);
  }
  return { start, count, weights };
}

/** Mean of kx x ky blocks (the last block of a row or column may be partial), float64 RGB. */
function boxShrink(src: Uint8Array, w: number, h: number, kx: number, ky: number): { data: Float64Array; width: number; height: number } {
  const rw = Math.ceil(w / kx);
  const rh = Math.ceil(h / ky);
  const out = new Float64Array(rw * rh * 3);
  for (let by = 0; by < rh; by++) {
    const y1 = Math.min(h, (by + 1) * ky);
    for (let bx = 0; bx < rw; bx++) {
      const x1 = Math.min(w, (bx + 1) * kx);
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = by * ky; y < y1; y++) {
        for (let x = bx * kx; x < x1; x++) {
          const at = (y * w + x) * 3;
          r += src[at]!;
          g += src[at + 1]!;
          b += src[at + 2]!;
        }
      }
      const n = (y1 - by * ky) * (x1 - bx * kx);
      const at = (by * rw + bx) * 3;
      out[at] = r / n;
      out[at + 1] = g / n;
      out[at + 2] = b / n;
    }
  }
  return { data: out, width: rw, height: rh };
}

/** Resize RGB pixels to outWidth x outHeight (steps 4 and 5 above). */
export function resizeLanczos3(img: Pixels, outWidth: number, outHeight: number): Uint8Array {
  const sx = img.width / outWidth;
  const sy = img.height / outHeight;
  const kx = Math.max(1, Math.floor(sx / 2));
  const ky = Math.max(1, Math.floor(sy / 2));
  // Integer sums of 8-bit values are exact, so shrinking straight from the bytes changes nothing.
  const src = kx > 1 || ky > 1 ? boxShrink(img.data, img.width, img.height, kx, ky) : { data: Float64Array.from(img.data), width: img.width, height: img.height };
  const hx = taps(src.width, outWidth, sx / kx);
  const hy = taps(src.height, outHeight, sy / ky);
  // Horizontal pass: every source row to outWidth columns.
  const tmp = new Float64Array(src.height * outWidth * 3);
  for (let y = 0; y < src.height; y++) {
    for (let i = 0; i < outWidth; i++) {
      const w = hx.weights[i]!;
      const lo = hx.start[i]!;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < w.length; k++) {
        const at = (y * src.width + lo + k) * 3;
        r += w[k]! * src.data[at]!;
        g += w[k]! * src.data[at + 1]!;
        b += w[k]! * src.data[at + 2]!;
      }
      const o = (y * outWidth + i) * 3;
      tmp[o] = r;
      tmp[o + 1] = g;
      tmp[o + 2] = b;
    }
  }
  // Vertical pass, then round half up and clamp.
  const out = new Uint8Array(outWidth * outHeight * 3);
  for (let j = 0; j < outHeight; j++) {
    const w = hy.weights[j]!;
    const lo = hy.start[j]!;
    for (let i = 0; i < outWidth; i++) {
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (let k = 0; k < w.length; k++) v += w[k]! * tmp[((lo + k) * outWidth + i) * 3 + c]!;
        out[(j * outWidth + i) * 3 + c] = Math.min(255, Math.max(0, Math.floor(v + 0.5)));
      }
    }
  }
  return out;
}

/** Steps 1-5: background, letterbox, resize. Returns RGB bytes of outWidth x outHeight. */
export function letterboxResize(img: Pixels, outWidth: number, outHeight: number, background: "border-median" | Rgb): Uint8Array {
  const bg = background === "border-median" ? borderMedian(img) : background;
  const boxed = letterbox(img, outWidth, outHeight, bg);
  if (boxed.width === outWidth && boxed.height === outHeight) return boxed.data === img.data ? Uint8Array.from(img.data) : boxed.data;
  return resizeLanczos3(boxed, outWidth, outHeight);
}
