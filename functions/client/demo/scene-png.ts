/**
 * Draws a Sort-of-CLEVR scene in the browser with the project's own generator and encodes it as PNG
 * through a canvas, so the image the edge sees is pixel-identical to a generated dataset image.
 */
import { generateScene, IMAGE_SIZE, renderScene, type Scene } from "../../tasks/sort-of-clevr/generator";

export async function scenePng(scene: Scene): Promise<Blob> {
  const rgb = renderScene(scene);
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = IMAGE_SIZE;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("this browser has no 2D canvas");
  const img = ctx.createImageData(IMAGE_SIZE, IMAGE_SIZE);
  for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) {
    img.data[q] = rgb[p]!;
    img.data[q + 1] = rgb[p + 1]!;
    img.data[q + 2] = rgb[p + 2]!;
    img.data[q + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("canvas.toBlob failed"))), "image/png"));
}

/** A seed outside the training seeds' neighbourhood. */
export function randomSceneSeed(): number {
  return 100_000 + (crypto.getRandomValues(new Uint32Array(1))[0]! % 900_000);
}

/** Scene 0 of a seed's stream: what a link's `seed=` parameter reproduces. */
export function sceneFromSeed(seed: number): Scene {
  return generateScene(seed, 0);
}
