/**
 * A drawn face whose mouth curvature, brows and eyes follow a valence (-3.5..3.5), with nuisance
 * parameters (position, size, roll, colours, line width) and the unreadable conditions (turned
 * away, covered, dark). Rendered with analytic anti-aliasing: each shape's signed distance in
 * pixels gives its coverage, clamp(0.5 - d, 0, 1). Pure TypeScript (no DOM, no Node).
 */
import type { Rgb, RgbImage } from "./image";
import { clampByte } from "./image";

export interface FaceParams {
  /** canvas size in pixels (16..1024) */
  width: number;
  height: number;
  /** expression: -3.5 (very negative) .. 3.5 (very positive); 0 is a neutral face */
  valence: number;
  /** face centre as a fraction of the canvas (0..1) */
  cx: number;
  cy: number;
  /** face height as a fraction of min(width, height) (0.3..0.95) */
  size: number;
  /** head roll in radians (-0.4..0.4) */
  roll: number;
  skin: Rgb;
  hair: Rgb;
  /** colour of the drawn features (eyes, brows, mouth) */
  ink: Rgb;
  background: Rgb;
  /** stroke width of brows and mouth as a fraction of the face height (0.015..0.06) */
  lineWidth: number;
  /** "away": the back of the head, no features visible */
  pose: "frontal" | "away";
  /** a mask over the mouth and dark glasses over the eyes and brows */
  covered: boolean;
  /** overall light, 1 = normal, down to 0.05 (a face in the dark) */
  light: number;
}

/** Default nuisance values: a centred face on a light background. */
export const DEFAULT_FACE: FaceParams = {
  width: 128,
  height: 128,
  valence: 0,
  cx: 0.5,
  cy: 0.5,
  size: 0.8,
  roll: 0,
  skin: [236, 198, 160],
  hair: [70, 50, 35],
  ink: [40, 30, 30],
  background: [225, 230, 240],
  lineWidth: 0.035,
  pose: "frontal",
  covered: false,
  light: 1,
};

/** A face with the given valence and the default (or overridden) nuisance parameters. */
export function faceFromValence(valence: number, overrides: Partial<FaceParams> = {}): FaceParams {
  return { ...DEFAULT_FACE, ...overrides, valence };
}

/** Signed distance (in face units) to an ellipse; approximate but exact on the axes. */
function ellipseDistance(x: number, y: number, ex: number, ey: number, rx: number, ry: number): number {
  const dx = (x - ex) / rx;
  const dy = (y - ey) / ry;
  return (Math.sqrt(dx * dx + dy * dy) - 1) * Math.min(rx, ry);
}

function segmentDistance(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax;
  const vy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy || 1)));
  const px = ax + t * vx - x;
  const py = ay + t * vy - y;
  return Math.sqrt(px * px + py * py);
}

function polylineDistance(x: number, y: number, pts: readonly number[]): number {
  let d = Infinity;
  for (let i = 0; i + 3 < pts.length; i += 2) {
    d = Math.min(d, segmentDistance(x, y, pts[i]!, pts[i + 1]!, pts[i + 2]!, pts[i + 3]!));
  }
  return d;
}

function roundedBoxDistance(x: number, y: number, cx: number, cy: number, hw: number, hh: number, r: number): number {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.sqrt(Math.max(qx, 0) ** 2 + Math.max(qy, 0) ** 2) + Math.min(Math.max(qx, qy), 0) - r;
}

interface Layer {
  colour: Rgb;
  /** bounding box in face units (outside it the layer has no coverage) */
  box: readonly [number, number, number, number];
  /** signed distance in face units; negative inside */
  distance: (x: number, y: number) => number;
}

function ellipse(colour: Rgb, ex: number, ey: number, rx: number, ry: number): Layer {
  return { colour, box: [ex - rx, ey - ry, ex + rx, ey + ry], distance: (x, y) => ellipseDistance(x, y, ex, ey, rx, ry) };
}

/** A stroke along a polyline [x0, y0, x1, y1, ...] of the given width. */
function stroke(colour: Rgb, pts: readonly number[], width: number): Layer {
  const xs = pts.filter((_, i) => i % 2 === 0);
  const ys = pts.filter((_, i) => i % 2 === 1);
  const h = width / 2;
  return {
    colour,
    box: [Math.min(...xs) - h, Math.min(...ys) - h, Math.max(...xs) + h, Math.max(...ys) + h],
    distance: (x, y) => polylineDistance(x, y, pts) - h,
  };
}

function roundedBox(colour: Rgb, cx: number, cy: number, hw: number, hh: number, r: number): Layer {
  return { colour, box: [cx - hw, cy - hh, cx + hw, cy + hh], distance: (x, y) => roundedBoxDistance(x, y, cx, cy, hw, hh, r) };
}

/**
 * The geometry in face units: origin at the face centre, y down, the head spans y in [-1, 1].
 * valence v moves: mouth sagitta (smile/frown), mouth width, brow height and tilt (inner ends
 * down when negative: a frown), eye openness.
 */
function layers(p: FaceParams): Layer[] {
  const v = Math.max(-3.5, Math.min(3.5, p.valence));
  const lw = Math.max(0.01, p.lineWidth) * 2; // face units: the face is 2 units high
  const out: Layer[] = [ellipse(p.hair, 0, -0.12, 0.86, 0.95)];
  if (p.pose === "away") {
    out.push(ellipse(p.skin, -0.8, 0.05, 0.1, 0.2), ellipse(p.skin, 0.8, 0.05, 0.1, 0.2), ellipse(p.hair, 0, 0, 0.78, 1.0));
    return out;
  }
  out.push(ellipse(p.skin, 0, 0.05, 0.75, 0.95));
  const eyeRy = Math.max(0.02, 0.075 + 0.012 * v);
  for (const side of [-1, 1]) {
    out.push(ellipse([250, 250, 250], side * 0.3, -0.15, 0.13, eyeRy));
    out.push(ellipse(p.ink, side * 0.3, -0.15, 0.05, Math.min(0.05, eyeRy)));
    const base = -0.4 - 0.025 * v; // brows rise with valence
    const innerY = base + 0.05 * Math.max(0, -v); // inner ends drop when v < 0: a frown
    out.push(stroke(p.ink, [side * 0.12, innerY, side * 0.45, base + 0.02], lw));
  }
  out.push(stroke(p.ink, [0, -0.05, 0.04, 0.17], (lw * 2) / 3));
  const halfWidth = 0.3 + 0.02 * v;
  const sagitta = 0.055 * v;
  const mouth: number[] = [];
  for (let i = 0; i <= 12; i++) {
    const t = -1 + (2 * i) / 12;
    mouth.push(t * halfWidth, 0.5 + sagitta * (1 - t * t) - sagitta * 0.5);
  }
  out.push(stroke(p.ink, mouth, lw));
  if (p.covered) {
    out.push(roundedBox([200, 215, 230], 0, 0.55, 0.62, 0.38, 0.15));
    out.push(roundedBox([20, 20, 25], 0, -0.24, 0.68, 0.26, 0.1));
  }
  return out;
}

/** Render the face to RGB bytes. */
export function renderFace(p: FaceParams): RgbImage {
  const width = Math.round(p.width);
  const height = Math.round(p.height);
  if (!(width >= 16 && width <= 1024 && height >= 16 && height <= 1024)) throw new Error("face canvas must be 16..1024 px");
  const data = new Uint8Array(width * height * 3);
  const unit = (Math.min(width, height) * p.size) / 2; // pixels per face unit
  const ox = p.cx * width;
  const oy = p.cy * height;
  const cos = Math.cos(p.roll);
  const sin = Math.sin(p.roll);
  const ls = layers(p);
  const light = Math.max(0, Math.min(1, p.light));
  const pad = 1 / unit; // one pixel of anti-aliasing margin around each box
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      // pixel centre -> face units, undoing the roll
      const dx = px + 0.5 - ox;
      const dy = py + 0.5 - oy;
      const x = (cos * dx + sin * dy) / unit;
      const y = (-sin * dx + cos * dy) / unit;
      let r = p.background[0];
      let g = p.background[1];
      let b = p.background[2];
      for (const l of ls) {
        if (x < l.box[0] - pad || x > l.box[2] + pad || y < l.box[1] - pad || y > l.box[3] + pad) continue;
        const a = Math.max(0, Math.min(1, 0.5 - l.distance(x, y) * unit));
        if (a > 0) {
          r += (l.colour[0] - r) * a;
          g += (l.colour[1] - g) * a;
          b += (l.colour[2] - b) * a;
        }
      }
      const o = (py * width + px) * 3;
      data[o] = clampByte(r * light);
      data[o + 1] = clampByte(g * light);
      data[o + 2] = clampByte(b * light);
    }
  }
  return { width, height, data };
}
