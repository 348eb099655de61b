/**
 * Browser test of the demo page: real Chromium (Debian's, driven by playwright-core; no browser is
 * downloaded) against the real local stack. It drives every control at desktop and phone size,
 * compares what the page shows with what the typed client gets from the API, and audits
 * accessibility with axe-core in light and dark mode. Screenshots go to test/output/.
 *   npm run test:e2e          (CHROMIUM_PATH overrides /usr/bin/chromium; EDGEFUSE_E2E_URL uses a running stack)
 */
import { mkdirSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { createClient, isEdgefuseError } from "../../functions/client/index";
import { buildDemo } from "../../scripts/build-demo";
import { accessibility } from "./a11y";
import { SLOW } from "./browser";
import { check, log, summary } from "./check";
import { sentimentTab } from "./sentiment";
import { startStack } from "./stack";
import { vqaDesktop } from "./vqa-desktop";
import { vqaPhone } from "./vqa-phone";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** One answer before the browser opens, so the image side is warm (its first call loads the encoder). */
async function warmUp(url: string): Promise<void> {
  const client = createClient({ baseUrl: url, timeoutMs: SLOW });
  const image = new Uint8Array(await (await fetch(`${url}/samples/000000.png`)).arrayBuffer());
  for (let attempt = 1; ; attempt++) {
    try {
      await client.answer({ question: "what shape is the red object?", image });
      return;
    } catch (e) {
      if (!isEdgefuseError(e) || !e.retryable || attempt === 5) throw e;
      log(`warm-up attempt ${attempt}: ${e.code}, retrying`);
    }
  }
}

async function main(): Promise<number> {
  log("building public/app.js and the EVAL pages");
  await buildDemo({ quiet: true });
  mkdirSync("test/output", { recursive: true });
  const stack = await startStack(log);
  let browser: Browser | undefined;
  try {
    await warmUp(stack.url);
    log(`launching ${CHROMIUM}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // playwright gives each launch a fresh temporary profile (--user-data-dir).
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
    });
    log(`chromium ${browser.version()}`);
    const only = process.env.E2E_ONLY?.split(",");
    const steps = { desktop: vqaDesktop, phone: vqaPhone, sentiment: sentimentTab, a11y: accessibility };
    for (const [name, step] of Object.entries(steps)) {
      if (only && !only.includes(name)) continue;
      try {
        await step(browser, stack.url);
      } catch (e) {
        check(`${name} ran to the end`, false, e instanceof Error ? (e.stack ?? e.message) : String(e));
      }
    }
  } catch (e) {
    check("browser test ran to the end", false, e instanceof Error ? (e.stack ?? e.message) : String(e));
  } finally {
    await browser?.close();
    await stack.stop();
  }
  return summary();
}

process.exit(await main());
