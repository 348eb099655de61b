/**
 * The visual-question tab: image sources (sample thumbnails, upload, a scene drawn here), the
 * question pickers, the fusion choice, asking with a busy state, the answer, the attention overlay,
 * the comparison of every fusion head and the evaluation charts. Everything shown always belongs
 * to the current inputs: changing an input clears the answers it no longer matches.
 */
import type { EdgefuseClient } from "../client";
import type { FusionMethod, ModelsResponse } from "../types";
import { explanationOf } from "./api-extras";
import { AttentionOverlay } from "./attention-overlay";
import { startBusy } from "./busy";
import { clearComparison, renderComparison, runComparison } from "./compare";
import { byId, h } from "./dom";
import { loadEvalCharts } from "./eval-charts";
import { askExplained } from "./explained-answer";
import { drawnImage, loadSamples, type PickedImage, sampleImage, type SamplesFile, uploadedImage } from "./image-sources";
import { fillQuestionPickers, pickedQuestion, syncPickers, trueAnswer } from "./questions";
import { clearAnswer, describeError, hideError, renderAnswer, renderError, renderModels } from "./render";
import { intParam, linkWith, updateLink } from "./url-state";

export class VqaTab {
  private readonly form = byId("ask-form", HTMLFormElement);
  private readonly upload = byId("upload", HTMLInputElement);
  private readonly template = byId("template", HTMLSelectElement);
  private readonly colour = byId("colour", HTMLSelectElement);
  private readonly question = byId("question", HTMLInputElement);
  private readonly fusion = byId("fusion", HTMLSelectElement);
  private readonly askButton = byId("ask", HTMLButtonElement);
  private readonly preview = byId("preview", HTMLImageElement);
  private readonly thumbs = byId("thumbs", HTMLDivElement);
  private readonly overlay = new AttentionOverlay();
  private samples: SamplesFile | undefined;
  private image: PickedImage | undefined;
  private previewUrl: string | undefined;
  private size = { width: 0, height: 0 };
  private models: ModelsResponse | undefined;
  private inFlight: AbortController | undefined;

  constructor(
    private readonly client: () => EdgefuseClient,
    private readonly status: (text: string) => void,
  ) {}

  /** Wires the controls, loads samples, models and the evaluation; applies a shared link's state. */
  async start(link: URLSearchParams): Promise<void> {
    this.wire();
    const [samples] = await Promise.all([loadSamples(), this.loadModels(link.get("fusion") ?? undefined), loadEvalCharts(byId("eval-charts", HTMLDivElement), "sort-of-clevr")]);
    this.samples = samples;
    this.renderThumbs();
    const q = link.get("q");
    if (q) {
      this.question.value = q;
      syncPickers(this.template, this.colour, q);
    }
    const seed = intParam(link, "seed");
    const sample = intParam(link, "sample", samples.samples.length);
    await this.showImage(seed !== undefined ? await drawnImage(seed) : await sampleImage(samples, Math.max(0, (sample ?? 1) - 1)));
    if (q && link.get("tab") !== "sentiment") await this.ask(); // a shared question answers itself
  }

  async loadModels(wanted?: string): Promise<void> {
    try {
      const m = await this.client().models();
      this.models = m;
      renderModels(m, this.fusion, wanted);
      this.status(`Visual questions ready: ${m.fusionMethods.length} fusion methods; image features from the ${m.image.served}.`);
    } catch (e) {
      this.status("Could not load the model list.");
      renderError(e);
    }
  }

  private wire(): void {
    fillQuestionPickers(this.template, this.colour, byId("question-list", HTMLDataListElement));
    this.question.value = pickedQuestion(this.template, this.colour);
    const fromPickers = () => {
      this.question.value = pickedQuestion(this.template, this.colour);
      this.inputsChanged();
    };
    this.template.addEventListener("change", fromPickers);
    this.colour.addEventListener("change", fromPickers);
    this.question.addEventListener("input", () => {
      syncPickers(this.template, this.colour, this.question.value);
      this.inputsChanged();
    });
    this.fusion.addEventListener("change", () => this.inputsChanged());
    this.upload.addEventListener("change", () => {
      const f = this.upload.files?.[0];
      if (f) void this.showImage(uploadedImage(f));
    });
    byId("draw", HTMLButtonElement).addEventListener("click", () => void drawnImage().then((img) => this.showImage(img), renderError));
    this.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.ask();
    });
    byId("share", HTMLButtonElement).addEventListener("click", () => void this.copyLink());
  }

  private renderThumbs(): void {
    const samples = this.samples;
    if (!samples) return;
    this.thumbs.replaceChildren(
      ...samples.samples.map((s, i) => {
        const b = h("button", { type: "button", "aria-pressed": "false", "aria-label": `Sample ${i + 1}`, "data-sample": String(i + 1) }, h("img", { src: `/samples/${s.file}`, alt: "", width: "44", height: "44" }));
        b.addEventListener("click", () => void sampleImage(samples, i).then((img) => this.showImage(img), renderError));
        return b;
      }),
    );
  }

  private async showImage(picked: PickedImage): Promise<void> {
    this.inFlight?.abort();
    this.image = picked;
    if (this.previewUrl) URL.revokeObjectURL(this.previewUrl);
    this.previewUrl = URL.createObjectURL(picked.blob);
    this.preview.src = this.previewUrl;
    this.preview.alt = picked.alt;
    byId("image-caption", HTMLElement).textContent = picked.caption;
    this.thumbs.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.sample === picked.link?.sample)));
    if (picked.link) this.upload.value = ""; // an upload keeps its file name in the input
    this.size = { width: 0, height: 0 };
    this.inputsChanged();
    try {
      await this.preview.decode();
      if (this.image === picked) this.size = { width: this.preview.naturalWidth, height: this.preview.naturalHeight };
    } catch {
      // not decodable here; the edge will say why on Ask
    }
  }

  /** Inputs changed: answers on screen no longer match them, and the link follows. */
  private inputsChanged(): void {
    this.inFlight?.abort();
    clearAnswer("Press Ask to answer this question. The true answer of a known scene is shown after you ask.");
    hideError();
    this.overlay.clear();
    clearComparison();
    updateLink(this.linkParams());
  }

  private linkParams(): Record<string, string | undefined> {
    return { sample: this.image?.link?.sample, seed: this.image?.link?.seed, q: this.question.value.trim() || undefined, fusion: this.fusion.value || undefined };
  }

  private async copyLink(): Promise<void> {
    const out = byId("share-status", HTMLSpanElement);
    const url = linkWith(this.linkParams());
    if (!this.image?.link) {
      out.textContent = "Uploaded images cannot travel in a link; the link keeps the question and fusion.";
    }
    try {
      await navigator.clipboard.writeText(url);
      out.textContent = `${out.textContent ?? ""} Link copied.`.trim();
    } catch {
      out.textContent = `Copy it from the address bar: ${url}`;
    }
    out.dataset.url = url;
  }

  async ask(): Promise<void> {
    const image = this.image;
    const question = this.question.value.trim();
    if (!image) return renderError(new Error("Pick, upload or draw an image first."));
    if (!question) return renderError(new Error("Type or pick a question first."));
    this.inFlight?.abort(); // a newer question replaces an unanswered one
    const controller = (this.inFlight = new AbortController());
    const result = byId("result", HTMLElement);
    result.setAttribute("aria-busy", "true");
    const busy = startBusy(this.askButton, byId("ask-label", HTMLSpanElement), byId("busy", HTMLParagraphElement), "Asking…");
    const fusion = (this.fusion.value || undefined) as FusionMethod | undefined;
    const truth = trueAnswer(image.scene, question);
    try {
      const res = await askExplained(this.client(), { question, image: image.blob, fusion, topK: 5 }, { signal: controller.signal });
      if (controller.signal.aborted) return;
      renderAnswer(res, truth, image.scene !== undefined);
      const ex = explanationOf(res);
      if (ex?.attention) this.overlay.show(ex.attention, res.fusion, this.size, image.scene?.objects);
      else this.overlay.clear(ex ? `The ${res.fusion} head has no attention map; the comparison below shows one if another head has it.` : undefined);
      busy.stop();
      result.setAttribute("aria-busy", "false");
      await this.compare(question, image, res, truth, controller, !ex?.attention);
    } catch (e) {
      if (controller.signal.aborted) return;
      renderError(e);
      this.overlay.clear();
      clearComparison("No comparison: the question failed.");
    } finally {
      busy.stop();
      if (this.inFlight === controller) result.setAttribute("aria-busy", "false");
    }
  }

  private async compare(question: string, image: PickedImage, selected: Awaited<ReturnType<typeof askExplained>>, truth: string | undefined, controller: AbortController, borrowAttention: boolean): Promise<void> {
    const fusions = this.models?.fusionMethods ?? [selected.fusion];
    const section = byId("compare", HTMLElement);
    section.setAttribute("aria-busy", "true");
    byId("compare-empty", HTMLParagraphElement).textContent = `Asking the other ${fusions.length - 1} heads…`;
    try {
      const req = { question, image, imageUrl: this.previewUrl ?? "", size: this.size, fusions, selected, truth };
      const outcomes = await runComparison(this.client(), req, { signal: controller.signal });
      if (controller.signal.aborted) return;
      renderComparison(req, outcomes, describeError);
      // The selected head has no attention map: show the attention head's, labelled as such.
      const withMap = borrowAttention ? outcomes.find((o) => o.res && explanationOf(o.res)?.attention) : undefined;
      const map = withMap?.res ? explanationOf(withMap.res)?.attention : undefined;
      if (map && withMap) this.overlay.show(map, withMap.fusion, this.size, image.scene?.objects);
    } finally {
      section.setAttribute("aria-busy", "false");
    }
  }
}
