"""Word-level WordPiece vocabulary for the Sort-of-CLEVR templates, written as an HF tokenizer.json.

encode() reproduces what the HF `tokenizers` pipeline in tokenizer.json does for this vocabulary:
BertNormalizer (lowercase, clean text), BertPreTokenizer (whitespace + punctuation split),
WordPiece (greedy longest match; no '##' pieces here, so an unknown word is [UNK]),
TemplateProcessing [CLS] $A [SEP], truncation to max_tokens.
"""
import json
import unicodedata

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
COLOURS = ["red", "green", "blue", "orange", "gray", "yellow"]
QUESTION_TYPES = ["shape", "horizontal", "vertical", "closest", "farthest", "count"]
TEMPLATES = {
    "shape": "what shape is the {c} object?",
    "horizontal": "is the {c} object on the left or right?",
    "vertical": "is the {c} object on the top or bottom?",
    "closest": "what shape is the object closest to the {c} object?",
    "farthest": "what shape is the object farthest from the {c} object?",
    "count": "how many objects have the same shape as the {c} object?",
}
LABELS = ["circle", "square", "left", "right", "top", "bottom", "1", "2", "3", "4", "5", "6"]
MAX_TOKENS = 24


def _is_punct(ch):
    cp = ord(ch)
    if (33 <= cp <= 47) or (58 <= cp <= 64) or (91 <= cp <= 96) or (123 <= cp <= 126):
        return True
    return unicodedata.category(ch).startswith("P")


def pre_tokenize(text):
    # BertNormalizer: clean text (drop control chars, whitespace -> ' '), lowercase (strip accents
    # follows lowercase when strip_accents is null)
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r"):
            continue
        out.append(" " if ch.isspace() else ch)
    text = "".join(out).lower()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    words, cur = [], ""
    for ch in text:
        if ch.isspace():
            if cur:
                words.append(cur)
            cur = ""
        elif _is_punct(ch):
            if cur:
                words.append(cur)
            words.append(ch)
            cur = ""
        else:
            cur += ch
    if cur:
        words.append(cur)
    return words


def build_vocab():
    words = set(["?"])
    for t in TEMPLATES.values():
        for w in pre_tokenize(t.replace("{c}", "")):
            words.add(w)
    words.update(COLOURS)
    vocab = {tok: i for i, tok in enumerate(SPECIALS)}
    for w in sorted(words):
        vocab[w] = len(vocab)
    return vocab


def wordpiece(word, vocab):
    if len(word) > 100:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(word):
        end, cur = len(word), None
        while start < end:
            sub = word[start:end] if start == 0 else "##" + word[start:end]
            if sub in vocab:
                cur = sub
                break
            end -= 1
        if cur is None:
            return ["[UNK]"]
        pieces.append(cur)
        start = end
    return pieces


def encode(text, vocab, max_tokens=MAX_TOKENS):
    toks = []
    for w in pre_tokenize(text):
        toks.extend(wordpiece(w, vocab))
    toks = toks[: max_tokens - 2]
    return [vocab["[CLS]"]] + [vocab[t] for t in toks] + [vocab["[SEP]"]]


def tokenizer_json(vocab, max_tokens=MAX_TOKENS):
    added = [
        {"id": vocab[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        for s in SPECIALS
    ]
    cls_id, sep_id = vocab["[CLS]"], vocab["[SEP]"]
    return {
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": max_tokens, "strategy": "LongestFirst", "stride": 0},
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 1}},
            ],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [cls_id], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [sep_id], "tokens": ["[SEP]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {
            "type": "WordPiece",
            "unk_token": "[UNK]",
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100,
            "vocab": vocab,
        },
    }


def write_tokenizer(path, vocab, max_tokens=MAX_TOKENS):
    with open(path, "w") as f:
        json.dump(tokenizer_json(vocab, max_tokens), f, indent=2, ensure_ascii=False)
        f.write("\n")


def question_variants():
    """All (type, colour) template texts, with and without '?'. Index = (t*6 + c)*2 + noq."""
    out = []
    for t in QUESTION_TYPES:
        for c in COLOURS:
            q = TEMPLATES[t].replace("{c}", c)
            out.append(q)
            out.append(q[:-1])
    return out
