/**
 * The suite pipeline behind POST /v1/suites/{suite}/predict and /v1/answer(/batch): choose the head
 * (inference/head-selection.ts), compute the features of the modalities it consumes concurrently
 * through the cache (features/modalities.ts), run the head, rank the labels. With allowDegraded, a
 * remote modality whose service fails (502/504) is dropped and the head is chosen again for what is
 * left; degraded results are flagged and never memoised.
 */
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { type Answer, topK } from "../inference/answers";
import { type HeadChoice, selectHead } from "../inference/head-selection";
import { headSession, warmSuiteHeads } from "../inference/suite-runtime";
import { type HeadResult, type HeadRow, runSuiteHead } from "../inference/suite-heads";
import type { SuiteEntry } from "../models/suites";
import { getServices } from "../services";
import { ServerTiming } from "../timing";
import { modelTag } from "../../suites/manifest";
import { answerableBy } from "./answerability";
import { type Explanation, explain } from "./explain";
import type { ModalityInput } from "./kinds";
import { type FeatureCacheStatus, type FeatureContext, type FieldName, inputsField, type ModalityFeatures, modalityFeatures } from "./modalities";

export interface PredictRequest {
  /** Inputs by modality name (names already checked against the suite). */
  readonly inputs: ReadonlyMap<string, ModalityInput>;
  readonly fusion?: string;
  readonly topK: number;
  readonly allowDegraded: boolean;
  /** Add attention weights and per-modality attribution (features/explain.ts). */
  readonly explain?: boolean;
  /** How errors name a modality's field (predict: inputs.<name>; answer: question / image). */
  readonly field?: FieldName;
}

export interface PredictRow {
  readonly predictions: Answer[];
  readonly score?: number;
  readonly answerable?: boolean;
  readonly explanation?: Explanation;
  readonly result: HeadResult;
}

export interface PredictResult {
  readonly rows: PredictRow[];
  readonly choice: HeadChoice;
  /** "id@version+hash" per modality encoder used, and the head. */
  readonly models: Record<string, string>;
  /** Per modality of the suite: per-row status ("none" when not used). */
  readonly cache: Record<string, FeatureCacheStatus[] | "none">;
  readonly features: ReadonlyMap<string, ModalityFeatures>;
  readonly degraded: boolean;
  readonly timing: ServerTiming;
}

type Outcome = { ok: ModalityFeatures } | { error: unknown };

export async function predict(c: Context<AppEnv>, suite: SuiteEntry, req: PredictRequest): Promise<PredictResult> {
  const timing = new ServerTiming();
  const m = suite.manifest;
  const ctx: FeatureContext = { suite, services: getServices(c.env), assets: c.env.ASSETS, waitUntil: (p) => c.executionCtx.waitUntil(p), timing };
  const provided = new Set(req.inputs.keys());
  let choice = selectHead(m, { fusion: req.fusion, provided });

  const outcomes = new Map<string, Promise<Outcome>>();
  const start = (name: string) => {
    if (!outcomes.has(name)) {
      const mod = m.modalities.find((x) => x.name === name)!;
      outcomes.set(name, modalityFeatures(ctx, mod, req.inputs.get(name)!, req.field ?? inputsField).then((ok) => ({ ok }), (error: unknown) => ({ error })));
    }
    return outcomes.get(name)!;
  };
  choice.used.forEach(start); // all remote calls and the text encoder run concurrently
  // The head's file read and session set-up (first use in this isolate) overlap the upstream call;
  // an error here is left to runHead, which awaits the same load and reports it. Under waitUntil: the
  // load is shared by later requests, and a request that ends early (a bad input refused upstream)
  // must not leave it half done (workerd cancels a finished request's pending I/O, and every request
  // awaiting that shared promise would then wait forever).
  ctx.waitUntil(headSession(suite, choice.head, ctx.assets).then(() => undefined, () => undefined));

  const features = new Map<string, ModalityFeatures>();
  const failed = new Set<string>();
  for (const mod of m.modalities) {
    if (!choice.used.includes(mod.name)) continue;
    const outcome = await start(mod.name);
    if ("ok" in outcome) {
      features.set(mod.name, outcome.ok);
      continue;
    }
    const err = outcome.error;
    const upstreamDown = err instanceof AppError && (err.status === 502 || err.status === 504) && mod.encoder.runs === "remote";
    if (!(upstreamDown && req.allowDegraded)) throw err;
    failed.add(mod.name);
  }
  const degraded = failed.size > 0;
  if (degraded) {
    const left = new Set([...provided].filter((x) => !failed.has(x)));
    choice = selectHead(m, { fusion: req.fusion, provided: left, failed });
    for (const name of choice.used) {
      if (features.has(name)) continue;
      const outcome = await start(name);
      if ("error" in outcome) throw outcome.error;
      features.set(name, outcome.ok);
    }
  }

  const head = choice.head;
  const n = Math.max(1, ...choice.used.map((name) => features.get(name)!.rows.length));
  const rowOf = (f: ModalityFeatures, i: number) => f.rows[Math.min(i, f.rows.length - 1)]!;
  const rows: HeadRow[] = Array.from({ length: n }, (_, i) => Object.fromEntries(choice.used.map((name) => [name, rowOf(features.get(name)!, i)])));
  const results = await timing.measure("fuse", () => runHead(ctx, suite, choice, features, rows, degraded));
  const explanations = req.explain ? await timing.measure("explain", async () => explain(await headSession(suite, head, ctx.assets), m, choice, rows, results)) : undefined;
  if (c.get("config").headWarmup === "suite") ctx.waitUntil(warmSuiteHeads(suite, ctx.assets));

  const text = m.modalities.find((x) => x.kind === "text" && req.inputs.get(x.name)?.form === "text");
  const texts = text ? (req.inputs.get(text.name) as { texts: readonly string[] }).texts : [];
  const grammar = answerableBy(m.answerability?.grammar);
  const models: Record<string, string> = {};
  for (const name of choice.used) models[name] = modelTag(m.modalities.find((x) => x.name === name)!.encoder);
  models.head = modelTag(head);
  const cache: Record<string, FeatureCacheStatus[] | "none"> = {};
  for (const mod of m.modalities) cache[mod.name] = features.get(mod.name)?.cache.slice() ?? "none";
  return {
    rows: results.map((r, i) => ({
      predictions: topK(r.logits, m.task.labels, req.topK),
      ...(r.score !== undefined ? { score: r.score } : {}),
      ...(grammar && texts.length ? { answerable: grammar(texts[Math.min(i, texts.length - 1)]!) } : {}),
      ...(explanations ? { explanation: explanations[i]! } : {}),
      result: r,
    })),
    choice,
    models,
    cache,
    features,
    degraded,
    timing,
  };
}

/**
 * Runs the head for rows whose result is not memoised. A head's outputs are a pure function of its
 * file and the cached features it reads, so they are memoised per (head, feature keys) in the
 * isolate (logits-only heads; never degraded answers).
 */
async function runHead(ctx: FeatureContext, suite: SuiteEntry, choice: HeadChoice, features: ReadonlyMap<string, ModalityFeatures>, rows: HeadRow[], degraded: boolean): Promise<HeadResult[]> {
  const head = choice.head;
  // Heads with attention or score outputs are not memoised: the memo holds logits only.
  const memo = !degraded && !head.outputs.score && !head.outputs.attention && choice.zeroed.length === 0;
  const keyOf = (i: number) => `fused:${modelTag(head)}:${choice.used.map((name) => { const f = features.get(name)!; return f.keys[Math.min(i, f.keys.length - 1)]; }).join(":")}`;
  const keys = memo ? rows.map((_, i) => keyOf(i)) : null;
  const out: (HeadResult | undefined)[] = rows.map((_, i) => {
    const hit = keys ? ctx.services.fusedCache.get(keys[i]!) : undefined;
    return hit ? { logits: hit } : undefined;
  });
  const todo = out.flatMap((r, i) => (r ? [] : [i]));
  if (todo.length > 0) {
    const session = await headSession(suite, head, ctx.assets);
    const fresh = await runSuiteHead(session, suite.manifest, head, todo.map((i) => rows[i]!));
    todo.forEach((i, j) => {
      out[i] = fresh[j]!;
      if (keys) ctx.services.fusedCache.set(keys[i]!, fresh[j]!.logits);
    });
  }
  return out as HeadResult[];
}
