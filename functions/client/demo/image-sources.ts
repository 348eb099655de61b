/**
 * Where the page's image comes from: a bundled sample (public/samples), an upload, or a scene drawn
 * in the browser. Each gives the bytes to send and, when known, the scene for true answers, plus
 * what to put in a shareable link (uploads cannot be shared).
 */
import type { Scene, SceneObject } from "../../tasks/sort-of-clevr/generator";
import { randomSceneSeed, sceneFromSeed, scenePng } from "./scene-png";

export interface PickedImage {
  readonly blob: Blob;
  readonly caption: string;
  /** Describes the image for screen readers. */
  readonly alt: string;
  readonly scene?: Scene;
  /** Link parameters that reproduce this image; undefined for uploads. */
  readonly link?: { readonly sample?: string; readonly seed?: string };
}

/** public/samples/samples.json, written from `scripts/dataset/cli.ts --png` output (docs/client.md). */
export interface SamplesFile {
  readonly seed: number;
  readonly samples: readonly { readonly file: string; readonly index: number; readonly objects: SceneObject[]; readonly questions: readonly { question: string; answer: string }[] }[];
}

export async function loadSamples(): Promise<SamplesFile> {
  const res = await fetch("/samples/samples.json");
  if (!res.ok) throw new Error(`samples.json: HTTP ${res.status}`);
  return (await res.json()) as SamplesFile;
}

export function describeScene(objects: readonly SceneObject[]): string {
  return `Scene with ${objects.map((o) => `a ${o.colour} ${o.shape}`).join(", ")}`;
}

export async function sampleImage(file: SamplesFile, i: number): Promise<PickedImage> {
  const s = file.samples[i];
  if (!s) throw new Error(`no sample ${i + 1}`);
  const res = await fetch(`/samples/${s.file}`);
  if (!res.ok) throw new Error(`${s.file}: HTTP ${res.status}`);
  const scene = { seed: file.seed, index: s.index, objects: s.objects };
  return { blob: await res.blob(), caption: `Sample ${i + 1} (seed ${file.seed}, scene ${s.index})`, alt: describeScene(s.objects), scene, link: { sample: String(i + 1) } };
}

export function uploadedImage(file: File): PickedImage {
  return { blob: file, caption: `Uploaded: ${file.name} (${file.size} bytes)`, alt: `Uploaded image ${file.name}` };
}

/** A scene drawn here with the project's generator: from a shared link's seed, or a fresh one. */
export async function drawnImage(seed: number = randomSceneSeed()): Promise<PickedImage> {
  const scene = sceneFromSeed(seed);
  return { blob: await scenePng(scene), caption: `Drawn here: seed ${scene.seed}, scene ${scene.index}`, alt: describeScene(scene.objects), scene, link: { seed: String(seed) } };
}
