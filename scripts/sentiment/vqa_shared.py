"""Load modules of the Sort-of-CLEVR training code (scripts/train/) under distinct names, so this
suite shares its text encoder and tokenizer writer without clashing with its own module names."""
import importlib.util
import os

_TRAIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train")


def _load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(_TRAIN, file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


vqa_tokenizer = _load("vqa_tokenizer", "tokenizer.py")
vqa_models = _load("vqa_models", "models.py")
