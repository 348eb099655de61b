/**
 * The sentiment tab (text, face, voice). Filled in once the edge serves the sentiment suite.
 */
import type { EdgefuseClient } from "../client";
import { byId, h } from "./dom";

export class SentimentTab {
  constructor(private readonly client: () => EdgefuseClient) {}

  async start(_link: URLSearchParams): Promise<void> {
    byId("sentiment-root", HTMLDivElement).replaceChildren(h("p", { class: "hint" }, "This edge does not serve the sentiment suite yet."));
    void this.client;
  }

  async activate(): Promise<void> {}
}
