/**
 * The sentiment suite's evaluation (models/sentiment/eval.json, results keyed "<head>|<inputs>")
 * as two grids: 3-class accuracy per head and input subset, and per utterance kind with every
 * input. Heads or subsets the file lacks are simply not drawn.
 */
import { h } from "./dom";
import { gridChart } from "./eval-charts";

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function acc(v: unknown): number | undefined {
  const a = isObj(v) ? v.acc : undefined;
  return typeof a === "number" && Number.isFinite(a) ? (a <= 1 ? a * 100 : a) : undefined;
}

export function renderSentimentEval(container: HTMLElement, raw: unknown): void {
  const results = isObj(raw) && isObj(raw.results) ? raw.results : {};
  const keys = Object.keys(results).filter((k) => k.includes("|"));
  if (keys.length === 0) {
    container.replaceChildren(h("p", { class: "hint" }, "No per-head results in this eval.json."));
    return;
  }
  const heads = [...new Set(keys.map((k) => k.split("|")[0]!))];
  const subsets = [...new Set(keys.map((k) => k.split("|")[1]!))];
  const all = (k: string) => (isObj(results[k]) ? (results[k] as Json).all : undefined);
  const bySubset = heads.map((head) => ({ fusion: head, cells: Object.fromEntries(subsets.map((s) => [s, acc(all(`${head}|${s}`))])) }));
  const full = subsets.find((s) => s.split("+").length === 3) ?? subsets[0]!;
  const kinds = ["literal", "sarcastic", "ambiguous"];
  const byKind = heads
    .filter((head) => isObj(results[`${head}|${full}`]))
    .map((head) => ({ fusion: head, cells: Object.fromEntries(kinds.map((k) => [k, acc((results[`${head}|${full}`] as Json)[k])])) }));
  container.replaceChildren(
    gridChart("sentiment-subsets", "3-class accuracy by head and inputs given (— = not applicable)", subsets, bySubset),
    gridChart("sentiment-kinds", `3-class accuracy by utterance kind (inputs: ${full})`, kinds, byKind),
  );
}
