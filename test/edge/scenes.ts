// Fresh Sort-of-CLEVR scenes as PNG bytes for tests inside workerd.
import { generateScene, questionsFor, renderScene, type QuestionRecord } from "../../scripts/dataset/sort-of-clevr";
import { encodePngWeb, toBase64 } from "../support/png-web";

export interface TestScene {
  readonly png: Uint8Array;
  readonly base64: string;
  readonly questions: readonly QuestionRecord[];
}

/** Seed 777 is used by no training or evaluation split. */
export async function scene(index: number, seed = 777): Promise<TestScene> {
  const s = generateScene(seed, index);
  const png = await encodePngWeb(renderScene(s), 75, 75);
  return { png, base64: toBase64(png), questions: questionsFor(s) };
}

export async function setFault(mode: string): Promise<{ mode: string; received: number; forwarded: number }> {
  const { env } = await import("cloudflare:workers");
  const res = await fetch(`${env.IMAGE_FEATURES_URL}/_fault`, { method: "POST", body: JSON.stringify({ mode }) });
  return res.json();
}

export async function faultCounts(): Promise<{ mode: string; received: number; forwarded: number }> {
  const { env } = await import("cloudflare:workers");
  return (await fetch(`${env.IMAGE_FEATURES_URL}/_fault`)).json();
}
