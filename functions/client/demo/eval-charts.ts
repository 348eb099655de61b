/**
 * The evaluation as small charts: CSS bars and shaded cells inside real tables, so the numbers are
 * read out by screen readers and no charting library is shipped. The data comes from the suite's
 * eval.json, copied next to the page by scripts/build-demo.ts.
 */
import { h } from "./dom";
import { readEval, type EvalView, type Metrics } from "./eval-data";

const fmt = (v: number | undefined) => (v === undefined ? "—" : `${v.toFixed(1)}%`);

function bar(value: number | undefined, alt = false): HTMLElement {
  return h("span", { class: "bar", "aria-hidden": "true" }, h("span", { class: alt ? "alt" : "", style: `width:${Math.max(0, Math.min(100, value ?? 0)).toFixed(1)}%` }));
}

function headsChart(view: EvalView): HTMLElement {
  const table = h(
    "table",
    { class: "chart", "data-chart": "ablation" },
    h("caption", {}, "Accuracy by fusion head (fresh seed)"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "head"), h("th", { scope: "col" }, "relational"), h("th", { scope: "col" }, "non-relational"))),
    h(
      "tbody",
      {},
      ...view.heads.map(({ fusion, metrics: m }) =>
        h("tr", { "data-fusion": fusion }, h("th", { scope: "row" }, fusion), h("td", { class: "barcell" }, fmt(m.relational), bar(m.relational)), h("td", { class: "barcell" }, fmt(m.nonRelational), bar(m.nonRelational, true))),
      ),
    ),
  );
  return h("figure", {}, table);
}

/** A head × column grid with cells shaded by value (the text stays at full contrast). */
export function gridChart(kind: string, caption: string, columns: readonly string[], rows: readonly { fusion: string; cells: Readonly<Record<string, number | undefined>>; title?: Readonly<Record<string, string>> }[]): HTMLElement {
  const shade = (v: number | undefined) => (v === undefined ? "" : `background:color-mix(in srgb, var(--accent) ${Math.max(0, Math.min(40, (v - 50) * 0.8)).toFixed(0)}%, transparent)`);
  return h(
    "div",
    // Focusable, so keyboard users can scroll it sideways on narrow screens.
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h(
      "table",
      { class: "grid-chart", "data-chart": kind },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "head"), ...columns.map((c) => h("th", { scope: "col" }, c)))),
      h(
        "tbody",
        {},
        ...rows.map((r) =>
          h("tr", { "data-fusion": r.fusion }, h("th", { scope: "row" }, r.fusion), ...columns.map((c) => h("td", { title: r.title?.[c] ?? "" }, h("span", { style: shade(r.cells[c]) }, fmt(r.cells[c]))))),
        ),
      ),
    ),
  );
}

function perTypeChart(view: EvalView): HTMLElement | undefined {
  const types = [...new Set(view.heads.flatMap((x) => Object.keys(x.metrics.perType)))];
  if (types.length === 0) return undefined;
  return gridChart("per-type", "Accuracy per question type", types, view.heads.map((x) => ({ fusion: x.fusion, cells: x.metrics.perType })));
}

function robustnessChart(view: EvalView): HTMLElement {
  const r = view.robustness;
  if (!r) return h("p", { class: "hint", "data-chart": "robustness-missing" }, "No robustness table in this eval.json yet (it is being regenerated); the full EVAL has whatever was measured.");
  const main = (m: Metrics | undefined) => m?.relational ?? m?.overall;
  return gridChart(
    "robustness",
    "Robustness: relational accuracy after each image shift (hover for non-relational and ECE)",
    r.shifts,
    r.rows.map((row) => ({
      fusion: row.fusion,
      cells: Object.fromEntries(r.shifts.map((s) => [s, main(row.cells[s])])),
      title: Object.fromEntries(r.shifts.map((s) => [s, `non-relational ${fmt(row.cells[s]?.nonRelational)}${row.cells[s]?.ece !== undefined ? `, ECE ${(row.cells[s]!.ece! * (row.cells[s]!.ece! <= 1 ? 100 : 1)).toFixed(1)}%` : ""}`])),
    })),
  );
}

/** eval.json's answerability block: question counts (inTask, offTask) and rates (fractions or percentages). */
const ANSWERABILITY_COUNTS: Readonly<Record<string, string>> = { inTask: "in-task", offTask: "off-task" };
const ANSWERABILITY_RATES: Readonly<Record<string, string>> = {
  inTaskAccepted: "in-task questions accepted",
  offTaskRefused: "off-task questions refused",
  refusalPrecision: "refusal precision",
};

export function answerabilityLine(a: Readonly<Record<string, number>>): string {
  const counts = Object.entries(ANSWERABILITY_COUNTS).filter(([k]) => a[k] !== undefined).map(([k, label]) => `${a[k]} ${label}`);
  const rates = Object.entries(ANSWERABILITY_RATES).filter(([k]) => a[k] !== undefined).map(([k, label]) => `${label} ${(a[k]! <= 1 ? a[k]! * 100 : a[k]!).toFixed(1)}%`);
  return `Answerability${counts.length ? ` (${counts.join(" and ")} questions)` : ""}: ${rates.join(", ")}`;
}

export function renderEvalCharts(container: HTMLElement, raw: unknown): EvalView {
  const view = readEval(raw);
  const parts: HTMLElement[] = [];
  if (view.heads.length > 0) parts.push(headsChart(view));
  const perType = perTypeChart(view);
  if (perType) parts.push(perType);
  parts.push(robustnessChart(view));
  if (view.answerability && Object.keys(view.answerability).length > 0) parts.push(h("p", { "data-chart": "answerability" }, answerabilityLine(view.answerability)));
  const source = [view.seed !== undefined ? `seed ${view.seed}` : "", view.machine ?? ""].filter(Boolean).join(" · ");
  if (source) parts.push(h("p", { class: "hint" }, `Measured on ${source}.`));
  container.replaceChildren(...parts);
  return view;
}

export async function loadEvalCharts(container: HTMLElement, suite: string, render: (c: HTMLElement, raw: unknown) => unknown = renderEvalCharts): Promise<void> {
  try {
    const res = await fetch(`/eval/${encodeURIComponent(suite)}.json`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    render(container, await res.json());
  } catch (e) {
    container.replaceChildren(h("p", { class: "hint" }, `The evaluation data could not be loaded (${e instanceof Error ? e.message : String(e)}).`));
  }
}
