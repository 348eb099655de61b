/**
 * What a preprocessing module is: one per modality kind (image.ts, audio.ts), registered in
 * index.ts. It turns one encoded item (the bytes of one BYTES element) into the model's
 * per-item input tensor, or throws a ProtocolError with a stable code.
 */
import type { Parameters } from "../protocol.js";

export interface ItemPreprocessor {
  /** Floats per item (the product of the input shape without the batch dimension). */
  readonly itemSize: number;
  /** Decode item `index` of a request into `out` (itemSize floats). */
  prepare(bytes: Buffer, index: number, out: Float32Array): Promise<void>;
  /** Scalars for /v2/models/{name} metadata parameters. */
  describe(): Parameters;
}

export interface PreprocessLimits {
  /** Decoded pixel limit of one image (width * height), checked from the header. */
  maxPixels: number;
}
