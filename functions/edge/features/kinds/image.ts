/** Image modalities: PNG, JPEG or WebP bytes (base64, file part or URL), within the suite's byte limit. */
import { AppError } from "../../errors";
import { fetchImageUrl } from "../../clients/image-url";
import { sniffImageFormat } from "../../validation/image-bytes";
import { binaryFromJson, binaryFromPart } from "./binary-input";
import type { ModalityKindModule } from "./kind";

export const imageKind: ModalityKindModule = {
  kind: "image",
  fromJson: binaryFromJson,
  fromPart: binaryFromPart,
  checkBytes(bytes, mod, where) {
    if (bytes.byteLength === 0) throw new AppError(400, "empty_image", `${where} is empty`, { modality: mod.name });
    if (mod.kind === "image" && bytes.byteLength > mod.limits.maxBytes) throw new AppError(413, "image_too_large", `${where} is over ${mod.limits.maxBytes} bytes`, { modality: mod.name });
    if (!sniffImageFormat(bytes)) throw new AppError(415, "unsupported_image_type", `${where} must be PNG, JPEG or WebP`, { modality: mod.name });
  },
  fetchUrl(url, policy) {
    return fetchImageUrl(url, { allowPrivate: policy.allowPrivate, timeoutMs: policy.timeoutMs, maxRedirects: 3 });
  },
};
