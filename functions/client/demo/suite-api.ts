/**
 * The suite routes as the page uses them: GET /v1/suites and POST /v1/suites/{id}/predict through
 * the typed client. Types are the server's own (type-only imports of the zod schemas).
 */
import type { EdgefuseClient } from "../client";
import type { CallOptions, WithMeta } from "../types";
import type { PredictResponse, SuiteSummary, SuitesResponse } from "../../edge/schemas/suites";

export type { PredictResponse, SuiteSummary };

export interface PredictInput {
  readonly inputs: Readonly<Record<string, string | Blob | null>>;
  readonly fusion?: string;
  readonly topK?: number;
  readonly explain?: boolean;
}

/** The client's suite methods (typed loosely until every client build has them). */
interface SuiteMethods {
  suites?(opts?: CallOptions): Promise<WithMeta<SuitesResponse>>;
  predict?(suite: string, input: PredictInput, opts?: CallOptions): Promise<WithMeta<PredictResponse>>;
}

export function hasSuiteApi(client: EdgefuseClient): boolean {
  const c = client as unknown as SuiteMethods;
  return typeof c.suites === "function" && typeof c.predict === "function";
}

export async function listSuites(client: EdgefuseClient, opts?: CallOptions): Promise<SuiteSummary[]> {
  const c = client as unknown as SuiteMethods;
  if (!c.suites) throw new Error("this page's client has no suites() method");
  return (await c.suites(opts)).suites;
}

export function predict(client: EdgefuseClient, suite: string, input: PredictInput, opts?: CallOptions): Promise<WithMeta<PredictResponse>> {
  const c = client as unknown as SuiteMethods;
  if (!c.predict) throw new Error("this page's client has no predict() method");
  return c.predict(suite, input, opts);
}

/** The suite the sentiment tab drives: id "sentiment", else any suite with text, image and audio inputs. */
export function sentimentSuite(suites: readonly SuiteSummary[]): SuiteSummary | undefined {
  const kinds = (s: SuiteSummary) => new Set(s.modalities.map((m) => m.kind));
  return suites.find((s) => s.id === "sentiment") ?? suites.find((s) => ["text", "image", "audio"].every((k) => kinds(s).has(k as "text")));
}
