/**
 * Text features: tokenizer + ONNX text encoder (+ pooling/normalisation as the model asks).
 * The session loads lazily once per isolate; a failed load is forgotten so the next request retries.
 */
import { createSession, type EdgeTensor, type ModelSession } from "./ort";
import { l2Normalize, maskedMeanPool, rows } from "./pooling";
import type { TextModelFiles, TextModelSpec } from "./text-model";
import { WordPieceTokenizer } from "./tokenizer";

interface Loaded {
  readonly spec: TextModelSpec;
  readonly tokenizer: WordPieceTokenizer;
  readonly session: ModelSession;
  readonly dim: number;
}

export class TextFeatureEncoder {
  private loading: Promise<Loaded> | null = null;

  constructor(private readonly source: () => Promise<TextModelFiles>) {}

  load(): Promise<Loaded> {
    if (!this.loading) {
      this.loading = this.loadOnce().catch((err: unknown) => {
        this.loading = null;
        throw err;
      });
    }
    return this.loading;
  }

  private async loadOnce(): Promise<Loaded> {
    const files = await this.source();
    const tokenizer = new WordPieceTokenizer(files.tokenizer, files.spec.maxTokens);
    const session = await createSession(files.modelBytes);
    if (!session.outputNames.includes(files.spec.output)) {
      throw new Error(`text model has no output ${files.spec.output} (has ${session.outputNames.join(", ")})`);
    }
    // One probe run fixes the feature dimension, whatever the model's metadata says.
    const loaded = { spec: files.spec, tokenizer, session, dim: 0 };
    const [probe] = await runEncoder(loaded, ["a"]);
    return { ...loaded, dim: probe!.length };
  }

  async spec(): Promise<TextModelSpec & { dim: number }> {
    const { spec, dim } = await this.load();
    return { ...spec, dim };
  }

  /** Throws TextTooLongError before any inference if a text exceeds the token limit. */
  async encode(texts: readonly string[]): Promise<Float32Array[]> {
    return runEncoder(await this.load(), texts);
  }
}

async function runEncoder(m: Omit<Loaded, "dim">, texts: readonly string[]): Promise<Float32Array[]> {
  const batch = m.tokenizer.encodeBatch(texts);
  const feeds: Record<string, EdgeTensor> = {};
  for (const name of m.session.inputNames) {
    if (name === "input_ids") feeds[name] = batch.inputIds;
    else if (name === "attention_mask") feeds[name] = batch.attentionMask;
    else if (name === "token_type_ids") feeds[name] = batch.tokenTypeIds;
    else throw new Error(`text model wants an input the edge cannot feed: ${name}`);
  }
  const out = (await m.session.run(feeds))[m.spec.output];
  if (!out) throw new Error(`text model returned no ${m.spec.output}`);
  const vectors = m.spec.pooling === "mean" ? maskedMeanPool(out, batch.attentionMask) : rows(out);
  return m.spec.normalize ? vectors.map(l2Normalize) : vectors;
}
