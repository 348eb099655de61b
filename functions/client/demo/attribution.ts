/**
 * One input's attribution as a diverging bar: the centre line is "no effect", right (accent) means
 * the input supported the top answer, left (red) that it argued against it; half the bar is ±100
 * points of probability. The raw delta stays in data-delta for tests.
 */
import { h } from "./dom";
import { signed } from "./slider";

export function attributionBar(modality: string, delta: number): HTMLElement {
  const half = Math.min(50, Math.abs(delta) * 50);
  const style = delta >= 0 ? `left:50%;width:${half.toFixed(2)}%` : `left:${(50 - half).toFixed(2)}%;width:${half.toFixed(2)}%`;
  return h(
    "div",
    { class: "attr", "data-modality": modality, "data-delta": String(delta) },
    h("span", {}, modality),
    h("span", { class: "diverging", "aria-hidden": "true" }, h("span", { class: delta < 0 ? "neg" : "", style })),
    h("span", { class: "pct" }, `${signed(delta * 100)} pt`),
  );
}
