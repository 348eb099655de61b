/**
 * Head files bundled into the Worker script, by suite: every head of the default suite, so neither
 * its first /v1/answer nor the first use of another fusion needs a static-asset read (under `wrangler
 * dev` a local ASSETS read costs about 15 ms plus 0.2 ms per KB of CPU; docs/ort-in-workerd.md). The
 * heads carry int8 weights (scripts/quantize/quantize-heads.ts), about 0.9 MB for all six. Other
 * suites' heads are read from the assets. index.ts hands these to models/suites.ts (serveFromScript),
 * which still checks them against the manifest's sha256 when read, so a stale bundle fails loudly; a
 * workerd test checks that this is exactly the manifest's head list. (Kept out of suites.ts so that
 * Node-side tests importing it never import an .onnx module.) npm run build reports the bundle size.
 */
import socAttention from "../../../models/sort-of-clevr/heads/attention.onnx";
import socBilinear from "../../../models/sort-of-clevr/heads/bilinear.onnx";
import socConcat from "../../../models/sort-of-clevr/heads/concat.onnx";
import socProduct from "../../../models/sort-of-clevr/heads/product.onnx";
import socSum from "../../../models/sort-of-clevr/heads/sum.onnx";
import socTextOnly from "../../../models/sort-of-clevr/heads/text-only.onnx";

export const BUNDLED_HEAD_FILES: Readonly<Record<string, Readonly<Record<string, ArrayBuffer>>>> = {
  "sort-of-clevr": {
    "heads/attention.onnx": socAttention,
    "heads/bilinear.onnx": socBilinear,
    "heads/concat.onnx": socConcat,
    "heads/product.onnx": socProduct,
    "heads/sum.onnx": socSum,
    "heads/text-only.onnx": socTextOnly,
  },
};
