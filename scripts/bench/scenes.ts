/** Fresh Sort-of-CLEVR scenes as base64 PNGs, for benchmarks and the HTTP-path evaluation. */
import { encodePng } from "../dataset/png";
import { generateScene, questionsFor, renderScene, type QuestionRecord } from "../dataset/sort-of-clevr";

export interface SceneSample {
  readonly base64: string;
  readonly questions: readonly QuestionRecord[];
}

export function sceneSample(seed: number, index: number): SceneSample {
  const scene = generateScene(seed, index);
  return { base64: encodePng(renderScene(scene)).toString("base64"), questions: questionsFor(scene) };
}
