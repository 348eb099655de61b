/**
 * Image preprocessing: encoded PNG, JPEG or WebP -> the model's float tensor. sharp (libvips)
 * only decodes (to 8-bit RGBA, EXIF orientation applied); everything after that is resize.ts, the
 * same arithmetic as the Triton Python-backend model and the training-data generator.
 *
 * - Formats are sniffed from magic bytes before sharp sees the bytes: libvips reads many more
 *   (SVG, TIFF, HEIF, PDF...) and that attack surface stays closed. Anything else is a 415.
 * - Transparent pixels are flattened onto `alpha` (white by default, like the training renders).
 * - Non-matching sizes are letterboxed (padded with the border's median colour, centred), never
 *   stretched, so left/right/top/bottom stay true; then Lanczos-3 resized.
 */
import sharp from "sharp";
import type { ImagePreprocess } from "../repository/config-schema.js";
import { ProtocolError } from "../protocol.js";
import { canvasSize, flattenAlpha, letterboxResize } from "./resize.js";
import type { ItemPreprocessor, PreprocessLimits } from "./types.js";

export type ImageFormat = "png" | "jpeg" | "webp";

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
  if (/pixel limit/i.test(message)) return new ProtocolError(413, "image_too_large", `image ${index} exceeds the decoded pixel limit`);
  return new ProtocolError(400, "corrupt_image", `image ${index} is not a valid ${format} (corrupt or truncated)`);
}

/** Decode to 8-bit RGB with alpha flattened; throws stable ProtocolErrors. */
export async function decodeImage(bytes: Buffer, index: number, maxPixels: number, alpha: readonly [number, number, number]): Promise<{ data: Uint8Array; width: number; height: number }> {
  const format = sniffFormat(bytes);
  if (!format) throw new ProtocolError(415, "unsupported_image_format", `image ${index} is not PNG, JPEG or WebP`);
  try {
    // failOn "warning": libvips otherwise fills a truncated JPEG with grey and reports success.
    const input = sharp(bytes, { limitInputPixels: maxPixels, failOn: "warning", autoOrient: true });
    const meta = await input.metadata();
    if (meta.format !== format) throw new Error(`format mismatch: ${meta.format}`);
    const { data, info } = await input.toColourspace("srgb").ensureAlpha().raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) throw new Error(`decoded to ${info.channels} channels`);
    return { data: flattenAlpha(data, info.width, info.height, alpha), width: info.width, height: info.height };
  } catch (err) {
    throw decodeError(err, index, format);
  }
}

export function imagePreprocessor(p: ImagePreprocess, limits: PreprocessLimits): ItemPreprocessor {
  const [width, height] = p.size;
  const channels = p.channels === "RGB" ? 3 : 1;
  const plane = width * height;
  const mean = p.mean ?? new Array<number>(channels).fill(0);
  const std = p.std ?? new Array<number>(channels).fill(1);
  const normalised = p.mean !== null || p.std !== null;
  return {
    itemSize: channels * plane,
    async prepare(bytes, index, out) {
      const decoded = await decodeImage(bytes, index, limits.maxPixels, p.alpha);
      // An extreme aspect ratio (say 16000 x 1) would letterbox into a huge canvas: same limit.
      const canvas = canvasSize(decoded.width, decoded.height, width, height);
      if (canvas.width * canvas.height > limits.maxPixels) {
        throw new ProtocolError(413, "image_too_large", `image ${index} (${decoded.width}x${decoded.height}) letterboxes to more than the pixel limit`);
      }
      const rgb = letterboxResize(decoded, width, height, p.background);
      for (let i = 0; i < plane; i++) {
        for (let c = 0; c < channels; c++) {
          // Greyscale: ITU-R 601 luma, rounded half up to 8 bits (same in the Python model).
          const byte = channels === 3 ? rgb[3 * i + c]! : Math.floor(0.299 * rgb[3 * i]! + 0.587 * rgb[3 * i + 1]! + 0.114 * rgb[3 * i + 2]! + 0.5);
          let v = SCALE[byte]!;
          if (normalised) v = (v - mean[c]!) / std[c]!;
          out[p.layout === "NCHW" ? c * plane + i : i * channels + c] = v;
        }
      }
    },
    describe() {
      return {
        kind: "image",
        accepted_content: "image/png, image/jpeg, image/webp",
        preprocess: JSON.stringify(p),
        preprocess_summary: `decode; EXIF orientation; alpha onto rgb(${p.alpha.join(",")}); letterbox (${p.background === "border-median" ? "border median colour" : `rgb(${p.background.join(",")})`}, centred, never stretched) to ${width}x${height}; lanczos3 (resize.ts); ${p.channels}; ${p.layout}; x/255${normalised ? "; (x-mean)/std" : ""}`,
        max_pixels: limits.maxPixels,
      };
    },
  };
}
