/**
 * Explanations (explain: true): the attention head's weights over its grid, and for every head a
 * per-modality attribution — how much the top answer's probability drops when that modality's
 * features are replaced by the head's absent input (zeros, presence mask 0). Computed at the edge
 * from the features already in hand: one extra head run of rows × modalities, no encoder work.
 */
import { softmax } from "../inference/answers";
import type { HeadChoice } from "../inference/head-selection";
import { type HeadResult, type HeadRow, runSuiteHead } from "../inference/suite-heads";
import type { ModelSession } from "../inference/ort";
import type { SuiteManifest } from "../../suites/manifest";

export interface Explanation {
  attention?: { rows: number; cols: number; modality: string; weights: number[] };
  attribution: Record<string, number>;
}

function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

export async function explain(session: ModelSession, m: SuiteManifest, choice: HeadChoice, rows: readonly HeadRow[], results: readonly HeadResult[]): Promise<Explanation[]> {
  const used = choice.used;
  // Row r × modality j: row r with modality j absent.
  const ablated: HeadRow[] = rows.flatMap((row) => used.map((name) => Object.fromEntries(Object.entries(row).filter(([k]) => k !== name))));
  const without = ablated.length ? await runSuiteHead(session, m, choice.head, ablated) : [];
  const grid = choice.head.attentionGrid;
  return results.map((r, i) => {
    const probs = softmax(r.logits);
    const top = argmax(r.logits);
    const attribution: Record<string, number> = {};
    used.forEach((name, j) => {
      attribution[name] = probs[top]! - softmax(without[i * used.length + j]!.logits)[top]!;
    });
    return {
      ...(r.attention && grid ? { attention: { rows: grid.rows, cols: grid.cols, modality: grid.modality, weights: Array.from(r.attention) } } : {}),
      attribution,
    };
  });
}
