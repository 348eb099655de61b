/** Paths of the suite's text model (what the Worker serves), for Node-side references such as benchmarks. */
import { readSuiteManifest } from "../../functions/suites/node";

export interface TextModelPaths {
  readonly tokenizer: string;
  readonly tokenizerConfig?: string;
  readonly onnx: string;
}

export function bundledTextModelPaths(dir = "models/sort-of-clevr", modality = "question"): TextModelPaths {
  const manifest = readSuiteManifest(dir);
  const enc = manifest.modalities.find((m) => m.name === modality)?.encoder;
  if (enc?.runs !== "edge" || !enc.tokenizer) throw new Error(`${dir}: modality ${modality} has no edge text encoder`);
  return { tokenizer: `${dir}/${enc.tokenizer.file}`, onnx: `${dir}/${enc.file}` };
}
