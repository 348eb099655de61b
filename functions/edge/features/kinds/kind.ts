/**
 * What each modality kind contributes to the edge: how an input arrives (JSON value or multipart
 * part) and the cheap checks made before any model runs or any byte leaves the edge. Adding a kind
 * means one module next to this one (and one preprocessing module in the feature function), plus
 * its line in index.ts; the pipeline does not change.
 */
import type { Modality, ModalityKind } from "../../../suites/manifest";

export type ModalityInput =
  /** Text kinds: one text per row (/v1/answer/batch sends several questions about one image). */
  | { readonly form: "text"; readonly texts: readonly string[] }
  | { readonly form: "bytes"; readonly bytes: Uint8Array }
  | { readonly form: "url"; readonly url: string };

export interface ModalityKindModule {
  readonly kind: ModalityKind;
  /** `inputs.<name>` of a JSON request; 400 on the wrong form. */
  fromJson(value: unknown, mod: Modality, where: string): ModalityInput;
  /** The multipart part named after the modality (a file or a text field). */
  fromPart(part: File | string, mod: Modality, where: string): Promise<ModalityInput>;
  /** Size and format checks on bytes (after a URL fetch too): stable 4xx codes. */
  checkBytes(bytes: Uint8Array, mod: Modality, where: string): void;
  /** Fetches a URL input, or refuses URLs for this kind (400). */
  fetchUrl(url: string, policy: UrlPolicy, where: string): Promise<Uint8Array>;
}

export interface UrlPolicy {
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
}

/** Largest byte input of a modality, for body caps. */
export function maxInputBytes(mod: Modality): number {
  return mod.kind === "text" ? mod.limits.maxChars * 4 : mod.limits.maxBytes;
}
