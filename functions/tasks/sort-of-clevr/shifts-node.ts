/**
 * The evaluation's input shifts (docs/task.md, "Evaluation shifts"): the same scene as a user
 * would upload it after ordinary image handling. Each shift returns the encoded bytes that go to
 * the feature function (or /v1/answer). Node-only (sharp).
 *
 * The anti-aliased and smooth renders are drawn by librsvg from an SVG of the scene, not by the
 * training renderer, so the evaluation does not only measure the training renderer's own look.
 */
import sharp from "sharp";
import { COLOUR_RGB, deriveSeed, IMAGE_SIZE, mulberry32, renderScene, type Scene } from "./generator";
import { answersPreserved, padCentred, type RgbImage } from "./augment";
import { encodeView } from "./augment-node";

export const SHIFTS = [
  "exact-png",
  "anti-aliased",
  "smooth-4x-render",
  "nearest-4x-upscale",
  "jpeg-q50",
  "jpeg-q75",
  "jpeg-q95",
  "webp-q75",
  "letterbox-135x75",
  "letterbox-75x135",
  "noise-blur",
] as const;
export type Shift = (typeof SHIFTS)[number];

export const SHIFT_NOTES: Record<Shift, string> = {
  "exact-png": "the generator's pixels, 75x75 PNG",
  "anti-aliased": "librsvg (SVG) render at 75x75, anti-aliased edges, sizes jittered +-0.5 px, sub-pixel centres (+-0.3 px where no answer changes)",
  "smooth-4x-render": "librsvg render at 300x300, PNG; the service downscales it",
  "nearest-4x-upscale": "the exact 75x75 render upscaled 4x with nearest neighbour, 300x300 PNG",
  "jpeg-q50": "the exact render as JPEG quality 50 (4:2:0)",
  "jpeg-q75": "the exact render as JPEG quality 75 (4:2:0)",
  "jpeg-q95": "the exact render as JPEG quality 95 (4:2:0)",
  "webp-q75": "the exact render as WebP quality 75",
  "letterbox-135x75": "the exact render with 30 px of white on each side (135x75 PNG); the service letterboxes it back to a square",
  "letterbox-75x135": "the exact render with 30 px of white above and below (75x135 PNG)",
  "noise-blur": "the exact render blurred (Gaussian sigma 0.6 px, sharp) plus Gaussian noise sigma 4 (per channel), PNG",
};

function rgb(c: readonly number[]): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** The scene as SVG at `size` px, sizes and centres jittered per object from the seeded stream. */
export function sceneSvg(scene: Scene, size: number, jitter: boolean): string {
  const r = mulberry32(deriveSeed(scene.seed, scene.index, 900 + size));
  const k = size / IMAGE_SIZE;
  const offsets = scene.objects.map(() => [(r() - 0.5) * 0.6, (r() - 0.5) * 0.6] as [number, number]);
  const useOffsets = jitter && answersPreserved(scene, offsets);
  const shapes = scene.objects.map((o, i) => {
    const grow = jitter ? (r() - 0.5) * 1.0 : 0; // +-0.5 px on the radius / half side
    const cx = (o.cx + (useOffsets ? offsets[i]![0] : 0)) * k;
    const cy = (o.cy + (useOffsets ? offsets[i]![1] : 0)) * k;
    const half = (5 + grow) * k;
    const fill = rgb(COLOUR_RGB[o.colour]);
    return o.shape === "circle"
      ? `<circle cx="${cx.toFixed(3)}" cy="${cy.toFixed(3)}" r="${half.toFixed(3)}" fill="${fill}"/>`
      : `<rect x="${(cx - half).toFixed(3)}" y="${(cy - half).toFixed(3)}" width="${(2 * half).toFixed(3)}" height="${(2 * half).toFixed(3)}" fill="${fill}"/>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}"><rect width="${size}" height="${size}" fill="white"/>${shapes.join("")}</svg>`;
}

async function svgPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).flatten({ background: "#ffffff" }).removeAlpha().png().toBuffer();
}

function exact(scene: Scene): RgbImage {
  return { width: IMAGE_SIZE, height: IMAGE_SIZE, data: renderScene(scene) };
}

function nearest4x(img: RgbImage): RgbImage {
  const f = 4;
  const w = img.width * f;
  const out = new Uint8Array(w * img.height * f * 3);
  for (let y = 0; y < img.height * f; y++)
    for (let x = 0; x < w; x++) out.set(img.data.subarray(((Math.floor(y / f) * img.width + Math.floor(x / f)) * 3), ((Math.floor(y / f) * img.width + Math.floor(x / f)) * 3) + 3), (y * w + x) * 3);
  return { width: w, height: img.height * f, data: out };
}

async function noiseBlur(scene: Scene): Promise<Buffer> {
  const img = exact(scene);
  const blurred = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).blur(0.6).raw().toBuffer();
  const r = mulberry32(deriveSeed(scene.seed, scene.index, 950));
  const out = new Uint8Array(blurred.length);
  for (let i = 0; i < blurred.length; i++) {
    const g = Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
    out[i] = Math.max(0, Math.min(255, Math.round(blurred[i]! + 4 * g)));
  }
  return encodeView({ width: img.width, height: img.height, data: out }, { kind: "png" });
}

/** Encoded bytes of `scene` under `shift`. Deterministic per (scene, shift). */
export async function renderShift(scene: Scene, shift: Shift): Promise<Buffer> {
  switch (shift) {
    case "exact-png":
      return encodeView(exact(scene), { kind: "png" });
    case "anti-aliased":
      return svgPng(sceneSvg(scene, IMAGE_SIZE, true));
    case "smooth-4x-render":
      return svgPng(sceneSvg(scene, 4 * IMAGE_SIZE, false));
    case "nearest-4x-upscale":
      return encodeView(nearest4x(exact(scene)), { kind: "png" });
    case "jpeg-q50":
      return encodeView(exact(scene), { kind: "jpeg", quality: 50, chroma: "4:2:0" });
    case "jpeg-q75":
      return encodeView(exact(scene), { kind: "jpeg", quality: 75, chroma: "4:2:0" });
    case "jpeg-q95":
      return encodeView(exact(scene), { kind: "jpeg", quality: 95, chroma: "4:2:0" });
    case "webp-q75":
      return encodeView(exact(scene), { kind: "webp", quality: 75 });
    case "letterbox-135x75":
      return encodeView(padCentred(exact(scene), 135, 75, [255, 255, 255]), { kind: "png" });
    case "letterbox-75x135":
      return encodeView(padCentred(exact(scene), 75, 135, [255, 255, 255]), { kind: "png" });
    case "noise-blur":
      return noiseBlur(scene);
  }
}
