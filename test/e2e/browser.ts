/**
 * Opening the demo in Chromium the way the tests need it: a fresh context at a given size and
 * colour scheme, failures on uncaught page errors, console errors and unexpected HTTP errors, and a
 * wait until the page says it is ready.
 */
import type { Browser, Page } from "playwright-core";
import { check } from "./check";

export const SLOW = 90_000; // first answers load models on a busy 2-core machine

/** HTTP error statuses the current step provokes on purpose. */
export const expectedStatus = new Set<number>();

export interface PageOptions {
  readonly viewport: { width: number; height: number };
  readonly mobile?: boolean;
  readonly colorScheme?: "light" | "dark";
  /** Path and query to open (default "/"). */
  readonly path?: string;
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function openPage(browser: Browser, url: string, opts: PageOptions): Promise<Page> {
  const mobile = opts.mobile ?? false;
  const context = await browser.newContext({ viewport: opts.viewport, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: mobile ? 2 : 1, colorScheme: opts.colorScheme ?? "light" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
  // A shared 2-core machine with wrangler reloading under it: generous waits, asserted states.
  context.setDefaultTimeout(SLOW);
  const page = await context.newPage();
  page.on("pageerror", (e) => check("no uncaught page error", false, e.message));
  // Failed loads are judged by status below (error steps expect theirs); other console errors fail.
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && check("no console error", false, m.text()));
  page.on("response", (r) => r.status() >= 400 && !expectedStatus.has(r.status()) && check("no unexpected HTTP error", false, `${r.status()} ${r.url()}`));
  await page.goto(url + (opts.path ?? "/"), { timeout: SLOW });
  await page.waitForSelector("body[data-ready=true]", { timeout: SLOW });
  return page;
}

/** The element's box, or a failure naming it. */
export async function box(page: Page, selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await page.locator(selector).first().boundingBox();
  if (!b) throw new Error(`${selector} is not visible`);
  return b;
}

export async function noHorizontalOverflow(page: Page, what: string): Promise<void> {
  const o = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  check(`${what}: no horizontal overflow`, o.scroll <= o.inner, `scrollWidth ${o.scroll}, innerWidth ${o.inner}`);
}
