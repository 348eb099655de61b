/** The modality kinds the edge knows, by name (one module each). */
import type { ModalityKind } from "../../../suites/manifest";
import { audioKind } from "./audio";
import { imageKind } from "./image";
import type { ModalityKindModule } from "./kind";
import { textKind } from "./text";

export const MODALITY_KIND_MODULES: Readonly<Record<ModalityKind, ModalityKindModule>> = { text: textKind, image: imageKind, audio: audioKind };
export type { ModalityInput, ModalityKindModule, UrlPolicy } from "./kind";
