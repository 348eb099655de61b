/**
 * One answer with its explanation (`explain: true`): the attention map of heads that have one and
 * the per-input attribution.
 */
import type { EdgefuseClient } from "../client";
import type { AnswerInput, AnswerResponse, CallOptions, WithMeta } from "../types";

export function askExplained(client: EdgefuseClient, input: AnswerInput, opts?: CallOptions): Promise<WithMeta<AnswerResponse>> {
  return client.answer({ ...input, explain: true }, opts);
}
