/**
 * The demo page: wires the image sources, the question pickers and the fusion choice to the typed
 * client. Entry point of public/app.js (scripts/build-demo.ts).
 */
import { createClient, type EdgefuseClient } from "../client";
import type { FusionMethod } from "../types";
import { byId, option } from "./dom";
import { drawnImage, loadSamples, type PickedImage, sampleImage, type SamplesFile, uploadedImage } from "./image-sources";
import { fillQuestionPickers, pickedQuestion, trueAnswer } from "./questions";
import { renderAnswer, renderError, renderModels } from "./render";

const form = byId("ask-form", HTMLFormElement);
const sample = byId("sample", HTMLSelectElement);
const upload = byId("upload", HTMLInputElement);
const template = byId("template", HTMLSelectElement);
const colour = byId("colour", HTMLSelectElement);
const question = byId("question", HTMLInputElement);
const fusion = byId("fusion", HTMLSelectElement);
const apiKey = byId("api-key", HTMLInputElement);
const askButton = byId("ask", HTMLButtonElement);
const result = byId("result", HTMLElement);
const status = byId("status", HTMLParagraphElement);

let samples: SamplesFile | undefined;
let image: PickedImage | undefined;
let previewUrl: string | undefined;
let inFlight: AbortController | undefined;

// Same origin as the page; a key typed into the page is kept in memory only.
const client = (): EdgefuseClient => createClient({ apiKey: apiKey.value.trim() || undefined, timeoutMs: 30_000 });

function showImage(picked: PickedImage): void {
  image = picked;
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = URL.createObjectURL(picked.blob);
  const preview = byId("preview", HTMLImageElement);
  preview.src = previewUrl;
  preview.alt = picked.scene ? `Scene with ${picked.scene.objects.map((o) => `a ${o.colour} ${o.shape}`).join(", ")}` : picked.caption;
  byId("image-caption", HTMLElement).textContent = picked.caption;
  showTruth();
}

function showTruth(): void {
  const truth = trueAnswer(image?.scene, question.value);
  byId("truth", HTMLParagraphElement).textContent = truth ? `True answer for this scene: ${truth}` : image?.scene ? "Not a template question: no true answer to compare with." : "";
}

async function pickSample(): Promise<void> {
  if (!samples) return;
  showImage(await sampleImage(samples, Number(sample.value)));
  upload.value = "";
}

async function loadModels(): Promise<void> {
  try {
    const m = await client().models();
    renderModels(m, fusion);
    status.textContent = `Ready: ${m.fusionMethods.length} fusion methods; image features from the ${m.image.served}.`;
  } catch (e) {
    status.textContent = "Could not load the model list.";
    renderError(e);
  }
}

/** The select is filled from /v1/models; empty (models not loaded) lets the server pick its default. */
function selectedFusion(): FusionMethod | undefined {
  return fusion.value ? (fusion.value as FusionMethod) : undefined;
}

async function ask(): Promise<void> {
  if (!image) return renderError(new Error("Pick, upload or draw an image first."));
  if (!question.value.trim()) return renderError(new Error("Type or pick a question first."));
  inFlight?.abort(); // a newer question replaces an unanswered one
  const controller = (inFlight = new AbortController());
  result.setAttribute("aria-busy", "true");
  askButton.textContent = "Asking…";
  try {
    const res = await client().answer({ question: question.value, image: image.blob, fusion: selectedFusion(), topK: 5 }, { signal: controller.signal });
    renderAnswer(res, trueAnswer(image.scene, question.value));
  } catch (e) {
    if (!controller.signal.aborted) renderError(e);
  } finally {
    if (inFlight === controller) {
      result.setAttribute("aria-busy", "false");
      askButton.textContent = "Ask";
    }
  }
}

function wire(): void {
  fillQuestionPickers(template, colour, byId("question-list", HTMLDataListElement));
  const fromPickers = () => {
    question.value = pickedQuestion(template, colour);
    showTruth();
  };
  template.addEventListener("change", fromPickers);
  colour.addEventListener("change", fromPickers);
  question.addEventListener("input", showTruth);
  fromPickers();
  sample.addEventListener("change", () => void pickSample().catch(renderError));
  upload.addEventListener("change", () => {
    const f = upload.files?.[0];
    if (f) showImage(uploadedImage(f));
  });
  byId("draw", HTMLButtonElement).addEventListener("click", () => void drawnImage().then(showImage, renderError));
  apiKey.addEventListener("change", () => void loadModels());
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void ask();
  });
}

async function start(): Promise<void> {
  wire();
  const [loaded] = await Promise.all([loadSamples(), loadModels()]);
  samples = loaded;
  sample.replaceChildren(...loaded.samples.map((s, i) => option(String(i), `Sample ${i + 1}: scene ${s.index}`, i === 0)));
  await pickSample();
  document.body.dataset.ready = "true"; // for the browser test: pickers, samples and models are in place
}

start().catch(renderError);
