/**
 * Accessibility audit with axe-core (the npm package's browser build, injected into the page):
 * WCAG 2.x A/AA rules, zero serious or critical violations allowed; minor and moderate ones are
 * listed so they are seen.
 */
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { check, log } from "./check";

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

export async function auditPage(page: Page, what: string): Promise<void> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] }, resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 5) }));
  });
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of violations.filter((x) => !serious.includes(x))) log(`axe (${what}) ${v.impact}: ${v.id} — ${v.help} ${v.nodes.join(" ")}`);
  check(`axe-core (${what}): no serious or critical violations`, serious.length === 0, serious.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(" ")}`).join("; "));
}
