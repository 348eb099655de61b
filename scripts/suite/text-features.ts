/**
 * Text features as the edge computes them, in Node: the suite's tokenizer.json (+ tokenizer_config.json
 * when present), onnxruntime-node at "basic" graph optimisation (the graph's exact maths, as
 * onnxruntime-web computes it; see docs/ort-in-workerd.md), masked mean pooling and L2 normalisation
 * as the manifest says. Matches the edge within 1e-4 (test/edge/transformersjs-folder.test.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";
import type { EdgeEncoder } from "../../functions/suites/manifest-schema";

export class TextFeatures {
  private constructor(
    private readonly tok: Tokenizer,
    private readonly session: ort.InferenceSession,
    private readonly enc: EdgeEncoder,
    private readonly maxTokens: number,
  ) {}

  static async open(suiteDir: string, enc: EdgeEncoder, maxTokens: number): Promise<TextFeatures> {
    const tokPath = join(suiteDir, enc.tokenizer!.file);
    const cfgPath = join(dirname(tokPath), "tokenizer_config.json");
    const tok = new Tokenizer(JSON.parse(readFileSync(tokPath, "utf8")), existsSync(cfgPath) ? JSON.parse(readFileSync(cfgPath, "utf8")) : {});
    const session = await ort.InferenceSession.create(join(suiteDir, enc.file), { graphOptimizationLevel: "basic" });
    return new TextFeatures(tok, session, enc, maxTokens);
  }

  get dim(): number {
    return this.enc.outputs[0]!.shape[this.enc.outputs[0]!.shape.length - 1]!;
  }

  async encode(text: string): Promise<Float32Array> {
    const e = this.tok.encode(text, { return_token_type_ids: true });
    const n = Math.min(e.ids.length, this.maxTokens);
    const t = (a: readonly number[]) => new ort.Tensor("int64", BigInt64Array.from(a.slice(0, n).map(BigInt)), [1, n]);
    const all: Record<string, ort.Tensor> = { input_ids: t(e.ids), attention_mask: t(e.attention_mask), token_type_ids: t(e.token_type_ids ?? new Array<number>(n).fill(0)) };
    const feeds = Object.fromEntries(this.enc.inputs.map((i) => [i.name, all[i.name]!]));
    const out = (await this.session.run(feeds))[this.enc.outputs[0]!.name]!;
    const data = out.data as Float32Array;
    const dim = this.dim;
    let v: Float32Array;
    if (this.enc.pooling === "mean") {
      v = new Float32Array(dim);
      for (let s = 0; s < n; s++) for (let d = 0; d < dim; d++) v[d]! += data[s * dim + d]! / n;
    } else v = Float32Array.from(data.subarray(0, dim));
    if (this.enc.normalize) {
      const norm = Math.hypot(...v) || 1;
      for (let d = 0; d < dim; d++) v[d] = v[d]! / norm;
    }
    return v;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
