import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { generateScene, HALF, COLOURS, type Scene } from "../../functions/tasks/sort-of-clevr/generator";
import { answersPreserved, cellCoverage, exactSpec, letterboxedPlacement, renderView, sampleViewSpec, type ViewSpec } from "../../functions/tasks/sort-of-clevr/augment";
import { encodeView, letterbox } from "../../functions/tasks/sort-of-clevr/augment-node";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function viewBytes(scene: Scene, view: number): Promise<{ spec: ViewSpec; raw: string; input: string }> {
  const spec = sampleViewSpec(scene, view);
  const raw = renderView(scene, spec, view);
  const input = await letterbox(await encodeView(raw, spec.codec), 150);
  return { spec, raw: sha(raw.data), input: sha(input.data) };
}

describe("augmenting renderer", () => {
  it("gives the same spec, pixels and encoded/letterboxed input for the same (seed, index, view)", async () => {
    for (let i = 0; i < 12; i++) {
      const a = await viewBytes(generateScene(99, i), i % 3);
      const b = await viewBytes(generateScene(99, i), i % 3);
      expect(b).toEqual(a);
    }
  });

  it("gives different views of the same scene and different scenes for different seeds", async () => {
    const scene = generateScene(5, 0);
    const views = await Promise.all([0, 1, 2, 3].map((v) => viewBytes(scene, v)));
    expect(new Set(views.map((v) => v.raw)).size).toBe(4);
    const other = await viewBytes(generateScene(6, 0), 0);
    expect(views.map((v) => v.raw)).not.toContain(other.raw);
  });

  it("covers the documented distribution (paths, codecs, letterboxing, shrinking, jitter)", () => {
    const specs = Array.from({ length: 600 }, (_, i) => sampleViewSpec(generateScene(11, i), 0));
    const share = (f: (s: ViewSpec) => boolean) => specs.filter(f).length / specs.length;
    expect(share((s) => s.path === "exact")).toBeGreaterThan(0.12);
    expect(share((s) => s.path === "exact")).toBeLessThan(0.28);
    expect(share((s) => s.upscale > 1)).toBeGreaterThan(0.03);
    expect(share((s) => s.codec.kind === "jpeg" && s.codec.chroma === "4:2:0")).toBeGreaterThan(0.1);
    expect(share((s) => s.codec.kind === "jpeg" && s.codec.chroma === "4:4:4")).toBeGreaterThan(0.1);
    expect(share((s) => s.codec.kind === "webp")).toBeGreaterThan(0.05);
    expect(share((s) => s.canvas[0] !== s.canvas[1])).toBeGreaterThan(0.2);
    expect(share((s) => s.shrink < 1)).toBeGreaterThan(0.2);
    expect(share((s) => s.renderSize > 75)).toBeGreaterThan(0.35);
    for (const s of specs) {
      for (const f of s.size) expect(Math.abs(f - 1)).toBeLessThanOrEqual(0.15);
      for (const v of s.background) expect(v).toBeGreaterThanOrEqual(235);
      expect(s.blurSigma / (s.renderSize * s.upscale / 75)).toBeLessThanOrEqual(0.8 + 1e-9);
      if (s.codec.kind !== "png") expect(s.codec.quality).toBeGreaterThanOrEqual(40);
      if (s.codec.kind !== "png") expect(s.codec.quality).toBeLessThanOrEqual(95);
    }
  });

  it("never jitters a centre across the centre line or changes a closest/farthest answer", () => {
    for (let i = 0; i < 300; i++) {
      const scene = generateScene(13, i);
      const spec = sampleViewSpec(scene, 0);
      expect(answersPreserved(scene, spec.offset)).toBe(true);
    }
    // an offset that crosses the centre line is refused
    const scene: Scene = { seed: 0, index: 0, objects: COLOURS.map((colour, k) => ({ colour, shape: "circle", cx: [8, 22, 37, 52, 66, 30][k]!, cy: [10, 60, 20, 60, 10, 45][k]! })) };
    const shove = COLOURS.map(() => [0, 0] as [number, number]);
    const nearCentre = scene.objects.findIndex((o) => Math.abs(o.cx - HALF) < 1);
    expect(nearCentre).toBeGreaterThanOrEqual(0);
    shove[nearCentre] = [scene.objects[nearCentre]!.cx < HALF ? 1 : -1, 0];
    expect(answersPreserved(scene, shove)).toBe(false);
  });

  it("letterboxing a wide or tall view keeps left/right and top/bottom (coverage and pixels)", async () => {
    const scene = generateScene(17, 3);
    for (const canvas of [[135, 75], [75, 135], [300, 75]] as Array<[number, number]>) {
      const spec = { ...exactSpec(), canvas, padColour: [255, 255, 255] as [number, number, number] };
      const cover = cellCoverage(scene, spec, 150, 15);
      const place = letterboxedPlacement(scene, spec, 150);
      const input = await letterbox(await encodeView(renderView(scene, spec), spec.codec), 150);
      scene.objects.forEach((o, k) => {
        let cx = 0;
        let cy = 0;
        for (let c = 0; c < 225; c++) {
          cx += cover[k * 225 + c]! * ((c % 15) + 0.5) * 10;
          cy += cover[k * 225 + c]! * (Math.floor(c / 15) + 0.5) * 10;
        }
        expect(cx < 75).toBe(o.cx < HALF);
        expect(cy < 75).toBe(o.cy < HALF);
        // the object is where the geometry says, in the letterboxed pixels, and the coverage agrees
        const at = place[k]!;
        expect(at.x < 75).toBe(o.cx < HALF);
        expect(at.y < 75).toBe(o.cy < HALF);
        expect(Math.hypot(at.x - cx, at.y - cy)).toBeLessThan(7.5);
        const p = (Math.round(at.y) * 150 + Math.round(at.x)) * 3;
        const px = [...input.data.subarray(p, p + 3)];
        expect(Math.min(...px), `${canvas} ${o.colour}: ${px}`).toBeLessThan(200);
      });
    }
  });
});
