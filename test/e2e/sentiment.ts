/**
 * The sentiment tab in Chromium (text, face, voice, fusion picker, prediction). Filled in when the
 * edge serves the sentiment suite.
 */
import type { Browser } from "playwright-core";
import { DESKTOP, openPage } from "./browser";
import { check, log } from "./check";

export async function sentimentTab(browser: Browser, url: string): Promise<void> {
  log("sentiment tab");
  const page = await openPage(browser, url, { viewport: DESKTOP, path: "/?tab=sentiment" });
  check("a link with tab=sentiment opens the sentiment tab", await page.locator("#panel-sentiment").isVisible());
  await page.context().close();
}
