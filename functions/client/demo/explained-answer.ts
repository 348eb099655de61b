/**
 * One answer with its explanation (`explain: true`): the attention map of heads that have one and
 * the per-input attribution. Against an edge that predates explanations the field is simply absent.
 */
import type { EdgefuseClient } from "../client";
import type { AnswerInput, AnswerResponse, CallOptions, WithMeta } from "../types";

export function askExplained(client: EdgefuseClient, input: AnswerInput, opts?: CallOptions): Promise<WithMeta<AnswerResponse>> {
  const withExplain = { ...input, explain: true } as AnswerInput & { readonly explain?: boolean };
  return client.answer(withExplain, opts);
}
