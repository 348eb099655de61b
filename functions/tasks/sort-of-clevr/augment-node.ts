/**
 * Node-only half of the augmenting renderer (sharp/libvips): the codec round trip of a view and the
 * image-feature function's own preprocessing (flatten on white, letterbox "contain" centred,
 * lanczos3, RGB), so training inputs go through the very kernel that serving uses.
 * Keep `letterbox()` identical to functions/image-features/preprocess.ts.
 */
import sharp from "sharp";
import type { Codec, RgbImage } from "./augment";

const WHITE = { r: 255, g: 255, b: 255 };

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
 * The serving preprocessing: decode, flatten alpha on white, letterbox to size×size with the
 * lanczos3 kernel (images already size×size pass through untouched), raw RGB bytes [y][x][c].
 */
export async function letterbox(bytes: Buffer, size: number): Promise<RgbImage> {
  const input = sharp(bytes, { autoOrient: true });
  const meta = await input.metadata();
  const w = meta.autoOrient?.width ?? meta.width;
  const h = meta.autoOrient?.height ?? meta.height;
  let pipeline = input.flatten({ background: WHITE }).toColourspace("srgb");
  if (w !== size || h !== size) pipeline = pipeline.resize(size, size, { fit: "contain", kernel: "lanczos3", background: WHITE });
  const { data, info } = await pipeline.removeAlpha().raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size || info.channels !== 3) throw new Error(`letterbox: got ${info.width}x${info.height}x${info.channels}`);
  return { width: size, height: size, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
