/**
 * Accessibility in both themes: axe-core on the answered page (answer, heatmap, comparison, charts
 * all on screen) in light and dark mode, at desktop and phone size, and on the sentiment tab.
 */
import type { Browser } from "playwright-core";
import { auditPage } from "./axe";
import { DESKTOP, openPage, PHONE } from "./browser";
import { check, log } from "./check";
import { ask } from "./vqa-page";

const OUT = "test/output";

export async function accessibility(browser: Browser, url: string): Promise<void> {
  for (const colorScheme of ["light", "dark"] as const) {
    for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
      log(`axe-core: ${colorScheme} mode, ${size}`);
      const page = await openPage(browser, url, { viewport, mobile: size === "phone", colorScheme });
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      check(`${colorScheme} mode: page background follows the theme`, colorScheme === "dark" ? bg !== "rgb(255, 255, 255)" : bg === "rgb(255, 255, 255)", bg);
      await ask(page);
      await auditPage(page, `VQA tab, answered, ${colorScheme}, ${size}`);
      if (size === "desktop") {
        await page.screenshot({ path: `${OUT}/demo-${colorScheme}.png` });
        await page.getByRole("tab", { name: "Sentiment" }).click();
        await auditPage(page, `sentiment tab, ${colorScheme}, ${size}`);
      }
      await page.context().close();
    }
  }
  log("the EVAL link from the page");
  const page = await openPage(browser, url, { viewport: DESKTOP });
  await Promise.all([page.waitForURL(/\/eval\/sort-of-clevr(\.html)?$/), page.getByRole("link", { name: /full evaluation/i }).click()]);
  check("the EVAL link opens a page with a heading", (await page.locator("main h1").count()) > 0, page.url());
  await auditPage(page, "EVAL page");
  await page.context().close();
}
