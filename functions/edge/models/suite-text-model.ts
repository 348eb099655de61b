/** The suite's text encoder (int8) and tokenizer, read from the Worker's assets and verified. */
import { textModelFromManifest, type TextModelFiles } from "../inference/text-model";
import { assetFiles, verifiedFiles } from "./asset-files";
import { manifest, SUITE_ASSET_PREFIX } from "./manifest";

export function suiteTextModel(assets: Fetcher): Promise<TextModelFiles> {
  const read = verifiedFiles(assetFiles(assets, SUITE_ASSET_PREFIX), [manifest.tokenizer, manifest.text]);
  return textModelFromManifest(manifest, read);
}
