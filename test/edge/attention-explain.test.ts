// issue 14: the attention head's explanation weights sum to 1 and point at the object the question
// names, on fresh generated scenes, through POST /v1/answer in workerd (real feature function).
import { describe, expect, it } from "vitest";
import { generateScene } from "../../functions/tasks/sort-of-clevr/generator";
import { postJson } from "./helpers";
import { scene } from "./scenes";

interface Explained {
  readonly explanation: { readonly attention?: { readonly rows: number; readonly cols: number; readonly weights: readonly number[] } };
}

const SCENES = 30;
const SIDE = 75; // the test scenes are 75×75 squares: the letterbox adds nothing, so grid cells map straight onto them

describe("attention explanation", () => {
  it("has 225 weights summing to 1 whose strongest cell lies on the named object", async () => {
    let asked = 0;
    let hits = 0;
    for (let i = 0; i < SCENES; i++) {
      const s = await scene(100 + i);
      const objects = generateScene(777, 100 + i).objects;
      const questions = s.questions.map((q) => q.question);
      const res = await postJson("/v1/answer/batch", { questions, image: { base64: s.base64 }, fusion: "attention", explain: true });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { results: Explained[] };
      body.results.forEach((r, k) => {
        const a = r.explanation.attention!;
        expect(a.rows * a.cols).toBe(225);
        expect(a.weights).toHaveLength(225);
        expect(Math.abs(a.weights.reduce((x, y) => x + y, 0) - 1)).toBeLessThanOrEqual(0.01);
        const top = a.weights.indexOf(Math.max(...a.weights));
        const cell = SIDE / a.cols;
        const cx = ((top % a.cols) + 0.5) * cell;
        const cy = (Math.floor(top / a.cols) + 0.5) * cell;
        const named = objects.find((o) => o.colour === s.questions[k]!.colour)!;
        // An object spans about 10 px around its centre; the strongest cell must overlap it.
        const onObject = Math.abs(cx - (named.cx + 0.5)) <= 5 + cell / 2 && Math.abs(cy - (named.cy + 0.5)) <= 5 + cell / 2;
        asked++;
        if (onObject) hits++;
      });
    }
    console.log(`attention hit rate on the named object: ${hits}/${asked} = ${((100 * hits) / asked).toFixed(1)}%`);
    expect(hits / asked).toBeGreaterThanOrEqual(0.9);
  });
});
