/**
 * The VQA tab at 1280×800, driven as a person would: thumbnails, pickers, typing, fusion choice,
 * Ask by Enter and by click, the busy state, the heatmap toggle and opacity, the comparison, the
 * share link, a scene drawn in the browser, a bad upload. Everything shown is checked against what
 * the typed client gets from the API for the same request.
 */
import type { Browser, Page } from "playwright-core";
import { createClient, type EdgefuseClient, type FusionMethod } from "../../functions/client/index";
import { answerableOf, explanationOf } from "../../functions/client/demo/api-extras";
import { describeAttention } from "../../functions/client/demo/attention-summary";
import { askExplained } from "../../functions/client/demo/explained-answer";
import { percent } from "../../functions/client/demo/render";
import { answerQuestion, generateScene, parseQuestion, renderScene, type SceneObject } from "../../functions/tasks/sort-of-clevr/generator";
import { encodePng } from "../../scripts/dataset/png";
import { box, DESKTOP, expectedStatus, noHorizontalOverflow, openPage, SLOW } from "./browser";
import { check, checkEqual, log } from "./check";
import { ask, compareRows, shown } from "./vqa-page";

const OUT = "test/output";

interface SamplesJson {
  seed: number;
  samples: { file: string; index: number; objects: SceneObject[] }[];
}

async function samplePng(url: string, file: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(`${url}/samples/${file}`)).arrayBuffer());
}

/** The page's answer, comparison and heatmap against the API's numbers for the same question. */
async function checkAgainstApi(page: Page, client: EdgefuseClient, image: Uint8Array, question: string, fusions: readonly string[], objects: SceneObject[] | undefined, what: string): Promise<void> {
  const selected = await page.inputValue("#fusion");
  const api = new Map<string, Awaited<ReturnType<typeof askExplained>>>();
  for (const f of fusions) api.set(f, await askExplained(client, { question, image, fusion: f as FusionMethod, topK: 5 }));
  const mine = api.get(selected)!;
  const s = await shown(page);
  checkEqual(`${what}: top answer and exact score = API`, [s.label, s.score], [mine.answers[0]!.label, String(mine.answers[0]!.score)]);
  checkEqual(`${what}: percentage = API score formatted`, s.pct, percent(mine.answers[0]!.score));
  const answerable = answerableOf(mine);
  checkEqual(`${what}: answerable flag = API's`, s.answerable, answerable === undefined ? "unknown" : String(answerable));
  check(`${what}: the API reports answerable`, answerable !== undefined, answerable === undefined ? "POST /v1/answer has no `answerable` field" : "");

  const rows = await compareRows(page);
  checkEqual(`${what}: comparison lists every fusion method`, rows.map((r) => r.fusion).sort(), [...fusions].sort());
  checkEqual(
    `${what}: comparison answers and scores = API (exact)`,
    rows.map((r) => [r.fusion, r.label, r.score]),
    rows.map((r) => [r.fusion, api.get(r.fusion)!.answers[0]!.label, String(api.get(r.fusion)!.answers[0]!.score)]),
  );
  const attributions = rows.map((r) => [r.fusion, Object.fromEntries(Object.entries(explanationOf(api.get(r.fusion)!)?.attribution ?? {}).map(([k, v]) => [k, String(v)]))]);
  checkEqual(`${what}: comparison attributions = API (exact)`, rows.map((r) => [r.fusion, r.attribution]), attributions);
  const anyAttribution = attributions.some(([, a]) => Object.keys(a as object).length > 0);
  check(`${what}: the API sends attributions`, anyAttribution, anyAttribution ? "" : "no head returned explanation.attribution");

  // The heatmap: the selected head's map, or the attention head's when the selected one has none.
  const withMap = [selected, ...fusions].find((f) => explanationOf(api.get(f)!)?.attention);
  check(`${what}: the API sends an attention map`, withMap !== undefined, withMap ? `from the ${withMap} head` : "no head returned explanation.attention");
  if (!withMap) return;
  const map = explanationOf(api.get(withMap)!)!.attention!;
  const sum = map.weights.reduce((a, b) => a + b, 0);
  check(`${what}: ${withMap} attention has rows×cols weights summing to 1 ± 0.01`, map.weights.length === map.rows * map.cols && Math.abs(sum - 1) <= 0.01, `${map.rows}×${map.cols}, sum ${sum}`);
  const heat = page.getByRole("img", { name: /attention/i }).first();
  check(`${what}: an image whose accessible name mentions attention is shown`, await heat.isVisible());
  const expected = describeAttention(map, 75, 75, objects);
  const summary = (await page.locator("#attention-summary").textContent()) ?? "";
  check(`${what}: attention summary = the API's weights read in Node`, summary.includes(expected), `page "${summary}", expected "${expected}"`);
  check(`${what}: heatmap's accessible name carries the summary`, ((await page.locator("#heatmap").getAttribute("alt")) ?? "").includes(expected));
  const compareAlt = rows.find((r) => r.fusion === withMap)?.attentionAlt ?? "";
  check(`${what}: the ${withMap} row's attention thumbnail says the same`, compareAlt.includes(expected), compareAlt);
}

export async function vqaDesktop(browser: Browser, url: string): Promise<void> {
  const client = createClient({ baseUrl: url, timeoutMs: SLOW });
  const models = await client.models();
  const samples = (await (await fetch(`${url}/samples/samples.json`)).json()) as SamplesJson;
  const page = await openPage(browser, url, { viewport: DESKTOP });

  log("labels, fusion list, nothing revealed before asking");
  const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll("input, select, textarea")).filter((e) => (e as HTMLInputElement).labels?.length === 0 && !e.getAttribute("aria-label")).map((e) => e.id));
  checkEqual("every input and select has a label", unlabelled, []);
  const offered = await page.locator("#fusion option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  checkEqual("fusion methods offered = GET /v1/models", offered, models.fusionMethods);
  const bodyText = (await page.locator("body").innerText()).toLowerCase();
  check("the true answer is not shown before asking", !bodyText.includes("true answer is"), "found 'true answer is' before Ask");

  log("sample thumbnail 3, pickers, fusion");
  await page.getByRole("button", { name: "Sample 3" }).click();
  await page.waitForFunction(() => document.querySelector("#image-caption")?.textContent?.startsWith("Sample 3"));
  checkEqual("thumbnail 3 is pressed", await page.getByRole("button", { name: "Sample 3" }).getAttribute("aria-pressed"), "true");
  await page.selectOption("#template", "closest");
  await page.selectOption("#colour", "blue");
  const fusion = models.fusionMethods.includes("attention") ? "attention" : models.defaultFusion;
  await page.selectOption("#fusion", fusion);
  const question = await page.inputValue("#question");
  checkEqual("question from the pickers", question, "what shape is the object closest to the blue object?");
  const link = new URL(page.url());
  checkEqual("the address encodes sample, question and fusion", [link.searchParams.get("sample"), link.searchParams.get("q"), link.searchParams.get("fusion")], ["3", question, fusion]);

  log("busy state: the answer is held back until the checks ran");
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  await page.route("**/v1/answer", async (route) => {
    await gate;
    await route.continue();
  });
  await page.locator("#ask").click();
  await page.waitForFunction(() => (document.querySelector("#busy")?.textContent ?? "").includes("elapsed"));
  checkEqual("while asking: button disabled and aria-busy", [await page.locator("#ask").isDisabled(), await page.locator("#ask").getAttribute("aria-busy")], [true, "true"]);
  check("while asking: spinner visible", await page.locator("#ask .spinner").isVisible());
  await page.waitForTimeout(300); // let the elapsed counter tick past 0.0 s
  check("while asking: elapsed time ticks", /[1-9]\.\d s elapsed|0\.[1-9] s elapsed/.test((await page.locator("#busy").textContent()) ?? ""), (await page.locator("#busy").textContent()) ?? "");
  release();
  await page.waitForFunction(() => document.querySelector("#compare")?.getAttribute("aria-busy") === "false" && !document.querySelector("#compare-table")?.hasAttribute("hidden"), undefined, { timeout: SLOW });
  await page.unroute("**/v1/answer");
  checkEqual("after asking: button enabled again", await page.locator("#ask").isDisabled(), false);

  const sample3 = samples.samples[2]!;
  const truth = answerQuestion({ seed: samples.seed, index: sample3.index, objects: sample3.objects }, parseQuestion(question)!);
  const after = await shown(page);
  check("after asking: the true answer is revealed", after.verdict.includes(`true answer is ${truth}`), after.verdict);
  check("round trip labelled as measured by the browser", /measured by this browser: \d+ ms/.test((await page.locator("#round-trip").textContent()) ?? ""));
  await checkAgainstApi(page, client, await samplePng(url, sample3.file), question, models.fusionMethods, sample3.objects, "sample 3");

  log("above the fold at 1280×800, image and answer side by side");
  const [img, ans, btn] = [await box(page, "#preview"), await box(page, "#top-answer"), await box(page, "#ask")];
  check("image, Ask and the answer above the fold", [img, ans, btn].every((b) => b.y + b.height <= DESKTOP.height), JSON.stringify({ img, ans, btn }));
  check("image left of the answer", img.x + img.width <= ans.x, `image right edge ${img.x + img.width}, answer x ${ans.x}`);
  await page.screenshot({ path: `${OUT}/demo-desktop.png` });
  await page.screenshot({ path: `${OUT}/demo-desktop-full.png`, fullPage: true });
  log(`screenshots ${OUT}/demo-desktop.png, demo-desktop-full.png`);

  log("heatmap toggle and opacity");
  if (await page.locator("#heatmap-controls").isVisible()) {
    await page.locator("#heatmap-opacity").fill("30");
    checkEqual("opacity slider sets the overlay's opacity", await page.locator("#heatmap").evaluate((e) => (e as HTMLElement).style.opacity), "0.3");
    checkEqual("opacity shown as text", await page.locator("#heatmap-opacity-value").textContent(), "30%");
    await page.getByLabel("Show attention").uncheck();
    check("toggle off hides the heatmap", await page.locator("#heatmap").isHidden());
    await page.getByLabel("Show attention").check();
    check("toggle on shows it again", await page.locator("#heatmap").isVisible());
  } else check("heatmap controls shown after asking", false, "no attention map to show (see the API checks above)");

  log("asking again: cache hits");
  const again = await ask(page, "click");
  checkEqual("second ask: cache hit for both inputs", [again.cacheText, again.cacheImage], ["hit", "hit"]);

  log("typed question outside the task");
  await page.locator("#question").fill("What colour is the square?");
  check("editing the question clears the old answer", await page.locator("#result-body").isHidden());
  const offTask = await ask(page);
  const apiOff = await askExplained(client, { question: "What colour is the square?", image: await samplePng(url, sample3.file), fusion: fusion as FusionMethod, topK: 5 });
  checkEqual("off-task question: answerable shown = API's", offTask.answerable, String(answerableOf(apiOff) ?? "unknown"));
  check("off-task question: page says not answerable", offTask.answerable === "false", offTask.answerable);

  log("share link: a fresh page opened from it answers the same");
  await page.locator("#question").fill(question);
  const shared = await ask(page);
  await page.getByRole("button", { name: "Copy link to this question" }).click();
  await page.waitForFunction(() => !!document.querySelector("#share-status")?.getAttribute("data-url"));
  const sharedUrl = (await page.locator("#share-status").getAttribute("data-url"))!;
  const copied = await page.evaluate(() => navigator.clipboard.readText()).catch(() => "");
  checkEqual("copied link = the shown link", copied, sharedUrl);
  const other = await openPage(browser, url, { viewport: DESKTOP, path: new URL(sharedUrl).pathname + new URL(sharedUrl).search });
  await other.waitForFunction(() => !document.querySelector("#result-body")?.hasAttribute("hidden"), undefined, { timeout: SLOW });
  const reopened = await shown(other);
  checkEqual("shared link: same image, question, fusion and answer", [await other.locator("#image-caption").textContent(), await other.inputValue("#question"), await other.inputValue("#fusion"), reopened.label, reopened.score], [await page.locator("#image-caption").textContent(), question, fusion, shared.label, shared.score]);
  await other.context().close();

  log("drawing a new scene in the browser");
  await page.getByRole("button", { name: "Draw a new scene" }).click();
  await page.waitForFunction(() => document.querySelector("#image-caption")?.textContent?.startsWith("Drawn here"));
  const caption = (await page.locator("#image-caption").textContent()) ?? "";
  const seed = Number(/seed (\d+)/.exec(caption)?.[1]);
  await page.waitForFunction(() => new URLSearchParams(location.search).has("seed"));
  checkEqual("the address carries the drawn scene's seed, not a sample", [new URL(page.url()).searchParams.get("seed"), new URL(page.url()).searchParams.get("sample")], [String(seed), null]);
  const drawn = await ask(page);
  checkEqual("new scene: image features computed (cache miss)", drawn.cacheImage, "miss");
  const scene = generateScene(seed, 0);
  await checkAgainstApi(page, client, encodePng(renderScene(scene)), question, models.fusionMethods, scene.objects, `drawn scene seed ${seed} (Node-rendered PNG)`);

  log("a failing request: the error replaces the answer on screen");
  expectedStatus.add(503);
  await page.route("**/v1/answer", (route) => route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "image_features_unavailable", message: "the image-feature service is unavailable", requestId: "e2e-injected" } }) }), { times: 1 });
  await page.locator("#ask").click();
  await page.waitForSelector("#error:not([hidden])", { timeout: SLOW });
  checkEqual("injected 503: the page shows the code", await page.locator("#error").getAttribute("data-code"), "image_features_unavailable");
  checkEqual("injected 503: the previous answer, comparison and heatmap are gone", [await page.locator("#result-body").isHidden(), await page.locator("#compare-table").isHidden(), await page.locator("#heatmap").isHidden()], [true, true, true]);
  expectedStatus.clear();

  log("a bad upload: the server's error code is shown");
  expectedStatus.add(415);
  await page.setInputFiles("#upload", { name: "not-an-image.png", mimeType: "image/png", buffer: Buffer.from("hello") });
  await page.locator("#question").press("Enter");
  await page.waitForSelector("#error:not([hidden])", { timeout: SLOW });
  check("upload error shows the server's code", ["unsupported_image_type", "unsupported_image_format", "invalid_image"].includes((await page.locator("#error").getAttribute("data-code")) ?? ""), (await page.locator("#error").getAttribute("data-code")) ?? "");
  checkEqual("after the error: no old answer, comparison or heatmap left", [await page.locator("#result-body").isHidden(), await page.locator("#compare-table").isHidden(), await page.locator("#heatmap").isHidden()], [true, true, true]);
  expectedStatus.clear();

  log("keyboard: arrow keys move between tabs");
  await page.getByRole("tab", { name: "Visual questions" }).focus();
  await page.keyboard.press("ArrowRight");
  checkEqual("ArrowRight selects the sentiment tab", await page.getByRole("tab", { name: "Sentiment" }).getAttribute("aria-selected"), "true");
  checkEqual("the address says tab=sentiment", new URL(page.url()).searchParams.get("tab"), "sentiment");
  await page.keyboard.press("ArrowLeft");
  check("ArrowLeft returns to the VQA panel", await page.locator("#panel-vqa").isVisible());
  await noHorizontalOverflow(page, "desktop");
  await page.context().close();
}
