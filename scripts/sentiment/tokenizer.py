"""Word-level WordPiece vocabulary built from the training utterances, saved as an HF tokenizer.json.

Shares the BERT normaliser/pre-tokeniser and the tokenizer.json writer with the Sort-of-CLEVR suite
(scripts/train/tokenizer.py), so the edge's tokenizer code runs both unchanged.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vqa_shared import vqa_tokenizer as base  # noqa: E402

MAX_TOKENS = 32
SPECIALS = base.SPECIALS


def build_vocab(texts):
    words = set()
    for t in texts:
        words.update(base.pre_tokenize(t))
    vocab = {tok: i for i, tok in enumerate(SPECIALS)}
    for w in sorted(words):
        vocab[w] = len(vocab)
    return vocab


def encode_batch(texts, vocab, max_tokens=MAX_TOKENS):
    """ids, mask: int64 [N, max_tokens] (padded with [PAD]=0)."""
    import numpy as np

    ids = np.zeros((len(texts), max_tokens), np.int64)
    mask = np.zeros((len(texts), max_tokens), np.int64)
    for i, t in enumerate(texts):
        e = base.encode(t, vocab, max_tokens)
        ids[i, : len(e)] = e
        mask[i, : len(e)] = 1
    return ids, mask


def write_tokenizer(path, vocab, max_tokens=MAX_TOKENS):
    base.write_tokenizer(path, vocab, max_tokens)
