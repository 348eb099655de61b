/** RGB bytes (row-major, 3 a pixel) → a canvas → PNG bytes, so the edge sees exactly these pixels. */
export function paintRgb(canvas: HTMLCanvasElement, rgb: Uint8Array, width: number, height: number): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("this browser has no 2D canvas");
  const img = ctx.createImageData(width, height);
  for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) {
    img.data[q] = rgb[p]!;
    img.data[q + 1] = rgb[p + 1]!;
    img.data[q + 2] = rgb[p + 2]!;
    img.data[q + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

export function canvasPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("canvas.toBlob failed"))), "image/png"));
}

export function rgbPng(rgb: Uint8Array, width: number, height: number): Promise<Blob> {
  const canvas = document.createElement("canvas");
  paintRgb(canvas, rgb, width, height);
  return canvasPng(canvas);
}
