/**
 * The suite routes as the sentiment tab uses them (the typed client's suites() and predict()), and
 * how the tab picks its suite.
 */
import type { EdgefuseClient } from "../client";
import type { CallOptions, PredictResponse, SuiteSummary, WithMeta } from "../types";

export type { PredictResponse, SuiteSummary };

export interface PredictInput {
  readonly inputs: Readonly<Record<string, string | Blob | null>>;
  readonly fusion?: string;
  readonly topK?: number;
  readonly explain?: boolean;
}

export async function listSuites(client: EdgefuseClient, opts?: CallOptions): Promise<SuiteSummary[]> {
  return (await client.suites(opts)).suites;
}

export function predict(client: EdgefuseClient, suite: string, input: PredictInput, opts?: CallOptions): Promise<WithMeta<PredictResponse>> {
  const { inputs, ...options } = input;
  return client.predict(suite, inputs, options, opts);
}

/** The suite the sentiment tab drives: id "sentiment", else any suite with text, image and audio inputs. */
export function sentimentSuite(suites: readonly SuiteSummary[]): SuiteSummary | undefined {
  const kinds = (s: SuiteSummary) => new Set<string>(s.modalities.map((m) => m.kind));
  return suites.find((s) => s.id === "sentiment") ?? suites.find((s) => ["text", "image", "audio"].every((k) => kinds(s).has(k)));
}
