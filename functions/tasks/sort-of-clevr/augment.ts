/**
 * Seeded augmenting renderer: the same scene (object list) drawn the way real inputs look, so the
 * image encoder learns shapes and positions rather than the exact pixels of the spec renderer.
 *
 * Pure TypeScript (no Node, DOM or Worker imports): everything up to the codec happens here. The
 * codec (JPEG/WebP/PNG) and the service's resize live in `augment-node.ts` (sharp). The
 * distribution is documented in docs/task.md ("Augmented views").
 *
 * Geometry is preserved by construction: scenes are shrunk about the image centre, centres are
 * jittered only when no answer changes, and padding is centred, so every answer of the spec scene
 * stays true in every view.
 */
import {
  COLOURS,
  COLOUR_RGB,
  deriveSeed,
  HALF,
  IMAGE_SIZE,
  mulberry32,
  renderScene,
  type Scene,
  type SceneObject,
} from "./generator";

/** Stream ids used with deriveSeed(seed, index, stream): 1 = scene, 2 = questions (generator.ts). */
const VIEW_STREAM = 100;

export type Codec =
  | { kind: "png" }
  | { kind: "jpeg"; quality: number; chroma: "4:2:0" | "4:4:4" }
  | { kind: "webp"; quality: number };

export interface ViewSpec {
  /** "exact": the spec renderer's bytes; "aa": supersampled coverage at `renderSize` px. */
  path: "exact" | "aa";
  /** Side of the rendered square canvas in px (75 = the spec size). */
  renderSize: number;
  /** Supersampling factor per axis for "aa" (coverage = fraction of n×n samples inside). */
  supersample: number;
  /** Nearest-neighbour upscale factor applied after rendering (1 = none). */
  upscale: number;
  /** Scene scale about the image centre (1 = spec layout). */
  shrink: number;
  /** Per object (COLOURS order): size factor and centre offset in scene units. */
  size: number[];
  offset: Array<[number, number]>;
  background: [number, number, number];
  /** Per object colour offset added to the spec RGB (clamped). */
  colourShift: Array<[number, number, number]>;
  /** Final canvas after centred padding (width, height ≥ rendered size) and the padding colour. */
  canvas: [number, number];
  padColour: [number, number, number];
  blurSigma: number;
  brightness: number;
  contrast: number;
  noiseSigma: number;
  codec: Codec;
}

export interface RgbImage {
  width: number;
  height: number;
  /** row-major [y][x][c] */
  data: Uint8Array;
}

type Rand = () => number;
const uniform = (r: Rand, lo: number, hi: number) => lo + (hi - lo) * r();
const chance = (r: Rand, p: number) => r() < p;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Box–Muller standard normal from the seeded stream. */
function gaussian(r: Rand): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

function d2(a: { x: number; y: number }, b: { x: number; y: number }) {
  return (a.x - b.x) ** 2 + (a.y - b.y) ** 2;
}

/** The exact spec view: the generator's pixels, PNG, nothing else. */
export function exactSpec(): ViewSpec {
  return {
    path: "exact",
    renderSize: IMAGE_SIZE,
    supersample: 1,
    upscale: 1,
    shrink: 1,
    size: COLOURS.map(() => 1),
    offset: COLOURS.map(() => [0, 0] as [number, number]),
    background: [255, 255, 255],
    colourShift: COLOURS.map(() => [0, 0, 0] as [number, number, number]),
    canvas: [IMAGE_SIZE, IMAGE_SIZE],
    padColour: [255, 255, 255],
    blurSigma: 0,
    brightness: 0,
    contrast: 1,
    noiseSigma: 0,
    codec: { kind: "png" },
  };
}

/** Centres after offsets, in scene units. */
function movedCentres(scene: Scene, offset: Array<[number, number]>) {
  return scene.objects.map((o, i) => ({ x: o.cx + offset[i]![0], y: o.cy + offset[i]![1] }));
}

/** True when the moved centres give every question the same answer as the spec scene. */
export function answersPreserved(scene: Scene, offset: Array<[number, number]>): boolean {
  const c = movedCentres(scene, offset);
  for (let i = 0; i < c.length; i++) {
    const o = scene.objects[i]!;
    if (c[i]!.x < HALF !== o.cx < HALF || c[i]!.y < HALF !== o.cy < HALF) return false;
    const order = c.map((p, j) => ({ j, d: j === i ? -1 : d2(p, c[i]!) })).filter((e) => e.j !== i);
    order.sort((a, b) => a.d - b.d);
    const specOrder = scene.objects
      .map((p, j) => ({ j, d: j === i ? -1 : (p.cx - o.cx) ** 2 + (p.cy - o.cy) ** 2 }))
      .filter((e) => e.j !== i)
      .sort((a, b) => a.d - b.d);
    // closest and farthest must be the same objects, and not tied
    if (order[0]!.j !== specOrder[0]!.j || order[order.length - 1]!.j !== specOrder[specOrder.length - 1]!.j) return false;
    if (order[1]!.d - order[0]!.d < 1e-6 || order[order.length - 1]!.d - order[order.length - 2]!.d < 1e-6) return false;
  }
  return true;
}

/**
 * Draw the augmentation parameters of view `view` of a scene. Same (scene.seed, scene.index, view)
 * → same spec on every platform. Probabilities: docs/task.md.
 */
export function sampleViewSpec(scene: Scene, view: number): ViewSpec {
  const r = mulberry32(deriveSeed(scene.seed, scene.index, VIEW_STREAM + view));
  const spec = exactSpec();
  const pathDraw = r();
  if (pathDraw < 0.2) {
    // exact spec render; 40% of those nearest-upscaled ×2–4, half of the rest left untouched
    spec.path = "exact";
    if (chance(r, 0.4)) spec.upscale = 2 + Math.floor(r() * 3);
    else if (chance(r, 0.5)) return spec;
  } else {
    spec.path = "aa";
    if (pathDraw < 0.55) {
      spec.renderSize = IMAGE_SIZE;
      spec.supersample = 4;
    } else {
      spec.renderSize = pick(r, [113, 150, 188, 225, 300]);
      spec.supersample = spec.renderSize >= 200 ? 2 : 3;
    }
    spec.size = COLOURS.map(() => uniform(r, 0.85, 1.15));
    const offset = COLOURS.map(() => [uniform(r, -0.45, 0.45), uniform(r, -0.45, 0.45)] as [number, number]);
    if (answersPreserved(scene, offset)) spec.offset = offset;
    if (chance(r, 0.35)) spec.shrink = uniform(r, 0.45, 1.0);
    if (chance(r, 0.3)) spec.colourShift = COLOURS.map(() => [0, 1, 2].map(() => Math.round(uniform(r, -12, 12))) as [number, number, number]);
  }
  if (chance(r, 0.3)) {
    const v = Math.round(uniform(r, 235, 255));
    spec.background = chance(r, 0.7) ? [v, v, v] : [v, Math.round(uniform(r, 235, 255)), Math.round(uniform(r, 235, 255))];
  }
  const side = spec.renderSize * spec.upscale;
  if (chance(r, 0.3)) {
    // a non-square upload: centred padding on one axis (what the service letterboxes back)
    const f = uniform(r, 1.1, 2.2);
    const long = Math.round(side * f);
    spec.canvas = chance(r, 0.5) ? [long, side] : [side, long];
    spec.padColour = chance(r, 0.5) ? [255, 255, 255] : spec.background;
  } else {
    spec.canvas = [side, side];
    spec.padColour = spec.background;
  }
  if (chance(r, 0.2)) spec.blurSigma = uniform(r, 0.3, 0.8) * (side / IMAGE_SIZE);
  if (chance(r, 0.3)) {
    spec.brightness = uniform(r, -0.1, 0.1) * 255;
    spec.contrast = uniform(r, 0.9, 1.1);
  }
  if (chance(r, 0.3)) spec.noiseSigma = uniform(r, 1, 6);
  const codecDraw = r();
  if (codecDraw < 0.4) spec.codec = { kind: "jpeg", quality: Math.round(uniform(r, 40, 95)), chroma: chance(r, 0.5) ? "4:2:0" : "4:4:4" };
  else if (codecDraw < 0.52) spec.codec = { kind: "webp", quality: Math.round(uniform(r, 40, 95)) };
  return spec;
}

/** Where object i lands on the rendered square canvas (before upscale/padding), in canvas px. */
export function objectPlacement(scene: Scene, spec: ViewSpec): Array<{ x: number; y: number; scale: number }> {
  const k = (spec.renderSize / IMAGE_SIZE) * spec.shrink;
  const c = spec.renderSize / 2;
  return scene.objects.map((o, i) => ({
    x: c + (o.cx + spec.offset[i]![0] - HALF) * k,
    y: c + (o.cy + spec.offset[i]![1] - HALF) * k,
    scale: k * spec.size[i]!,
  }));
}

/** Whether point (px, py), in units of the object's own scale relative to its centre, is inside. */
function inside(shape: SceneObject["shape"], dx: number, dy: number): boolean {
  return shape === "square" ? Math.abs(dx) < 5 && Math.abs(dy) < 5 : dx * dx + dy * dy <= 25;
}

const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** Anti-aliased render: each pixel's colour is the background blended by the object's coverage. */
function renderAA(scene: Scene, spec: ViewSpec): RgbImage {
  const n = spec.renderSize;
  const data = new Uint8Array(n * n * 3);
  for (let i = 0; i < n * n; i++) data.set(spec.background, i * 3);
  const ss = spec.supersample;
  const place = objectPlacement(scene, spec);
  scene.objects.forEach((o, i) => {
    const p = place[i]!;
    const base = COLOUR_RGB[o.colour];
    const rgb = base.map((v, ch) => clamp8(v + spec.colourShift[i]![ch]!));
    const reach = 5 * p.scale * Math.SQRT2 + 1;
    const x0 = Math.max(0, Math.floor(p.x - reach));
    const x1 = Math.min(n - 1, Math.ceil(p.x + reach));
    const y0 = Math.max(0, Math.floor(p.y - reach));
    const y1 = Math.min(n - 1, Math.ceil(p.y + reach));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        let hit = 0;
        for (let sy = 0; sy < ss; sy++) {
          for (let sx = 0; sx < ss; sx++) {
            const dx = (x + (sx + 0.5) / ss - p.x) / p.scale;
            const dy = (y + (sy + 0.5) / ss - p.y) / p.scale;
            if (inside(o.shape, dx, dy)) hit++;
          }
        }
        if (hit === 0) continue;
        const a = hit / (ss * ss);
        const q = (y * n + x) * 3;
        for (let ch = 0; ch < 3; ch++) data[q + ch] = clamp8(data[q + ch]! * (1 - a) + rgb[ch]! * a);
      }
    }
  });
  return { width: n, height: n, data };
}

function upscaleNearest(img: RgbImage, f: number): RgbImage {
  if (f === 1) return img;
  const w = img.width * f;
  const h = img.height * f;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const s = ((Math.floor(y / f) * img.width + Math.floor(x / f)) * 3) | 0;
      data.set(img.data.subarray(s, s + 3), (y * w + x) * 3);
    }
  return { width: w, height: h, data };
}

/** Centred padding to (width, height); odd remainders go right/bottom. */
export function padCentred(img: RgbImage, width: number, height: number, colour: readonly number[]): RgbImage {
  if (width === img.width && height === img.height) return img;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(colour, i * 3);
  const left = Math.floor((width - img.width) / 2);
  const top = Math.floor((height - img.height) / 2);
  for (let y = 0; y < img.height; y++) data.set(img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3), ((top + y) * width + left) * 3);
  return { width, height, data };
}

/** Separable Gaussian blur (edge pixels repeated). */
export function gaussianBlur(img: RgbImage, sigma: number): RgbImage {
  if (sigma <= 0) return img;
  const rad = Math.max(1, Math.ceil(3 * sigma));
  const k: number[] = [];
  let sum = 0;
  for (let i = -rad; i <= rad; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    k.push(v);
    sum += v;
  }
  const kn = k.map((v) => v / sum);
  const { width: w, height: h } = img;
  const tmp = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < 3; ch++) {
        let acc = 0;
        for (let i = -rad; i <= rad; i++) acc += kn[i + rad]! * img.data[(y * w + Math.min(w - 1, Math.max(0, x + i))) * 3 + ch]!;
        tmp[(y * w + x) * 3 + ch] = acc;
      }
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < 3; ch++) {
        let acc = 0;
        for (let i = -rad; i <= rad; i++) acc += kn[i + rad]! * tmp[(Math.min(h - 1, Math.max(0, y + i)) * w + x) * 3 + ch]!;
        out[(y * w + x) * 3 + ch] = clamp8(acc);
      }
  return { width: w, height: h, data: out };
}

/**
 * Everything of a view except the codec: render, nearest upscale, centred padding, blur,
 * brightness/contrast, noise. Deterministic in (scene, spec, view).
 */
export function renderView(scene: Scene, spec: ViewSpec, view = 0): RgbImage {
  let img: RgbImage =
    spec.path === "exact" ? { width: IMAGE_SIZE, height: IMAGE_SIZE, data: recolourBackground(renderScene(scene), spec.background) } : renderAA(scene, spec);
  img = upscaleNearest(img, spec.upscale);
  img = padCentred(img, spec.canvas[0], spec.canvas[1], spec.padColour);
  img = gaussianBlur(img, spec.blurSigma);
  if (spec.brightness !== 0 || spec.contrast !== 1 || spec.noiseSigma > 0) {
    const r = mulberry32(deriveSeed(scene.seed, scene.index, VIEW_STREAM + view, 7));
    const d = img.data;
    for (let i = 0; i < d.length; i++) {
      let v = (d[i]! - 128) * spec.contrast + 128 + spec.brightness;
      if (spec.noiseSigma > 0) v += spec.noiseSigma * gaussian(r);
      d[i] = clamp8(v);
    }
  }
  return img;
}

function recolourBackground(rgb: Uint8Array, bg: readonly number[]): Uint8Array {
  if (bg[0] === 255 && bg[1] === 255 && bg[2] === 255) return rgb;
  for (let i = 0; i < rgb.length; i += 3)
    if (rgb[i] === 255 && rgb[i + 1] === 255 && rgb[i + 2] === 255) rgb.set(bg, i);
  return rgb;
}

/**
 * Where the view's objects land after the service's letterbox (fit contain, centred) to an
 * `out`×`out` square: centre (px) and scale (px per scene unit) per object, COLOURS order.
 */
export function letterboxedPlacement(scene: Scene, spec: ViewSpec, out: number): Array<{ x: number; y: number; scale: number }> {
  const [cw, ch] = spec.canvas;
  const side = spec.renderSize * spec.upscale;
  const s = out / Math.max(cw, ch);
  const left = Math.floor((cw - side) / 2);
  const top = Math.floor((ch - side) / 2);
  const offX = (out - cw * s) / 2;
  const offY = (out - ch * s) / 2;
  const place =
    spec.path === "exact"
      ? scene.objects.map((o) => ({ x: o.cx, y: o.cy, scale: 1 }))
      : objectPlacement(scene, spec);
  return place.map((p) => ({
    x: offX + (left + p.x * spec.upscale) * s,
    y: offY + (top + p.y * spec.upscale) * s,
    scale: p.scale * spec.upscale * s,
  }));
}

/**
 * Per-colour coverage of each cell of a `grid`×`grid` partition of the letterboxed `out`×`out`
 * input: [6 × grid²] (COLOURS order, cell = row·grid + column), each row normalised to sum 1.
 * These are the training targets of the first attention hop (geometry, not pixel colours, so they
 * survive blending and codecs).
 */
export function cellCoverage(scene: Scene, spec: ViewSpec, out: number, grid: number): Float32Array {
  const place = letterboxedPlacement(scene, spec, out);
  const cell = out / grid;
  const cov = new Float32Array(COLOURS.length * grid * grid);
  const ss = 4;
  scene.objects.forEach((o, i) => {
    const p = place[i]!;
    const reach = 5 * p.scale * Math.SQRT2;
    const c0 = Math.max(0, Math.floor((p.x - reach) / cell));
    const c1 = Math.min(grid - 1, Math.floor((p.x + reach) / cell));
    const r0 = Math.max(0, Math.floor((p.y - reach) / cell));
    const r1 = Math.min(grid - 1, Math.floor((p.y + reach) / cell));
    let total = 0;
    for (let row = r0; row <= r1; row++)
      for (let col = c0; col <= c1; col++) {
        let hit = 0;
        for (let sy = 0; sy < ss; sy++)
          for (let sx = 0; sx < ss; sx++) {
            const x = (col + (sx + 0.5) / ss) * cell;
            const y = (row + (sy + 0.5) / ss) * cell;
            if (inside(o.shape, (x - p.x) / p.scale, (y - p.y) / p.scale)) hit++;
          }
        cov[i * grid * grid + row * grid + col] = hit;
        total += hit;
      }
    if (total === 0) {
      // a tiny object can fall between the samples: its centre cell then takes it all
      const col = Math.min(grid - 1, Math.max(0, Math.floor(p.x / cell)));
      const row = Math.min(grid - 1, Math.max(0, Math.floor(p.y / cell)));
      cov[i * grid * grid + row * grid + col] = 1;
      total = 1;
    }
    for (let k = 0; k < grid * grid; k++) cov[i * grid * grid + k]! /= total;
  });
  return cov;
}
