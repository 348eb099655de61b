/**
 * Where the page's image comes from: a bundled sample (public/samples), an upload, or a scene drawn
 * in the browser. Each gives the bytes to send and, when known, the scene for true answers.
 */
import type { Scene, SceneObject } from "../../../scripts/dataset/sort-of-clevr";
import { randomScene, scenePng } from "./scene-png";

export interface PickedImage {
  readonly blob: Blob;
  readonly caption: string;
  readonly scene?: Scene;
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

export async function sampleImage(file: SamplesFile, i: number): Promise<PickedImage> {
  const s = file.samples[i];
  if (!s) throw new Error(`no sample ${i}`);
  const res = await fetch(`/samples/${s.file}`);
  if (!res.ok) throw new Error(`${s.file}: HTTP ${res.status}`);
  return { blob: await res.blob(), caption: `Sample ${i + 1} (seed ${file.seed}, scene ${s.index})`, scene: { seed: file.seed, index: s.index, objects: s.objects } };
}

export function uploadedImage(file: File): PickedImage {
  return { blob: file, caption: `Uploaded: ${file.name} (${file.size} bytes)` };
}

export async function drawnImage(): Promise<PickedImage> {
  const scene = randomScene();
  return { blob: await scenePng(scene), caption: `Drawn here: seed ${scene.seed}, scene ${scene.index}`, scene };
}
