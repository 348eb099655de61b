/**
 * WordPiece (or any HF tokenizer.json) tokenization through @huggingface/tokenizers, the library
 * transformers.js uses, and packing of a batch into padded int64 tensors.
 */
import { Tokenizer } from "@huggingface/tokenizers";
import type { Int64Tensor } from "./ort";

export type TokenizerFiles = { tokenizerJson: unknown; tokenizerConfig?: unknown };

export interface TokenizedBatch {
  readonly inputIds: Int64Tensor;
  readonly attentionMask: Int64Tensor;
  readonly tokenTypeIds: Int64Tensor;
  /** Tokens per text including special tokens, before padding. */
  readonly lengths: readonly number[];
}

export class TextTooLongError extends Error {
  constructor(
    readonly index: number,
    readonly tokens: number,
    readonly maxTokens: number,
  ) {
    super(`text ${index} has ${tokens} tokens; the model accepts at most ${maxTokens}`);
  }
}

export class WordPieceTokenizer {
  private readonly tokenizer: Tokenizer;

  constructor(
    files: TokenizerFiles,
    readonly maxTokens: number,
  ) {
    this.tokenizer = new Tokenizer(files.tokenizerJson as object, (files.tokenizerConfig ?? {}) as object);
  }

  encodeOne(text: string): { ids: number[]; typeIds: number[] } {
    const enc = this.tokenizer.encode(text, { return_token_type_ids: true });
    return { ids: enc.ids, typeIds: enc.token_type_ids };
  }

  /** Tokenizes and pads to the longest text. Over-long texts are rejected, never truncated. */
  encodeBatch(texts: readonly string[]): TokenizedBatch {
    const encoded = texts.map((t, i) => {
      const e = this.encodeOne(t);
      if (e.ids.length > this.maxTokens) throw new TextTooLongError(i, e.ids.length, this.maxTokens);
      return e;
    });
    const seq = Math.max(1, ...encoded.map((e) => e.ids.length));
    const n = texts.length;
    const ids = new BigInt64Array(n * seq);
    const mask = new BigInt64Array(n * seq);
    const types = new BigInt64Array(n * seq);
    encoded.forEach((e, row) => {
      for (let j = 0; j < e.ids.length; j++) {
        ids[row * seq + j] = BigInt(e.ids[j]!);
        mask[row * seq + j] = 1n;
        types[row * seq + j] = BigInt(e.typeIds[j] ?? 0);
      }
    });
    const dims = [n, seq] as const;
    return {
      inputIds: { type: "int64", data: ids, dims },
      attentionMask: { type: "int64", data: mask, dims },
      tokenTypeIds: { type: "int64", data: types, dims },
      lengths: encoded.map((e) => e.ids.length),
    };
  }
}
