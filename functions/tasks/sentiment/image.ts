/** A plain RGB image (row-major, 3 bytes a pixel) and small pixel helpers shared by the renderers. */
export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, [y][x][r, g, b] */
  data: Uint8Array;
}

export type Rgb = readonly [number, number, number];

export function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
