/**
 * The text model bundled with the Worker. Until the trained suite is in models/, this is the tiny
 * BERT-shaped fixture in the transformers.js folder layout.
 */
import tokenizerJson from "../../../test/fixtures/tiny-bert/tokenizer.json";
import tokenizerConfig from "../../../test/fixtures/tiny-bert/tokenizer_config.json";
import config from "../../../test/fixtures/tiny-bert/config.json";
import model from "../../../test/fixtures/tiny-bert/onnx/model_quantized.onnx";
import { textModelFromTransformersJsFolder, type TextModelFiles } from "../inference/text-model";
import { bundledFiles } from "./bundled-files";

export function defaultTextModel(): Promise<TextModelFiles> {
  const read = bundledFiles({
    "tokenizer.json": tokenizerJson,
    "tokenizer_config.json": tokenizerConfig,
    "config.json": config,
    "onnx/model_quantized.onnx": model,
  });
  return textModelFromTransformersJsFolder(read, { id: "tiny-bert-fixture", version: "1" });
}
