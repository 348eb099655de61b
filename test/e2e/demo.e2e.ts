/**
 * Browser test of the demo page: real Chromium (Debian's, driven by playwright-core; no browser is
 * downloaded) against the real local stack. The page's answers must equal what the typed client
 * gets from the API for the same request.
 *   npm run test:e2e          (CHROMIUM_PATH overrides /usr/bin/chromium; EDGEFUSE_E2E_URL uses a running stack)
 */
import { mkdirSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { createClient } from "../../functions/client/index";
import { percent } from "../../functions/client/demo/render";
import { generateScene, renderScene } from "../../scripts/dataset/sort-of-clevr";
import { encodePng } from "../../scripts/dataset/png";
import { buildDemo } from "../../scripts/build-demo";
import { check, checkEqual, log, summary } from "./check";
import { startStack, type Stack } from "./stack";

const OUT = "test/output";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const QUESTION = "what shape is the red object?";
const FUSION = "concat";
const SLOW = 90_000; // first answers load models on a busy 2-core machine
/** HTTP error statuses the current step provokes on purpose. */
const expectedStatus = new Set<number>();

interface Shown {
  label: string;
  score: string;
  pct: string;
  cacheText: string;
  cacheImage: string;
}

async function askOnPage(page: Page): Promise<Shown> {
  const before = await page.locator("#meta").textContent();
  // Keyboard path: Enter in the question field submits the form.
  await page.locator("#question").press("Enter");
  await page.waitForFunction((prev) => document.querySelector("#meta")?.textContent !== prev || !document.querySelector("#error")?.hasAttribute("hidden"), before, { timeout: SLOW });
  const error = page.locator("#error");
  if (await error.isVisible()) throw new Error(`the page shows an error: ${await error.textContent()}`);
  return {
    label: (await page.locator("#top-answer").textContent()) ?? "",
    score: (await page.locator("#top-answer").getAttribute("data-score")) ?? "",
    pct: (await page.locator("#top-score").textContent()) ?? "",
    cacheText: (await page.locator("#cache-text").textContent()) ?? "",
    cacheImage: (await page.locator("#cache-image").textContent()) ?? "",
  };
}

async function openPage(browser: Browser, url: string, viewport: { width: number; height: number }, mobile: boolean): Promise<Page> {
  const context = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: mobile ? 2 : 1 });
  const page = await context.newPage();
  page.on("pageerror", (e) => check("no uncaught page error", false, e.message));
  // Failed loads are judged by status below (the upload step expects its 415); other console errors fail.
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && check("no console error", false, m.text()));
  page.on("response", (r) => r.status() >= 400 && !expectedStatus.has(r.status()) && check("no unexpected HTTP error", false, `${r.status()} ${r.url()}`));
  await page.goto(url + "/");
  await page.waitForSelector("body[data-ready=true]", { timeout: SLOW });
  return page;
}

async function desktop(browser: Browser, stack: Stack): Promise<void> {
  const client = createClient({ baseUrl: stack.url, timeoutMs: SLOW });
  const page = await openPage(browser, stack.url, { width: 1280, height: 900 }, false);
  log("page ready; checking labels and the fusion list");
  const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll("input, select")).filter((e) => (e as HTMLInputElement).labels?.length === 0).map((e) => e.id));
  checkEqual("every input and select has a label", unlabelled, []);
  const models = await client.models();
  const offered = await page.locator("#fusion option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  checkEqual("fusion methods offered = GET /v1/models", offered, models.fusionMethods);

  await page.selectOption("#template", "shape");
  await page.selectOption("#colour", "red");
  await page.selectOption("#fusion", FUSION);
  checkEqual("question from the pickers", await page.inputValue("#question"), QUESTION);

  log(`asking "${QUESTION}" about sample 1 with ${FUSION} (first ask)`);
  const first = await askOnPage(page);
  const sample = new Uint8Array(await (await fetch(`${stack.url}/samples/000000.png`)).arrayBuffer());
  const api = await client.answer({ question: QUESTION, image: sample, fusion: FUSION, topK: 5 });
  const top = api.answers[0]!;
  checkEqual("shown top answer = API top answer", first.label, top.label);
  checkEqual("shown top score = API top score (exact)", first.score, String(top.score));
  checkEqual("shown percentage = API score formatted", first.pct, percent(top.score));
  const truth = await page.locator("#verdict").textContent();
  check("true answer shown for a sample scene", /true answer: (circle|square)/.test(truth ?? ""), truth ?? "");
  const stages = await page.locator("#timings-body tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-stage")));
  check("stage timings shown, with total", stages.includes("total"), stages.join(","));
  const totalHeader = await page.locator('#timings-body tr[data-stage="total"] td').nth(1).textContent();
  check("Server-Timing header read by the page", totalHeader !== "—" && Number(totalHeader) >= 0, `total ${totalHeader} ms`);

  log("asking again (second ask)");
  const second = await askOnPage(page);
  checkEqual("second ask: cache hit for both modalities", [second.cacheText, second.cacheImage], ["hit", "hit"]);
  checkEqual("second ask: same answer", [second.label, second.score], [first.label, first.score]);
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: `${OUT}/demo.png`, fullPage: true });
  log(`screenshot ${OUT}/demo.png`);

  log("drawing a new scene in the browser and asking about it");
  await page.click("#draw");
  await page.waitForFunction(() => document.querySelector("#image-caption")?.textContent?.startsWith("Drawn here"));
  const caption = (await page.locator("#image-caption").textContent()) ?? "";
  const drawn = await askOnPage(page);
  // A random scene is new to the feature cache (wrangler dev keeps the Cache API tier across runs, so samples may not be).
  checkEqual("new scene: image features computed (cache miss)", drawn.cacheImage, "miss");
  const seed = Number(/seed (\d+)/.exec(caption)?.[1]);
  // The same scene encoded in Node: identical pixels give identical features, hence the same score.
  const nodePng = encodePng(renderScene(generateScene(seed, 0)));
  const apiDrawn = await client.answer({ question: QUESTION, image: nodePng, fusion: FUSION, topK: 5 });
  checkEqual(`drawn scene (seed ${seed}) answers like the Node-rendered PNG`, [drawn.label, drawn.score], [apiDrawn.answers[0]!.label, String(apiDrawn.answers[0]!.score)]);
  const again = await askOnPage(page);
  checkEqual("new scene asked again: cache hit for both modalities", [again.cacheText, again.cacheImage], ["hit", "hit"]);

  log("uploading a file that is not an image");
  expectedStatus.add(415);
  await page.setInputFiles("#upload", { name: "not-an-image.png", mimeType: "image/png", buffer: Buffer.from("hello") });
  await page.locator("#question").press("Enter");
  await page.waitForSelector("#error:not([hidden])", { timeout: SLOW });
  checkEqual("upload error shows the server's code", await page.locator("#error").getAttribute("data-code"), "unsupported_image_type");
  expectedStatus.clear();
  await page.context().close();
}

async function phone(browser: Browser, stack: Stack): Promise<void> {
  log("phone width 390×844");
  const page = await openPage(browser, stack.url, { width: 390, height: 844 }, true);
  const shown = await askOnPage(page);
  check("phone: an answer is shown", shown.label !== "", shown.label);
  const overflow = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  check("phone: no horizontal overflow", overflow.scroll <= overflow.inner, `scrollWidth ${overflow.scroll}, innerWidth ${overflow.inner}`);
  await page.screenshot({ path: `${OUT}/demo-phone.png`, fullPage: true });
  log(`screenshot ${OUT}/demo-phone.png`);
  await page.context().close();
}

async function main(): Promise<number> {
  log("building public/app.js");
  await buildDemo({ quiet: true });
  const stack = await startStack(log);
  let browser: Browser | undefined;
  try {
    log(`launching ${CHROMIUM}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // playwright gives each launch a fresh temporary profile (--user-data-dir).
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
    });
    log(`chromium ${browser.version()}`);
    await desktop(browser, stack);
    await phone(browser, stack);
  } catch (e) {
    check("browser test ran to the end", false, e instanceof Error ? (e.stack ?? e.message) : String(e));
  } finally {
    await browser?.close();
    await stack.stop();
  }
  return summary();
}

process.exit(await main());
