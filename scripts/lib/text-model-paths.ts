/** Paths of the suite's text model (what the Worker serves), for Node-side references such as benchmarks. */
import { readFileSync } from "node:fs";

export interface TextModelPaths {
  readonly tokenizer: string;
  readonly tokenizerConfig?: string;
  readonly onnx: string;
}

export function bundledTextModelPaths(dir = "models"): TextModelPaths {
  const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, "utf8")) as { tokenizer: { file: string }; text: { file: string } };
  return { tokenizer: `${dir}/${manifest.tokenizer.file}`, onnx: `${dir}/${manifest.text.file}` };
}
