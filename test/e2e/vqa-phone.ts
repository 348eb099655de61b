/**
 * The VQA tab at phone size (390×844, touch): image above the answer, thumbnails by tap, the
 * comparison scrolls inside its own box, nothing overflows the page sideways.
 */
import type { Browser } from "playwright-core";
import { box, noHorizontalOverflow, openPage, PHONE } from "./browser";
import { check, log } from "./check";
import { ask } from "./vqa-page";

const OUT = "test/output";

export async function vqaPhone(browser: Browser, url: string): Promise<void> {
  log("phone 390×844");
  const page = await openPage(browser, url, { viewport: PHONE, mobile: true });
  await page.getByRole("button", { name: "Sample 2" }).tap();
  await page.waitForFunction(() => document.querySelector("#image-caption")?.textContent?.startsWith("Sample 2"));
  await page.selectOption("#template", "count");
  await page.selectOption("#colour", "green");
  const shown = await ask(page, "click");
  check("phone: an answer is shown", shown.label !== "", shown.label);
  const [img, ans] = [await box(page, "#preview"), await box(page, "#top-answer")];
  check("phone: image stacked above the answer", img.y + img.height <= ans.y, `image bottom ${img.y + img.height}, answer top ${ans.y}`);
  check("phone: comparison table is shown", await page.locator("#compare-table").isVisible());
  if (await page.getByLabel("Show attention").isVisible()) {
    await page.getByLabel("Show attention").tap();
    check("phone: tapping the toggle hides the heatmap", await page.locator("#heatmap").isHidden());
    await page.getByLabel("Show attention").tap();
    check("phone: tapping again shows it", await page.locator("#heatmap").isVisible());
  }
  await noHorizontalOverflow(page, "phone");
  await page.screenshot({ path: `${OUT}/demo-phone.png`, fullPage: true });
  log(`screenshot ${OUT}/demo-phone.png`);

  log("phone: draw, another fusion, share, tabs");
  await page.getByRole("button", { name: "Draw a new scene" }).tap();
  await page.waitForFunction(() => document.querySelector("#image-caption")?.textContent?.startsWith("Drawn here"));
  const fusions = await page.locator("#fusion option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  await page.selectOption("#fusion", fusions[fusions.length - 1]!);
  const drawn = await ask(page, "click");
  check("phone: drawn scene answered with the chosen fusion", ((await page.locator("#meta").textContent()) ?? "").includes(`fusion ${fusions[fusions.length - 1]}`), drawn.label);
  await page.getByRole("button", { name: "Copy link to this question" }).tap();
  await page.waitForFunction(() => !!document.querySelector("#share-status")?.getAttribute("data-url"));
  check("phone: share link carries the seed", ((await page.locator("#share-status").getAttribute("data-url")) ?? "").includes("seed="));
  await page.getByRole("tab", { name: "Sentiment" }).tap();
  check("phone: sentiment tab opens", await page.locator("#panel-sentiment").isVisible());
  await page.locator("#s-face-valence").fill("3");
  check("phone: face slider redraws", ((await page.locator("#s-face-canvas").getAttribute("aria-label")) ?? "").includes("+3.0"));
  await page.getByRole("tab", { name: "Visual questions" }).tap();
  check("phone: back on the VQA tab", await page.locator("#panel-vqa").isVisible());
  await page.context().close();
}
