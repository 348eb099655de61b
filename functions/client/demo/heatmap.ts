/**
 * Draws an attention map as a small translucent image (one pixel per grid cell; the browser's
 * smoothing spreads it over the scene) to lay over the picture, with a colour ramp from dark
 * violet (little attention) to yellow (the most), transparent where there is almost none.
 */
import type { AttentionMap } from "./api-extras";

const RAMP: readonly (readonly [number, number, number])[] = [
  [48, 18, 110],
  [190, 40, 90],
  [250, 140, 30],
  [255, 235, 60],
];

function ramp(t: number): readonly [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [RAMP[i]!, RAMP[i + 1]!];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** A PNG data URL of the map, cells scaled so the strongest is fully coloured. */
export function heatmapDataUrl(map: AttentionMap): string {
  const canvas = document.createElement("canvas");
  canvas.width = map.cols;
  canvas.height = map.rows;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("this browser has no 2D canvas");
  const img = ctx.createImageData(map.cols, map.rows);
  const max = Math.max(...map.weights, Number.MIN_VALUE);
  map.weights.forEach((w, i) => {
    const t = w / max;
    const [r, g, b] = ramp(t);
    // Cells with little weight stay clear, so the scene shows through where the head did not look.
    img.data.set([r, g, b, Math.round(255 * 0.95 * Math.pow(t, 0.75))], i * 4);
  });
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL("image/png");
}
