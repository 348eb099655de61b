// The tiny three-modality fixture suite's files (test/fixtures/tiny-suite, made by
// `npm run fixtures:tiny-suite`), as workerd tests register it: JSON files as their exact bytes,
// since the suite checks every file's sha256.
import config from "../fixtures/tiny-suite/models/tiny-suite/caption/config.json?raw";
import captionModel from "../fixtures/tiny-suite/models/tiny-suite/caption/model_quantized.onnx";
import tokenizer from "../fixtures/tiny-suite/models/tiny-suite/caption/tokenizer.json?raw";
import tokenizerConfig from "../fixtures/tiny-suite/models/tiny-suite/caption/tokenizer_config.json?raw";
import attention from "../fixtures/tiny-suite/models/tiny-suite/heads/attention.onnx";
import bilinear from "../fixtures/tiny-suite/models/tiny-suite/heads/bilinear.onnx";
import concat from "../fixtures/tiny-suite/models/tiny-suite/heads/concat.onnx";
import gated from "../fixtures/tiny-suite/models/tiny-suite/heads/gated.onnx";
import lmf from "../fixtures/tiny-suite/models/tiny-suite/heads/lmf.onnx";
import product from "../fixtures/tiny-suite/models/tiny-suite/heads/product.onnx";
import sum from "../fixtures/tiny-suite/models/tiny-suite/heads/sum.onnx";
import tensor from "../fixtures/tiny-suite/models/tiny-suite/heads/tensor.onnx";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** The edge text encoder's files (caption/…). */
export const TINY_SUITE_CAPTION_FILES: Readonly<Record<string, ArrayBuffer | Uint8Array>> = {
  "caption/model_quantized.onnx": captionModel,
  "caption/tokenizer.json": utf8(tokenizer),
  "caption/tokenizer_config.json": utf8(tokenizerConfig),
  "caption/config.json": utf8(config),
};

/** The eight fusion heads (heads/…). */
export const TINY_SUITE_HEAD_FILES: Readonly<Record<string, ArrayBuffer>> = {
  "heads/attention.onnx": attention,
  "heads/bilinear.onnx": bilinear,
  "heads/concat.onnx": concat,
  "heads/gated.onnx": gated,
  "heads/lmf.onnx": lmf,
  "heads/product.onnx": product,
  "heads/sum.onnx": sum,
  "heads/tensor.onnx": tensor,
};
