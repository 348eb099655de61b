/**
 * Head files bundled into the Worker script, by suite: only the default suite's default head, so the
 * first /v1/answer of an isolate needs no static-asset read for it (under `wrangler dev` a local
 * ASSETS read of this 0.8 MB file costs 100-230 ms of CPU; docs/ort-in-workerd.md). Every other head
 * is read from the assets. index.ts hands these to models/suites.ts (serveFromScript), which still
 * checks them against the manifest's sha256 when read, so a stale bundle fails loudly; a workerd
 * test checks that this is the manifest's default head. (Kept out of suites.ts so that Node-side
 * tests importing it never import an .onnx module.)
 * It costs about 0.73 MiB of the 5 MiB gzipped bundle budget (npm run build reports it).
 */
import socAttention from "../../../models/sort-of-clevr/heads/attention.onnx";

export const BUNDLED_HEAD_FILES: Readonly<Record<string, Readonly<Record<string, ArrayBuffer>>>> = {
  "sort-of-clevr": { "heads/attention.onnx": socAttention },
};
