/**
 * Renders an answer (probability bars, cache status per modality, stage timings) and errors into
 * the result section. Scores are shown as percentages with one decimal; the raw score sits in a
 * data attribute so tests compare exact numbers.
 */
import { isEdgefuseError } from "../errors";
import type { AnswerResponse, ModelsResponse, WithMeta } from "../types";
import { byId, h } from "./dom";

export function percent(score: number): string {
  return `${(score * 100).toFixed(1)}%`;
}

export function renderAnswer(res: WithMeta<AnswerResponse>, truth: string | undefined): void {
  byId("result-empty", HTMLParagraphElement).hidden = true;
  byId("error", HTMLParagraphElement).hidden = true;
  byId("result-body", HTMLDivElement).hidden = false;

  const top = res.answers[0];
  const topEl = byId("top-answer", HTMLElement);
  topEl.textContent = top?.label ?? "—";
  topEl.dataset.score = String(top?.score ?? "");
  byId("top-score", HTMLSpanElement).textContent = top ? percent(top.score) : "";
  const verdict = byId("verdict", HTMLSpanElement);
  verdict.textContent = truth === undefined ? "" : truth === top?.label ? `✓ correct (true answer: ${truth})` : `✗ true answer: ${truth}`;
  verdict.className = truth === undefined ? "" : truth === top?.label ? "ok" : "wrong";
  byId("degraded", HTMLParagraphElement).hidden = !res.degraded;

  byId("answers", HTMLOListElement).replaceChildren(
    ...res.answers.map((a) => {
      const bar = h("span", { class: "bar", "aria-hidden": "true" }, h("span", { style: `width:${(a.score * 100).toFixed(2)}%` }));
      return h("li", { "data-label": a.label, "data-score": String(a.score) }, h("span", { class: "label" }, a.label), bar, h("span", { class: "pct" }, percent(a.score)));
    }),
  );

  badge("cache-text", res.cache.text);
  badge("cache-image", res.cache.image);

  // The JSON `timings` and the Server-Timing header carry the same stages; show both side by side.
  const stages = [...new Set([...Object.keys(res.timings), ...Object.keys(res.meta.serverTiming)])];
  const ms = (v: number | undefined) => (v === undefined ? "—" : v.toFixed(1));
  byId("timings-body", HTMLTableSectionElement).replaceChildren(
    ...stages.map((s) => h("tr", { "data-stage": s }, h("th", { scope: "row" }, s), h("td", {}, ms(res.timings[s])), h("td", {}, ms(res.meta.serverTiming[s])))),
  );
  byId("meta", HTMLParagraphElement).textContent = `round trip ${res.meta.elapsedMs.toFixed(0)} ms in the browser · fusion ${res.fusion} · head ${res.models.head} · text ${res.models.text} · image ${res.models.image} · request ${res.meta.requestId}`;
}

function badge(id: string, status: string): void {
  const el = byId(id, HTMLSpanElement);
  el.textContent = status;
  el.className = `badge ${status}`;
}

export function renderError(e: unknown): void {
  const el = byId("error", HTMLParagraphElement);
  el.hidden = false;
  if (isEdgefuseError(e)) {
    const hint = e.code === "unauthorized" ? " Enter an API key under “API key”." : e.retryable ? " This may pass if you try again." : "";
    el.textContent = `${e.message} (${e.code}, HTTP ${e.status || "—"}, request ${e.requestId}).${hint}`;
    el.dataset.code = e.code;
  } else {
    el.textContent = e instanceof Error ? e.message : String(e);
    el.dataset.code = "page_error";
  }
}

export function renderModels(m: ModelsResponse, fusion: HTMLSelectElement): void {
  const current = fusion.value || m.defaultFusion;
  fusion.replaceChildren(...m.fusionMethods.map((f) => new Option(f === m.defaultFusion ? `${f} (default)` : f, f, false, f === current)));
  const heads = m.heads.map((x) => `${x.fusion}: ${x.id}@${x.version}`).join(", ");
  byId("models-info", HTMLElement).textContent = `Suite ${m.suite.id}@${m.suite.version} · text ${m.answerText.id}@${m.answerText.version} (${m.answerText.quantization}) · image ${m.image.id}@${m.image.version} (${m.image.served}) · heads ${heads}`;
}
