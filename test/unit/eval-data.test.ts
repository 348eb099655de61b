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

describe("the demo's answerability line", () => {
  it("shows the shipped evaluation's question counts as counts and its rates as percentages", async () => {
    const { answerabilityLine } = await import("../../functions/client/demo/eval-charts");
    const raw = JSON.parse(readFileSync("models/sort-of-clevr/eval.json", "utf8")) as { answerability: Record<string, number> };
    const line = answerabilityLine(readEval(raw).answerability!);
    expect(line).toContain(`${raw.answerability.inTask} in-task and ${raw.answerability.offTask} off-task questions`);
    expect(line).toContain(`off-task questions refused ${raw.answerability.offTaskRefused!.toFixed(1)}%`);
    expect(line).not.toMatch(/\d{4,}\.\d%/); // no count shown as a percentage (the old "3000.0%")
    expect(answerabilityLine({ inTaskAccepted: 0.995 })).toBe("Answerability: in-task questions accepted 99.5%");
  });
});
