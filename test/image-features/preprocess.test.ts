// Preprocessing parity: decoded tensors equal the contract's x/255 of the known pixels, exactly.
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { configureSharp, Limiter, preprocessImages, sniffFormat } from "../../functions/image-features/preprocess.js";
import { ProtocolError } from "../../functions/image-features/protocol.js";
import { encode, expectedTensor, PIXELS, rawPixels } from "./helpers.js";

const opts = { width: 75, height: 75, maxPixels: 4096 * 4096 };
const limiter = new Limiter(2);
const run = (images: Buffer[]) => preprocessImages(images, opts, limiter);

/** A PNG written byte by byte (independent of sharp/libpng): colour type 2, filter 0 rows. */
function handPng(raw: Buffer, width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = (crcTable[(c ^ x) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.concat(Array.from({ length: height }, (_, y) => Buffer.concat([Buffer.from([0]), raw.subarray(y * width * 3, (y + 1) * width * 3)])));
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

beforeAll(() => configureSharp());

describe("preprocess", () => {
  it("75x75 PNGs pass through bit-exactly: tensor == raw / 255 (NCHW, RGB)", async () => {
    for (const seed of [1, 2, 3]) {
      const raw = rawPixels(seed);
      for (const png of [handPng(raw, 75, 75), await encode(raw, "png")]) {
        const t = await run([png]);
        expect(t).toEqual(expectedTensor(raw));
      }
    }
  });

  it("keeps images in request order in one [N,3,75,75] tensor", async () => {
    const raws = [rawPixels(4), rawPixels(5), rawPixels(6)];
    const t = await run(await Promise.all(raws.map((r) => encode(r, "png"))));
    raws.forEach((r, i) => expect(t.subarray(i * 3 * PIXELS, (i + 1) * 3 * PIXELS)).toEqual(expectedTensor(r)));
  });

  it("decodes lossless WebP exactly and JPEG closely", async () => {
    const raw = rawPixels(7);
    expect(await run([await encode(raw, "webp")])).toEqual(expectedTensor(raw));
    // JPEG is lossy: a smooth image survives with small error.
    const smooth = Buffer.alloc(PIXELS * 3);
    for (let i = 0; i < PIXELS; i++) smooth.set([(i % 75) * 3, Math.floor(i / 75) * 3, 128], i * 3);
    const t = await run([await encode(smooth, "jpeg")]);
    const ref = expectedTensor(smooth);
    const err = t.reduce((m, v, i) => Math.max(m, Math.abs(v - (ref[i] ?? 0))), 0);
    expect(err).toBeLessThan(0.1);
  });

  it("flattens alpha onto white and converts greyscale to RGB", async () => {
    const transparent = await sharp({ create: { width: 75, height: 75, channels: 4, background: { r: 200, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    expect((await run([transparent])).every((v) => v === 1)).toBe(true);
    const grey = await sharp({ create: { width: 75, height: 75, channels: 3, background: { r: 51, g: 51, b: 51 } } }).toColourspace("b-w").png().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    expect((await run([grey])).every((v) => v === 51 / 255 || v === Math.fround(51 / 255))).toBe(true);
  });

  it("resizes other sizes to 75x75 keeping the aspect ratio (white padding)", async () => {
    const wide = await sharp({ create: { width: 150, height: 50, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
    const t = await run([wide]);
    expect(t.length).toBe(3 * PIXELS);
    expect(t[0]).toBe(1); // top-left corner is padding
    expect(t[37 * 75 + 37]).toBe(0); // centre is the image
  });

  it("sniffs formats by magic bytes", async () => {
    expect(sniffFormat(await encode(rawPixels(1), "png"))).toBe("png");
    expect(sniffFormat(await encode(rawPixels(1), "jpeg"))).toBe("jpeg");
    expect(sniffFormat(await encode(rawPixels(1), "webp"))).toBe("webp");
    expect(sniffFormat(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"))).toBeUndefined();
    expect(sniffFormat(Buffer.alloc(0))).toBeUndefined();
  });

  it("maps failures to stable codes", async () => {
    const png = await encode(rawPixels(2), "png");
    const codeOf = (images: Buffer[], o = opts) => preprocessImages(images, o, limiter).then(() => "ok", (e: ProtocolError) => e.code);
    expect(await codeOf([png.subarray(0, 100)])).toBe("corrupt_image");
    expect(await codeOf([Buffer.from("GIF89a")])).toBe("unsupported_image_format");
    expect(await codeOf([png], { ...opts, maxPixels: 75 * 74 })).toBe("image_too_large");
  });
});
