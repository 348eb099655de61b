/**
 * Renders an answer (top answer, whether the question is one the model can answer, the true answer
 * after asking, probability bars, cache status per input, the browser-measured round trip) and
 * errors into the result section. Scores are shown as percentages with one decimal; the raw score
 * sits in a data attribute so tests compare exact numbers.
 */
import { isEdgefuseError } from "../errors";
import type { AnswerResponse, ModelsResponse, WithMeta } from "../types";
import { answerableOf } from "./api-extras";
import { byId, h } from "./dom";

export function percent(score: number): string {
  return `${(score * 100).toFixed(1)}%`;
}

/** One line for an error: the server's message, code, status and request id, with a hint. */
export function describeError(e: unknown): string {
  if (isEdgefuseError(e)) {
    const hint = e.code === "unauthorized" ? " Enter an API key under “API key”." : e.retryable ? " This may pass if you try again." : "";
    return `${e.message} (${e.code}, HTTP ${e.status || "—"}, request ${e.requestId}).${hint}`;
  }
  return e instanceof Error ? e.message : String(e);
}

export function renderAnswerable(el: HTMLElement, answerable: boolean | undefined): void {
  el.dataset.answerable = answerable === undefined ? "unknown" : String(answerable);
  el.className = `flag ${answerable === false ? "warn" : answerable ? "ok" : "hint"}`;
  el.replaceChildren(
    answerable === undefined
      ? "Answerable: not reported by this server."
      : answerable
        ? h("span", {}, h("span", { class: "mark", "aria-hidden": "true" }, "✓"), "Answerable: a question of the kind the model was built for.")
        : h("span", {}, h("span", { class: "mark", "aria-hidden": "true" }, "!"), "Not answerable: this question is outside the task, so the answer below is a guess."),
  );
}

export function renderAnswer(res: WithMeta<AnswerResponse>, truth: string | undefined, knownScene: boolean): void {
  byId("result-empty", HTMLParagraphElement).hidden = true;
  byId("error", HTMLParagraphElement).hidden = true;
  byId("result-body", HTMLDivElement).hidden = false;

  const top = res.answers[0];
  const topEl = byId("top-answer", HTMLElement);
  topEl.textContent = top?.label ?? "—";
  topEl.dataset.score = String(top?.score ?? "");
  byId("top-score", HTMLSpanElement).textContent = top ? percent(top.score) : "";
  renderAnswerable(byId("answerable", HTMLParagraphElement), answerableOf(res));

  // The true answer appears only now, after asking.
  const verdict = byId("verdict", HTMLParagraphElement);
  verdict.dataset.truth = truth ?? "";
  verdict.className = truth === undefined ? "hint" : truth === top?.label ? "ok" : "wrong";
  verdict.textContent =
    truth === undefined
      ? knownScene
        ? "Not a template question, so there is no true answer to compare with."
        : "Uploaded image: its true answer is unknown to the page."
      : truth === top?.label
        ? `✓ Correct: the true answer is ${truth}.`
        : `✗ Wrong: the true answer is ${truth}.`;
  byId("degraded", HTMLParagraphElement).hidden = !res.degraded;

  byId("answers", HTMLOListElement).replaceChildren(
    ...res.answers.map((a) => {
      const bar = h("span", { class: "bar", "aria-hidden": "true" }, h("span", { style: `width:${(a.score * 100).toFixed(2)}%` }));
      return h("li", { "data-label": a.label, "data-score": String(a.score) }, h("span", { class: "label" }, a.label), bar, h("span", { class: "pct" }, percent(a.score)));
    }),
  );

  badge("cache-text", res.cache.text);
  badge("cache-image", res.cache.image);

  const rt = byId("round-trip", HTMLParagraphElement);
  rt.dataset.ms = String(res.meta.elapsedMs);
  rt.textContent = `Round trip measured by this browser: ${res.meta.elapsedMs.toFixed(0)} ms (upload, features, fusion, response).`;
  const stages = [...new Set([...Object.keys(res.timings), ...Object.keys(res.meta.serverTiming)])];
  byId("timings-body", HTMLTableSectionElement).replaceChildren(
    ...stages.map((s) => h("tr", { "data-stage": s }, h("th", { scope: "row" }, s), h("td", {}, (res.timings[s] ?? res.meta.serverTiming[s] ?? 0).toFixed(1)))),
  );
  byId("meta", HTMLParagraphElement).textContent = `fusion ${res.fusion} · head ${res.models.head} · text ${res.models.text} · image ${res.models.image} · request ${res.meta.requestId}`;
}

function badge(id: string, status: string): void {
  const el = byId(id, HTMLSpanElement);
  el.textContent = status;
  el.className = `badge ${status}`;
}

/** Back to "no answer": an edited question or a new image makes the old answer misleading. */
export function clearAnswer(message?: string): void {
  byId("result-body", HTMLDivElement).hidden = true;
  const empty = byId("result-empty", HTMLParagraphElement);
  empty.hidden = false;
  if (message) empty.textContent = message;
}

/** An error replaces the answer: the old one is cleared so it cannot be read as this request's. */
export function renderError(e: unknown): void {
  clearAnswer();
  byId("result-empty", HTMLParagraphElement).hidden = true;
  const el = byId("error", HTMLParagraphElement);
  el.hidden = false;
  el.textContent = describeError(e);
  el.dataset.code = isEdgefuseError(e) ? e.code : "page_error";
}

export function hideError(): void {
  byId("error", HTMLParagraphElement).hidden = true;
}

export function renderModels(m: ModelsResponse, fusion: HTMLSelectElement, wanted?: string): void {
  const current = wanted && m.fusionMethods.includes(wanted as (typeof m.fusionMethods)[number]) ? wanted : fusion.value || m.defaultFusion;
  fusion.replaceChildren(...m.fusionMethods.map((f) => new Option(f === m.defaultFusion ? `${f} (default)` : f, f, false, f === current)));
  const heads = m.heads.map((x) => `${x.fusion}: ${x.id}@${x.version}`).join(", ");
  byId("models-info", HTMLElement).textContent = `Suite ${m.suite.id}@${m.suite.version} · text ${m.answerText.id}@${m.answerText.version} (${m.answerText.quantization}) · image ${m.image.id}@${m.image.version} (${m.image.served}) · heads ${heads}`;
}
