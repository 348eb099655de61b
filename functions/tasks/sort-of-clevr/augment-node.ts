/**
 * Node-only half of the augmenting renderer (sharp/libvips): the codec round trip of a view, and the
 * image-feature function's own preprocessing (imported, not copied), so training and evaluation
 * inputs go through the very code and kernel that serving uses.
 */
import sharp from "sharp";
import type { Codec, RgbImage } from "./augment";
import { decodeImage } from "../../image-features/preprocess/image";
import { letterboxResize } from "../../image-features/preprocess/resize";

/** Encode a raw RGB view with its codec (PNG lossless; JPEG with the given chroma subsampling; WebP). */
export async function encodeView(img: RgbImage, codec: Codec): Promise<Buffer> {
  const s = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 3 },
  });
  switch (codec.kind) {
    case "png":
      return s.png({ compressionLevel: 1 }).toBuffer();
    case "jpeg":
      return s.jpeg({ quality: codec.quality, chromaSubsampling: codec.chroma, mozjpeg: false }).toBuffer();
    case "webp":
      return s.webp({ quality: codec.quality }).toBuffer();
  }
}

/**
 * The serving preprocessing, with the feature function's own code (functions/image-features/preprocess):
 * decode with sharp and flatten alpha on white, letterbox to a size×size square with the border's
 * median colour (centred, never stretched), its Lanczos-3 resize; raw RGB bytes [y][x][c].
 */
export async function letterbox(bytes: Buffer, size: number): Promise<RgbImage> {
  const img = await decodeImage(bytes, 0, 100_000_000, [255, 255, 255]);
  return { width: size, height: size, data: letterboxResize(img, size, size, "border-median") };
}
