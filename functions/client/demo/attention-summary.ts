/**
 * Reads an attention map as a person would: which grid cell got the most weight, where that cell
 * sits in the original image (undoing the letterbox the feature function applies to non-square
 * images), and, for a known scene, which object is nearest. Pure, so the browser test can check
 * the page's sentence against the API's own weights.
 */
import type { SceneObject } from "../../tasks/sort-of-clevr/generator";
import type { AttentionMap } from "./api-extras";

export interface Peak {
  readonly row: number;
  readonly col: number;
  readonly weight: number;
  /** Share of the total weight on the peak cell (weights normally sum to 1). */
  readonly share: number;
}

export function peakCell(map: AttentionMap): Peak {
  let best = 0;
  let total = 0;
  map.weights.forEach((w, i) => {
    total += w;
    if (w > map.weights[best]!) best = i;
  });
  const weight = map.weights[best] ?? 0;
  return { row: Math.floor(best / map.cols), col: best % map.cols, weight, share: total > 0 ? weight / total : 0 };
}

/**
 * Centre of cell (row, col) in the pixels of an image of `width`×`height`: the grid covers the
 * square letterbox (side = the longer edge, image centred), so the offset of the shorter edge is
 * removed. Rounded to whole pixels.
 */
export function cellCentre(map: AttentionMap, row: number, col: number, width: number, height: number): { x: number; y: number } {
  const side = Math.max(width, height);
  const x = ((col + 0.5) / map.cols) * side - (side - width) / 2;
  const y = ((row + 0.5) / map.rows) * side - (side - height) / 2;
  return { x: Math.round(x), y: Math.round(y) };
}

/** The scene object whose centre is closest to (x, y), in scene pixels. */
export function nearestObject(objects: readonly SceneObject[], x: number, y: number): SceneObject | undefined {
  let best: SceneObject | undefined;
  let bestD = Infinity;
  for (const o of objects) {
    const d = (o.cx - x) ** 2 + (o.cy - y) ** 2; // cx, cy are the continuous centre (generator.ts)
    if (d < bestD) [best, bestD] = [o, d];
  }
  return best;
}

/** "looked mostly at the cell around (x, y), near the red circle (31% of its attention)". */
export function describeAttention(map: AttentionMap, width: number, height: number, objects?: readonly SceneObject[]): string {
  const peak = peakCell(map);
  const { x, y } = cellCentre(map, peak.row, peak.col, width, height);
  const near = objects ? nearestObject(objects, x, y) : undefined;
  const where = near ? `, near the ${near.colour} ${near.shape}` : "";
  return `looked mostly at the cell around (${x}, ${y})${where} (${(peak.share * 100).toFixed(0)}% of its attention)`;
}
