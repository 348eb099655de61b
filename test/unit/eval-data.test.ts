import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readEval } from "../../functions/client/demo/eval-data";

describe("the demo reads the shipped evaluation", () => {
  it("finds every head under every shift of models/sort-of-clevr/eval.json, and the ablation on exact renders", () => {
    const raw = JSON.parse(readFileSync("models/sort-of-clevr/eval.json", "utf8")) as { shifts: Record<string, Record<string, { relational: number }>> };
    const view = readEval(raw);
    const shifts = Object.keys(raw.shifts);
    expect(view.robustness?.shifts).toEqual(shifts);
    for (const row of view.robustness!.rows)
      for (const shift of shifts) expect(row.cells[shift]?.relational).toBeCloseTo(raw.shifts[shift]![row.fusion]!.relational, 6);
    expect(view.heads.map((h) => h.fusion).sort()).toEqual(Object.keys(raw.shifts["exact-png"]!).sort());
  });
});
