/**
 * "Compare fusion methods": the same question and image through every head, side by side: the top
 * answer, its probability, whether it is right (known scenes), the per-input attribution as a
 * diverging bar, and the attention map of heads that have one. Each row keeps the API's raw numbers
 * in data attributes so the browser test compares them exactly.
 */
import type { EdgefuseClient } from "../client";
import type { AnswerResponse, CallOptions, FusionMethod, WithMeta } from "../types";
import { explanationOf, type Explanation } from "./api-extras";
import { attributionBar } from "./attribution";
import { describeAttention } from "./attention-summary";
import { byId, h } from "./dom";
import { askExplained } from "./explained-answer";
import { heatmapDataUrl } from "./heatmap";
import type { PickedImage } from "./image-sources";
import { percent } from "./render";

export interface CompareRequest {
  readonly question: string;
  readonly image: PickedImage;
  readonly imageUrl: string;
  readonly size: { readonly width: number; readonly height: number };
  readonly fusions: readonly FusionMethod[];
  /** The answer the page already has for the selected head (not asked twice). */
  readonly selected: WithMeta<AnswerResponse>;
  readonly truth: string | undefined;
}

type Outcome = { readonly fusion: FusionMethod; readonly res?: WithMeta<AnswerResponse>; readonly error?: unknown };

export async function runComparison(client: EdgefuseClient, req: CompareRequest, opts: CallOptions): Promise<Outcome[]> {
  const others = req.fusions.filter((f) => f !== req.selected.fusion);
  // The selected head first, then the others in the edge's order. One at a time: the features are
  // cached, so each call is only a fusion, and a Worker isolate runs one inference at a time anyway
  // (parallel first loads of several heads have been seen to fail with a bare 503 under wrangler dev).
  const outcomes: Outcome[] = [{ fusion: req.selected.fusion, res: req.selected }];
  for (const fusion of others) {
    if (opts.signal?.aborted) break;
    try {
      outcomes.push({ fusion, res: await askExplained(client, { question: req.question, image: req.image.blob, fusion, topK: 3 }, opts) });
    } catch (error) {
      if (opts.signal?.aborted) break;
      outcomes.push({ fusion, error });
    }
  }
  return outcomes;
}

function attributionCell(ex: Explanation | undefined): HTMLTableCellElement {
  const entries = Object.entries(ex?.attribution ?? {});
  if (entries.length === 0) return h("td", { class: "hint" }, "not reported");
  return h("td", {}, ...entries.map(([modality, delta]) => attributionBar(modality, delta)));
}

function attentionCell(req: CompareRequest, fusion: string, ex: Explanation | undefined): HTMLTableCellElement {
  const map = ex?.attention;
  if (!ex) return h("td", { class: "hint" }, "not reported");
  if (!map) return h("td", { class: "hint" }, "none: this head has no attention");
  const summary = describeAttention(map, req.size.width, req.size.height, req.image.scene?.objects);
  return h(
    "td",
    {},
    h("span", { class: "attn-thumb" }, h("img", { src: req.imageUrl, alt: "" }), h("img", { src: heatmapDataUrl(map), alt: `Attention map of the ${fusion} head: ${summary}`, "data-attention": "compare" })),
  );
}

export function renderComparison(req: CompareRequest, outcomes: readonly Outcome[], describeError: (e: unknown) => string): void {
  byId("compare-empty", HTMLParagraphElement).hidden = true;
  const table = byId("compare-table", HTMLTableElement);
  table.hidden = false;
  byId("compare-caption", HTMLTableCaptionElement).textContent = `“${req.question}” — ${outcomes.length} fusion methods`;
  byId("compare-body", HTMLTableSectionElement).replaceChildren(
    ...outcomes.map(({ fusion, res, error }) => {
      const name = h("th", { scope: "row" }, fusion, fusion === req.selected.fusion ? h("span", { class: "hint" }, " (selected)") : "");
      if (!res) return h("tr", { "data-fusion": fusion, "data-error": "true" }, name, h("td", { colspan: "4", class: "error" }, describeError(error)));
      const top = res.answers[0];
      const ex = explanationOf(res);
      const verdict = req.truth === undefined || !top ? "" : top.label === req.truth ? " ✓" : " ✗";
      const verdictText = req.truth === undefined || !top ? "" : top.label === req.truth ? "correct" : `wrong, true answer ${req.truth}`;
      return h(
        "tr",
        { "data-fusion": fusion, "data-label": top?.label ?? "", "data-score": String(top?.score ?? ""), class: fusion === req.selected.fusion ? "selected" : "" },
        name,
        h("td", {}, h("strong", {}, top?.label ?? "—"), h("span", { class: verdict === " ✓" ? "ok" : "wrong", title: verdictText }, verdict), verdictText ? h("span", { class: "visually-hidden" }, ` (${verdictText})`) : ""),
        h("td", {}, h("span", { class: "pct" }, top ? percent(top.score) : "—"), h("span", { class: "bar", "aria-hidden": "true" }, h("span", { style: `width:${((top?.score ?? 0) * 100).toFixed(2)}%` }))),
        attributionCell(ex),
        attentionCell(req, fusion, ex),
      );
    }),
  );
}

export function clearComparison(message = "Ask a question to fill this table."): void {
  const empty = byId("compare-empty", HTMLParagraphElement);
  empty.hidden = false;
  empty.textContent = message;
  byId("compare-table", HTMLTableElement).hidden = true;
  byId("compare-body", HTMLTableSectionElement).replaceChildren();
  byId("compare-error", HTMLParagraphElement).hidden = true;
}
