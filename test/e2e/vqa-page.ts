/**
 * Reading the VQA tab as a test: ask and wait for the answer and the comparison, and collect what
 * the page shows (raw numbers from data attributes, the texts a person reads).
 */
import type { Page } from "playwright-core";
import { SLOW } from "./browser";

export interface Shown {
  label: string;
  score: string;
  pct: string;
  answerable: string;
  verdict: string;
  cacheText: string;
  cacheImage: string;
  requestId: string;
}

export interface CompareRow {
  fusion: string;
  label: string;
  score: string;
  attribution: Record<string, string>;
  attentionAlt: string | null;
}

/** Submits (by Enter in the question, or a click on Ask) and waits for the answer and the comparison. */
export async function ask(page: Page, how: "enter" | "click" = "enter"): Promise<Shown> {
  const before = await page.locator("#meta").textContent();
  if (how === "enter") await page.locator("#question").press("Enter");
  else await page.locator("#ask").click();
  await page.waitForFunction((prev) => (document.querySelector("#meta")?.textContent !== prev && !document.querySelector("#result-body")?.hasAttribute("hidden")) || !document.querySelector("#error")?.hasAttribute("hidden"), before, { timeout: SLOW });
  const error = page.locator("#error");
  if (await error.isVisible()) throw new Error(`the page shows an error: ${await error.textContent()}`);
  await page.waitForFunction(() => document.querySelector("#compare")?.getAttribute("aria-busy") === "false" && (!document.querySelector("#compare-table")?.hasAttribute("hidden") || !document.querySelector("#compare-error")?.hasAttribute("hidden")), undefined, { timeout: SLOW });
  return shown(page);
}

export async function shown(page: Page): Promise<Shown> {
  const text = async (sel: string) => ((await page.locator(sel).textContent()) ?? "").trim();
  const meta = await text("#meta");
  return {
    label: await text("#top-answer"),
    score: (await page.locator("#top-answer").getAttribute("data-score")) ?? "",
    pct: await text("#top-score"),
    answerable: (await page.locator("#answerable").getAttribute("data-answerable")) ?? "",
    verdict: await text("#verdict"),
    cacheText: await text("#cache-text"),
    cacheImage: await text("#cache-image"),
    requestId: /request (\S+)/.exec(meta)?.[1] ?? "",
  };
}

export async function compareRows(page: Page): Promise<CompareRow[]> {
  return page.locator("#compare-body tr").evaluateAll((rows) =>
    rows.map((r) => ({
      fusion: r.getAttribute("data-fusion") ?? "",
      label: r.getAttribute("data-label") ?? "",
      score: r.getAttribute("data-score") ?? "",
      attribution: Object.fromEntries(Array.from(r.querySelectorAll(".attr")).map((a) => [a.getAttribute("data-modality") ?? "", a.getAttribute("data-delta") ?? ""])),
      attentionAlt: r.querySelector("img[data-attention]")?.getAttribute("alt") ?? null,
    })),
  );
}
