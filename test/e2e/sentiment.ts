/**
 * The sentiment tab in Chromium: the face drawn from the sliders is pixel-identical to the task's
 * renderer in Node, the synthesised voice is byte-identical to the Node WAV, uploads replace them,
 * playback works, the switches take inputs out. With a sentiment suite served, the prediction
 * (probabilities, modalities used, cache per input) equals the API's, and a second prediction with
 * the same face and voice hits the cache for both.
 */
import { createHash } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { createClient } from "../../functions/client/index";
import { encodeWav, faceFromValence, renderFace, SAMPLE_RATE, synthVoice, voiceFromValence } from "../../functions/tasks/sentiment/index";
import { listSuites, predict, sentimentSuite } from "../../functions/client/demo/suite-api";
import { DESKTOP, openPage, PHONE, SLOW, noHorizontalOverflow } from "./browser";
import { check, checkEqual, log } from "./check";

const OUT = "test/output";
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex").slice(0, 16);

async function setRange(page: Page, id: string, value: number): Promise<void> {
  await page.locator(`#${id}`).fill(String(value));
}

async function canvasRgb(page: Page): Promise<string> {
  const bytes = await page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>("#s-face-canvas")!;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    const rgb: number[] = [];
    for (let i = 0; i < d.length; i += 4) rgb.push(d[i]!, d[i + 1]!, d[i + 2]!);
    return rgb;
  });
  return sha(Uint8Array.from(bytes));
}

async function audioBytes(page: Page): Promise<Uint8Array> {
  await page.waitForFunction(() => !!document.querySelector<HTMLAudioElement>("#s-audio")?.src);
  return Uint8Array.from(await page.evaluate(async () => Array.from(new Uint8Array(await (await fetch(document.querySelector<HTMLAudioElement>("#s-audio")!.src)).arrayBuffer()))));
}

export async function sentimentTab(browser: Browser, url: string): Promise<void> {
  log("sentiment tab: a link with tab=sentiment opens it");
  const page = await openPage(browser, url, { viewport: DESKTOP, path: "/?tab=sentiment" });
  check("the sentiment panel is shown", await page.locator("#panel-sentiment").isVisible());
  checkEqual("the sentiment tab is selected", await page.getByRole("tab", { name: "Sentiment" }).getAttribute("aria-selected"), "true");

  log("face from the sliders = the task's renderer in Node");
  await setRange(page, "s-face-valence", 2.5);
  await setRange(page, "s-face-roll", -0.2);
  await setRange(page, "s-face-light", 0.6);
  await page.getByRole("checkbox", { name: "Mask and dark glasses" }).check();
  const face = renderFace(faceFromValence(2.5, { roll: -0.2, light: 0.6, covered: true, pose: "frontal" }));
  checkEqual("drawn face pixels = renderFace in Node", await canvasRgb(page), sha(face.data));
  check("the face's accessible name follows the sliders", /expression \+2\.5.*mask/.test((await page.locator("#s-face-canvas").getAttribute("aria-label")) ?? ""), (await page.locator("#s-face-canvas").getAttribute("aria-label")) ?? "");
  await page.getByRole("checkbox", { name: "Mask and dark glasses" }).uncheck();
  await page.getByRole("checkbox", { name: "Turned away" }).check();
  check("turned away is described", ((await page.locator("#s-face-canvas").getAttribute("aria-label")) ?? "").includes("turned away"));
  await page.getByRole("checkbox", { name: "Turned away" }).uncheck();

  log("voice from the sliders = the task's synthesiser in Node");
  await setRange(page, "s-voice-valence", -2);
  await setRange(page, "s-voice-pitch", 180);
  await setRange(page, "s-voice-snr", 20);
  await setRange(page, "s-voice-duration", 1.5);
  await page.getByRole("checkbox", { name: "Sarcastic drawl" }).check();
  await page.waitForFunction(() => (document.querySelector("#s-voice-info")?.textContent ?? "").includes("1.50 s") && (document.querySelector("#s-voice-info")?.textContent ?? "").includes("drawn out"));
  const wav = encodeWav(synthVoice(voiceFromValence(-2, { f0Hz: 180, snrDb: 20, durationS: 1.5, drawl: true, seed: 1 })), SAMPLE_RATE);
  checkEqual("synthesised WAV = encodeWav(synthVoice) in Node", sha(await audioBytes(page)), sha(wav));
  const played = await page.evaluate(async () => {
    const a = document.querySelector<HTMLAudioElement>("#s-audio")!;
    a.muted = true;
    await a.play();
    const playing = !a.paused;
    a.pause();
    return { playing, duration: a.duration };
  });
  check("the voice plays in the page", played.playing, JSON.stringify(played));
  check("its duration is the slider's", Math.abs(played.duration - 1.5) < 0.01, `${played.duration} s`);

  log("uploads replace the drawn face and the synthesised voice");
  await page.setInputFiles("#s-voice-file", { name: "voice.wav", mimeType: "audio/wav", buffer: Buffer.from(wav) });
  check("uploaded WAV announced", ((await page.locator("#s-voice-info").textContent()) ?? "").startsWith("Uploaded: voice.wav"));
  checkEqual("the uploaded WAV is what plays", sha(await audioBytes(page)), sha(wav));
  await page.getByRole("radio", { name: "Synthesised here from the sliders" }).check();
  const { encodePng } = await import("../../functions/tasks/sentiment/index");
  const facePng = encodePng(face);
  await page.setInputFiles("#s-face-file", { name: "face.png", mimeType: "image/png", buffer: Buffer.from(facePng) });
  check("uploaded face announced", ((await page.locator("#s-face-canvas").getAttribute("aria-label")) ?? "").includes("face.png"));
  await page.getByRole("radio", { name: "Drawn from the sliders" }).check();

  log("random example fills all three");
  const before = await page.inputValue("#s-text");
  await page.getByRole("button", { name: "Random example" }).click();
  check("random example: new text", (await page.inputValue("#s-text")) !== before || (await page.locator("#s-example-info").textContent())!.includes("seed"));

  const client = createClient({ baseUrl: url, timeoutMs: SLOW });
  const suite = sentimentSuite(await listSuites(client));
  if (!suite) {
    log("SKIP prediction checks: this edge serves no sentiment suite; the page must say so");
    check("the page says predictions are off", (await page.locator("#s-suite").getAttribute("data-unavailable")) === "true");
    check("Predict is disabled", await page.locator("#s-predict").isDisabled());
  } else {
    log(`predicting with suite ${suite.id}`);
    await page.locator("#s-text").fill("oh great, another delay");
    await page.locator("#s-predict").click();
    await page.waitForSelector("#s-result-body:not([hidden]), #s-error:not([hidden])", { timeout: SLOW });
    check("prediction shown (no error)", await page.locator("#s-result-body").isVisible(), (await page.locator("#s-error").textContent()) ?? "");
    const shownProbs = await page.locator("#s-probs li").evaluateAll((li) => li.map((l) => [l.getAttribute("data-label"), l.getAttribute("data-score")]));
    const faceBlob = await page.evaluate(async () => Array.from(new Uint8Array(await (await new Promise<Blob>((r) => document.querySelector<HTMLCanvasElement>("#s-face-canvas")!.toBlob((b) => r(b!), "image/png"))).arrayBuffer())));
    const inputs: Record<string, string | Blob> = {};
    for (const m of suite.modalities) inputs[m.name] = m.kind === "text" ? "oh great, another delay" : m.kind === "image" ? new Blob([Uint8Array.from(faceBlob)], { type: "image/png" }) : new Blob([new Uint8Array(await audioBytes(page))], { type: "audio/wav" });
    const api = await predict(client, suite.id, { inputs, fusion: await page.inputValue("#s-fusion"), topK: suite.labels.length, explain: true });
    checkEqual("probabilities = API (exact)", shownProbs, api.predictions.map((p) => [p.label, String(p.score)]));
    checkEqual("modalities used = API", await page.locator("#s-used").getAttribute("data-used"), api.modalitiesUsed.join(","));
    await page.locator("#s-predict").click();
    await page.waitForFunction(() => document.querySelector("#s-result")?.getAttribute("aria-busy") === "false" && !document.querySelector("#s-result-body")?.hasAttribute("hidden"), undefined, { timeout: SLOW });
    const cache = await page.locator("#s-cache .badge").evaluateAll((b) => Object.fromEntries(b.map((x) => [x.getAttribute("data-modality"), x.textContent])));
    const nonText = suite.modalities.filter((m) => m.kind !== "text").map((m) => m.name);
    checkEqual("second prediction: cache hit for face and voice", nonText.map((n) => cache[n]), nonText.map(() => "hit"));
    await page.screenshot({ path: `${OUT}/demo-sentiment.png`, fullPage: true });
    log(`screenshot ${OUT}/demo-sentiment.png`);
    await page.getByRole("checkbox", { name: "Send a face" }).uncheck();
    await page.locator("#s-predict").click();
    await page.waitForFunction(() => document.querySelector("#s-result")?.getAttribute("aria-busy") === "false" && (!document.querySelector("#s-result-body")?.hasAttribute("hidden") || !document.querySelector("#s-error")?.hasAttribute("hidden")), undefined, { timeout: SLOW });
    const used = (await page.locator("#s-used").getAttribute("data-used")) ?? "";
    const faceName = suite.modalities.find((m) => m.kind === "image")?.name ?? "face";
    check("face switched off: not among the modalities used", !used.split(",").includes(faceName), used);
    await page.getByRole("checkbox", { name: "Send a face" }).check();
  }
  if (!suite) await page.screenshot({ path: `${OUT}/demo-sentiment.png`, fullPage: true });
  await page.context().close();

  log("sentiment tab at phone size");
  const phone = await openPage(browser, url, { viewport: PHONE, mobile: true, path: "/?tab=sentiment" });
  await phone.getByRole("button", { name: "Random example" }).tap();
  await noHorizontalOverflow(phone, "sentiment, phone");
  await phone.screenshot({ path: `${OUT}/demo-sentiment-phone.png`, fullPage: true });
  await phone.context().close();
}
