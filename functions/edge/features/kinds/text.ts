/** Text modalities: a string per row, checked for emptiness and the suite's character limit (tokens are checked by the encoder). */
import { AppError } from "../../errors";
import type { ModalityKindModule } from "./kind";

export const textKind: ModalityKindModule = {
  kind: "text",
  fromJson(value, mod, where) {
    if (typeof value !== "string") throw new AppError(400, "invalid_input", `${where} must be a string (${mod.kind})`, { modality: mod.name });
    if (value.trim() === "") throw new AppError(400, "empty_input", `${where} is empty`, { modality: mod.name });
    if (mod.kind === "text" && value.length > mod.limits.maxChars) throw new AppError(413, "input_too_large", `${where} is over ${mod.limits.maxChars} characters`, { modality: mod.name });
    return { form: "text", texts: [value] };
  },
  async fromPart(part, mod, where) {
    return this.fromJson(typeof part === "string" ? part : await part.text(), mod, where);
  },
  checkBytes(_bytes, mod, where) {
    throw new AppError(400, "invalid_input", `${where} must be text`, { modality: mod.name });
  },
  async fetchUrl(_url, _policy, where) {
    throw new AppError(400, "invalid_input", `${where} must be text, not a URL`);
  },
};
