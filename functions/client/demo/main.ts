/**
 * The demo page: two tabs, one per suite (visual questions; sentiment from text, face and voice),
 * both on the typed client. Entry point of public/app.js (scripts/build-demo.ts).
 */
import { createClient, type EdgefuseClient } from "../client";
import { byId } from "./dom";
import { renderError } from "./render";
import { SentimentTab } from "./sentiment-tab";
import { wireTabs } from "./tabs";
import { readLink, updateLink } from "./url-state";
import { VqaTab } from "./vqa-tab";

const apiKey = byId("api-key", HTMLInputElement);
const statusLine = byId("status", HTMLParagraphElement);

// Same origin as the page; a key typed into the page is kept in memory only.
const client = (): EdgefuseClient => createClient({ apiKey: apiKey.value.trim() || undefined, timeoutMs: 60_000 });
const status = (text: string) => (statusLine.textContent = text);

async function start(): Promise<void> {
  const link = readLink();
  const vqa = new VqaTab(client, status);
  const sentiment = new SentimentTab(client);
  const select = wireTabs(byId("tabs", HTMLElement), (id) => {
    const tab = id === "tab-sentiment" ? "sentiment" : undefined;
    updateLink({ tab });
    if (tab === "sentiment") void sentiment.activate();
  });
  if (link.get("tab") === "sentiment") select("tab-sentiment");
  apiKey.addEventListener("change", () => void vqa.loadModels());
  await vqa.start(link);
  await sentiment.start(link);
  document.body.dataset.ready = "true"; // for the browser test: pickers, samples and models are in place
}

start().catch(renderError);
