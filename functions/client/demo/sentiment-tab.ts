/**
 * The sentiment tab: what is said (text), a face (drawn from sliders by the task's renderer, or
 * uploaded) and a voice (synthesised here by the task's generator, or a WAV), a fusion picker, and
 * the prediction: class probabilities, the sentiment score, which inputs the head used, the cache
 * status of each input and each input's attribution.
 */
import type { EdgefuseClient } from "../client";
import { classOf, generateSample } from "../../tasks/sentiment/index";
import { explanationOf } from "./api-extras";
import { attributionBar } from "./attribution";
import { startBusy } from "./busy";
import { byId, h } from "./dom";
import { loadEvalCharts } from "./eval-charts";
import { FaceInput } from "./face-input";
import { describeError, percent } from "./render";
import { renderSentimentEval } from "./sentiment-eval";
import { signed } from "./slider";
import { listSuites, predict, sentimentSuite, type PredictResponse, type SuiteSummary } from "./suite-api";
import { updateLink } from "./url-state";
import { VoiceInput } from "./voice-input";
import type { WithMeta } from "../types";

interface Example {
  readonly seed: number;
  readonly text: string;
  readonly label: string;
  readonly score: number;
  readonly kind: string;
}

export class SentimentTab {
  private readonly text = byId("s-text", HTMLTextAreaElement);
  private readonly fusion = byId("s-fusion", HTMLSelectElement);
  private readonly button = byId("s-predict", HTMLButtonElement);
  private readonly suiteLine = byId("s-suite", HTMLParagraphElement);
  private suite: SuiteSummary | undefined;
  private example: Example | undefined;
  private inFlight: AbortController | undefined;
  private face: FaceInput | undefined;
  private voice: VoiceInput | undefined;
  private started = false;

  constructor(private readonly client: () => EdgefuseClient) {}

  async start(link: URLSearchParams): Promise<void> {
    if (this.started) return;
    this.started = true;
    const text = link.get("text");
    if (text) this.text.value = text;
    this.face = new FaceInput(() => this.inputsChanged());
    this.voice = new VoiceInput(() => this.inputsChanged());
    this.text.addEventListener("input", () => {
      this.example = undefined;
      byId("s-example-info", HTMLParagraphElement).textContent = "";
      this.inputsChanged();
    });
    this.fusion.addEventListener("change", () => this.inputsChanged());
    byId("s-example", HTMLButtonElement).addEventListener("click", () => this.randomExample());
    byId("s-form", HTMLFormElement).addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.predict();
    });
    await Promise.all([this.loadSuite(link.get("sfusion") ?? undefined), loadEvalCharts(byId("s-eval-charts", HTMLDivElement), "sentiment", renderSentimentEval)]);
  }

  /** Called when the tab is shown; nothing to load twice. */
  async activate(): Promise<void> {}

  private async loadSuite(wanted?: string): Promise<void> {
    try {
      const suite = sentimentSuite(await listSuites(this.client()));
      if (!suite) return this.unavailable("This edge does not serve a sentiment suite (text, face and voice) yet. The face and voice below are still drawn and synthesised here.");
      this.suite = suite;
      const current = wanted && suite.fusionMethods.includes(wanted) ? wanted : suite.defaultFusion;
      this.fusion.replaceChildren(...suite.fusionMethods.map((f) => new Option(f === suite.defaultFusion ? `${f} (default)` : f, f, false, f === current)));
      const mods = suite.modalities.map((m) => `${m.name} (${m.kind}${m.required ? ", required" : ", optional"})`).join(", ");
      this.suiteLine.textContent = `Suite ${suite.id}@${suite.version}: ${suite.title}. Inputs: ${mods}. Classes: ${suite.labels.join(", ")}.`;
      this.button.disabled = false;
    } catch (e) {
      this.unavailable(`The suite list could not be loaded: ${describeError(e)}`);
    }
  }

  private unavailable(why: string): void {
    this.suiteLine.textContent = why;
    this.suiteLine.dataset.unavailable = "true";
    this.fusion.replaceChildren(new Option("(no suite)", "", true, true));
    this.button.disabled = true;
  }

  private randomExample(): void {
    const seed = 100_000 + (crypto.getRandomValues(new Uint32Array(1))[0]! % 900_000);
    const s = generateSample(seed, 0);
    this.text.value = s.text;
    this.face?.setFrom(s.face);
    this.voice?.setFrom(s.voice);
    this.example = { seed, text: s.text, label: s.label, score: s.score, kind: s.kind };
    byId("s-example-info", HTMLParagraphElement).textContent = `Generated example (seed ${seed}). Its true class is shown after you predict.`;
    this.inputsChanged();
  }

  private inputsChanged(): void {
    this.inFlight?.abort();
    byId("s-result-body", HTMLDivElement).hidden = true;
    byId("s-error", HTMLParagraphElement).hidden = true;
    byId("s-result-empty", HTMLParagraphElement).hidden = false;
    updateLink({ text: this.text.value.trim() || undefined, sfusion: this.fusion.value || undefined });
  }

  /** The request's inputs keyed by the suite's modality names (found by kind). */
  private async inputs(suite: SuiteSummary): Promise<Record<string, string | Blob | null>> {
    const out: Record<string, string | Blob | null> = {};
    for (const m of suite.modalities) {
      const value = m.kind === "text" ? this.text.value.trim() || null : m.kind === "image" ? ((await this.face?.bytes()) ?? null) : (this.voice?.bytes() ?? null);
      if (value === null && m.required) throw new Error(`The suite needs ${m.name} (${m.kind}); switch it on or fill it in.`);
      if (value !== null) out[m.name] = value;
    }
    return out;
  }

  async predict(): Promise<void> {
    const suite = this.suite;
    if (!suite) return;
    this.inFlight?.abort();
    const controller = (this.inFlight = new AbortController());
    const section = byId("s-result", HTMLElement);
    section.setAttribute("aria-busy", "true");
    const busy = startBusy(this.button, byId("s-predict-label", HTMLSpanElement), byId("s-busy", HTMLParagraphElement), "Predicting…");
    try {
      const inputs = await this.inputs(suite);
      const res = await predict(this.client(), suite.id, { inputs, fusion: this.fusion.value || undefined, topK: suite.labels.length, explain: true }, { signal: controller.signal });
      if (!controller.signal.aborted) {
        this.render(suite, res);
        section.scrollIntoView({ block: "nearest" }); // the result sits under the three input cards
      }
    } catch (e) {
      if (controller.signal.aborted) return;
      byId("s-result-body", HTMLDivElement).hidden = true;
      byId("s-result-empty", HTMLParagraphElement).hidden = true;
      const err = byId("s-error", HTMLParagraphElement);
      err.hidden = false;
      err.textContent = describeError(e);
      err.dataset.code = (e as { code?: string }).code ?? "page_error";
    } finally {
      busy.stop();
      section.setAttribute("aria-busy", "false");
    }
  }

  private render(suite: SuiteSummary, res: WithMeta<PredictResponse>): void {
    byId("s-result-empty", HTMLParagraphElement).hidden = true;
    byId("s-error", HTMLParagraphElement).hidden = true;
    byId("s-result-body", HTMLDivElement).hidden = false;
    const top = res.predictions[0];
    const label = byId("s-label", HTMLElement);
    label.textContent = top?.label ?? "—";
    label.dataset.score = String(top?.score ?? "");
    byId("s-top-score", HTMLSpanElement).textContent = top ? percent(top.score) : "";
    byId("s-score", HTMLSpanElement).textContent = res.score !== undefined ? `sentiment score s = ${signed(res.score, 2)} (on −3…+3${res.score !== undefined ? `, class ${classOf(Math.round(res.score))}` : ""})` : "";
    const truth = byId("s-truth", HTMLParagraphElement);
    const ex = this.example;
    truth.className = !ex ? "hint" : ex.label === top?.label ? "ok" : "wrong";
    truth.textContent = ex ? `${ex.label === top?.label ? "✓ Correct" : "✗ Wrong"}: the generated example is ${ex.label} (s = ${signed(ex.score, 0)}, ${ex.kind} wording).` : "";
    byId("s-probs", HTMLOListElement).replaceChildren(
      ...res.predictions.map((a) => h("li", { "data-label": a.label, "data-score": String(a.score) }, h("span", { class: "label" }, a.label), h("span", { class: "bar", "aria-hidden": "true" }, h("span", { style: `width:${(a.score * 100).toFixed(2)}%` })), h("span", { class: "pct" }, percent(a.score)))),
    );
    const used = byId("s-used", HTMLParagraphElement);
    used.dataset.used = res.modalitiesUsed.join(",");
    const unused = suite.modalities.map((m) => m.name).filter((n) => !res.modalitiesUsed.includes(n));
    used.textContent = `Inputs used by the ${res.fusion} head: ${res.modalitiesUsed.join(", ")}${unused.length ? ` (not used: ${unused.join(", ")})` : ""}${res.degraded ? " — degraded: a remote input failed" : ""}.`;
    byId("s-cache", HTMLParagraphElement).replaceChildren(
      "Feature cache: ",
      ...suite.modalities.flatMap((m) => {
        const status = res.cache[m.name] ?? "none";
        return [`${m.name} `, h("span", { class: `badge ${status}`, "data-modality": m.name }, status), " "];
      }),
    );
    const attribution = explanationOf(res)?.attribution ?? {};
    byId("s-attribution", HTMLDivElement).replaceChildren(
      ...(Object.keys(attribution).length
        ? [h("p", { class: "hint" }, "Attribution: change in the top class's probability when the input is replaced by the head's “absent” input."), ...Object.entries(attribution).map(([m, d]) => attributionBar(m, d))]
        : []),
    );
    byId("s-round-trip", HTMLParagraphElement).textContent = `Round trip measured by this browser: ${res.meta.elapsedMs.toFixed(0)} ms.`;
    byId("s-meta", HTMLParagraphElement).textContent = `${Object.entries(res.models).map(([k, v]) => `${k} ${v}`).join(" · ")} · request ${res.meta.requestId}`;
  }
}

