/** Paths of the text model the Worker bundles, for Node-side references (benchmarks, evaluation). */
import { existsSync } from "node:fs";

export interface TextModelPaths {
  readonly tokenizer: string;
  readonly tokenizerConfig?: string;
  readonly onnx: string;
}

export function bundledTextModelPaths(): TextModelPaths {
  const dir = "test/fixtures/tiny-bert";
  if (!existsSync(`${dir}/tokenizer.json`)) throw new Error(`missing ${dir}`);
  return { tokenizer: `${dir}/tokenizer.json`, tokenizerConfig: `${dir}/tokenizer_config.json`, onnx: `${dir}/onnx/model_quantized.onnx` };
}
