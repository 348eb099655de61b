/**
 * Encoded image (PNG, JPEG, WebP) -> float32 NCHW tensor in [0, 1], RGB, x/255, 75x75: the exact
 * input the image encoder was trained on (docs/contracts.md). Uses sharp (libvips).
 *
 * Choices (docs/image-features.md):
 * - Only PNG, JPEG and WebP are accepted, by magic bytes, before sharp sees the bytes: libvips
 *   reads many more formats (SVG, TIFF, HEIF, PDF...) and we do not want that attack surface.
 * - Alpha is flattened onto white because the training images have white backgrounds.
 * - Non-75x75 images are resized with fit "contain" (aspect kept, white padding) and the lanczos3
 *   kernel: stretching would turn circles into ellipses. 75x75 images skip resizing entirely, so
 *   their pixels pass through bit-exactly.
 * - EXIF orientation is applied, as a viewer would show the photo.
 */
import sharp from "sharp";
import { ProtocolError } from "./protocol.js";

export interface PreprocessOptions {
  width: number;
  height: number;
  /** Decoded pixel limit (width * height) checked from the header, before decoding. */
  maxPixels: number;
}

export type ImageFormat = "png" | "jpeg" | "webp";

const WHITE = { r: 255, g: 255, b: 255 };

/** 256-entry table: v / 255 as float32, the same value numpy's float32 division gives. */
const SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** Keep libvips to one thread per image: we decode several images at once instead. */
export function configureSharp(): void {
  sharp.concurrency(1);
  sharp.cache(false);
}

export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  const b = (i: number) => bytes[i] ?? -1;
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47 && b(4) === 0x0d && b(5) === 0x0a && b(6) === 0x1a && b(7) === 0x0a) return "png";
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return "jpeg";
  const ascii = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString("latin1");
  if (bytes.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "webp";
  return undefined;
}

/** Map libvips/sharp failures onto stable protocol errors. */
function decodeError(err: unknown, index: number, format: ImageFormat): ProtocolError {
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) {
    return new ProtocolError(413, "image_too_large", `image ${index} exceeds the decoded pixel limit`);
  }
  return new ProtocolError(400, "corrupt_image", `image ${index} is not a valid ${format} (corrupt or truncated)`);
}

/** Decode one image into `out` (3 * height * width floats, NCHW, channel planes R, G, B). */
export async function preprocessInto(bytes: Buffer, index: number, opts: PreprocessOptions, out: Float32Array): Promise<void> {
  const format = sniffFormat(bytes);
  if (!format) throw new ProtocolError(400, "unsupported_image_format", `image ${index} is not PNG, JPEG or WebP`);
  let data: Buffer;
  let channels: number;
  try {
    // failOn "warning": libvips otherwise fills a truncated JPEG with grey and reports success.
    const input = sharp(bytes, { limitInputPixels: opts.maxPixels, failOn: "warning", autoOrient: true });
    const meta = await input.metadata();
    if (meta.format !== format) throw new Error(`format mismatch: ${meta.format}`);
    const oriented = meta.autoOrient ?? { width: meta.width, height: meta.height };
    let pipeline = input.flatten({ background: WHITE }).toColourspace("srgb");
    if (oriented.width !== opts.width || oriented.height !== opts.height) {
      pipeline = pipeline.resize(opts.width, opts.height, { fit: "contain", kernel: "lanczos3", background: WHITE });
    }
    const result = await pipeline.removeAlpha().raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    if (result.info.width !== opts.width || result.info.height !== opts.height) throw new Error("unexpected output size");
    data = result.data;
    channels = result.info.channels;
  } catch (err) {
    throw decodeError(err, index, format);
  }
  if (channels !== 3) throw new ProtocolError(400, "corrupt_image", `image ${index} decoded to ${channels} channels`);
  const plane = opts.width * opts.height;
  for (let i = 0; i < plane; i++) {
    out[i] = SCALE[data[3 * i] ?? 0] ?? 0;
    out[plane + i] = SCALE[data[3 * i + 1] ?? 0] ?? 0;
    out[2 * plane + i] = SCALE[data[3 * i + 2] ?? 0] ?? 0;
  }
}

/** Decode a request's images into one contiguous [N, 3, H, W] tensor. */
export async function preprocessImages(images: Buffer[], opts: PreprocessOptions, limiter: Limiter): Promise<Float32Array> {
  const size = 3 * opts.width * opts.height;
  const tensor = new Float32Array(images.length * size);
  await Promise.all(images.map((bytes, i) => limiter.run(() => preprocessInto(bytes, i, opts, tensor.subarray(i * size, (i + 1) * size)))));
  return tensor;
}

/** Caps how many decodes run at once across all requests, so a burst cannot take all memory. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
