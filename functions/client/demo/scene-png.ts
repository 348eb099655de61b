/**
 * Draws a Sort-of-CLEVR scene in the browser with the project's own generator and encodes it as PNG
 * through a canvas, so the image the edge sees is pixel-identical to a generated dataset image.
 */
import { generateScene, IMAGE_SIZE, renderScene, type Scene } from "../../tasks/sort-of-clevr/generator";
import { rgbPng } from "./canvas-png";

export function scenePng(scene: Scene): Promise<Blob> {
  return rgbPng(renderScene(scene), IMAGE_SIZE, IMAGE_SIZE);
}

/** A seed outside the training seeds' neighbourhood. */
export function randomSceneSeed(): number {
  return 100_000 + (crypto.getRandomValues(new Uint32Array(1))[0]! % 900_000);
}

/** Scene 0 of a seed's stream: what a link's `seed=` parameter reproduces. */
export function sceneFromSeed(seed: number): Scene {
  return generateScene(seed, 0);
}
