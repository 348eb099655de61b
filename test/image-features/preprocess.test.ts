// Preprocessing parity: decoded tensors equal the contract's x/255 of the known pixels, exactly.
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { configureSharp, sniffFormat } from "../../functions/image-features/preprocess/image.js";
import { createPreprocessor, Limiter, preprocessItems } from "../../functions/image-features/preprocess/index.js";
import type { ProtocolError } from "../../functions/image-features/protocol.js";
import { ImagePreprocessSchema } from "../../functions/image-features/repository/config-schema.js";
import { encode, expectedTensor, PIXELS, rawPixels } from "./helpers.js";

const opts = { maxPixels: 4096 * 4096 };
const limiter = new Limiter(2);
const pre = (o = opts, extra: Record<string, unknown> = {}) => createPreprocessor(ImagePreprocessSchema.parse({ kind: "image", size: [75, 75], ...extra }), o);
const run = (images: Buffer[]) => preprocessItems(pre(), images, limiter);

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

  it("letterboxes other sizes to 75x75: padded with the border colour, centred, never stretched", async () => {
    // 300x100 off-white scene: a red block at the left, a blue block at the right.
    const w = 300;
    const h = 100;
    const raw = Buffer.alloc(w * h * 3, 240);
    const block = (x0: number, rgb: number[]) => {
      for (let y = 40; y < 60; y++) for (let x = x0; x < x0 + 20; x++) raw.set(rgb, (y * w + x) * 3);
    };
    block(20, [255, 0, 0]);
    block(260, [0, 0, 255]);
    const t = await run([await encode(raw, "png", w, h)]);
    expect(t.length).toBe(3 * PIXELS);
    const at = (c: number, x: number, y: number) => Math.round(t[c * PIXELS + y * 75 + x]! * 255);
    // Padding (top and bottom bands, 25 rows each) is the border's median colour, not white or black.
    for (const y of [0, 10, 20, 54, 74]) expect([at(0, 37, y), at(1, 37, y), at(2, 37, y)]).toEqual([240, 240, 240]);
    // Left stays left, right stays right, and the blocks stay square (no stretching): the red block
    // spans 20/300*75 = 5 px in both directions around (7.5, 37.5).
    expect(at(0, 7, 37)).toBeGreaterThan(200);
    expect(at(2, 7, 37)).toBeLessThan(60);
    expect(at(2, 67, 37)).toBeGreaterThan(200);
    expect(at(0, 67, 37)).toBeLessThan(60);
    const redRows = Array.from({ length: 75 }, (_, y) => y).filter((y) => at(0, 7, y) > 200 && at(1, 7, y) < 100);
    const redCols = Array.from({ length: 75 }, (_, x) => x).filter((x) => at(0, x, 37) > 200 && at(1, x, 37) < 100);
    expect(Math.abs(redRows.length - redCols.length)).toBeLessThanOrEqual(1);
  });

  it("supports a fixed padding colour, greyscale models and NHWC with mean/std", async () => {
    const tall = await sharp({ create: { width: 10, height: 40, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
    const white = await preprocessItems(pre(opts, { background: [255, 255, 255] }), [tall], limiter);
    expect(white[0]).toBe(1); // top-left is padding
    expect(white[37 * 75 + 37]).toBe(0);
    const grey = createPreprocessor(ImagePreprocessSchema.parse({ kind: "image", size: [4, 4], channels: "L", layout: "NHWC", mean: [0.5], std: [0.25] }), opts);
    expect(grey.itemSize).toBe(16);
    const g = await preprocessItems(grey, [await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 255, g: 255, b: 255 } } }).png().toBuffer()], limiter);
    expect([...g]).toEqual(new Array(16).fill(2)); // (1 - 0.5) / 0.25
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
    const codeOf = (images: Buffer[], o = opts) => preprocessItems(pre(o), images, limiter).then(() => "ok", (e: ProtocolError) => `${e.status} ${e.code}`);
    expect(await codeOf([png.subarray(0, 100)])).toBe("400 corrupt_image");
    expect(await codeOf([Buffer.from("GIF89a")])).toBe("415 unsupported_image_format");
    expect(await codeOf([Buffer.from("RIFF\x24\0\0\0WAVEfmt ")])).toBe("415 unsupported_image_format");
    expect(await codeOf([png], { maxPixels: 75 * 74 })).toBe("413 image_too_large");
    // 2000 x 2 decodes within a 10000-pixel limit but would letterbox to 2000 x 2000.
    const strip = await sharp({ create: { width: 2000, height: 2, channels: 3, background: "#fff" } }).png().toBuffer();
    expect(await codeOf([strip], { maxPixels: 10_000 })).toBe("413 image_too_large");
  });
});
