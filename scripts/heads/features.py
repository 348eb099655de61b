"""Per-modality feature splits for the generic head trainer.

A features folder holds train, val and test splits, each either `<split>.npz` or a folder
`<split>/` of `.npy` files (what scripts/suite/extract-features.ts writes). Keys:
  <modality>.<output>   float [N, D] (pooled vector) or [N, T, D] (sequence or grid)
  labels                int   [N] class index
  score                 float [N] optional regression target
  present.<modality>    0/1   [N] optional: rows where the modality is missing in the data
  label_names           str   [C] optional
"""
import os
import re
from dataclasses import dataclass, field

import numpy as np

RESERVED = {"labels", "score", "label_names"}
NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")  # the suite manifest's modality names


class FeatureError(Exception):
    pass


@dataclass
class Modality:
    name: str
    vec: str | None = None  # output name of the [N, D] array
    vec_dim: int = 0
    seq: str | None = None  # output name of the [N, T, D] array
    seq_len: int = 0
    seq_dim: int = 0
    optional: bool = False


@dataclass
class Split:
    arrays: dict
    labels: np.ndarray
    score: np.ndarray | None
    present: dict = field(default_factory=dict)  # modality -> float [N] 0/1

    @property
    def n(self):
        return len(self.labels)


def _load_split(root, split):
    npz, folder = os.path.join(root, f"{split}.npz"), os.path.join(root, split)
    if os.path.isfile(npz):
        with np.load(npz, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}, npz
    if os.path.isdir(folder):
        out = {}
        for fn in sorted(os.listdir(folder)):
            if fn.endswith(".npy"):
                out[fn[: -len(".npy")]] = np.load(os.path.join(folder, fn), allow_pickle=False)
        if out:
            return out, folder
    raise FeatureError(f"missing split '{split}': expected {npz} or a folder {folder}/ of .npy files")


def _parse(arrays, where):
    if "labels" not in arrays:
        raise FeatureError(f"{where}: no 'labels' array")
    labels = np.asarray(arrays["labels"])
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise FeatureError(f"{where}: 'labels' must be a 1-D integer array, got {labels.dtype} {labels.shape}")
    n = len(labels)
    feats, present = {}, {}
    for key, a in arrays.items():
        if key in RESERVED:
            continue
        if "." not in key:
            raise FeatureError(f"{where}: array '{key}' is not named <modality>.<output> (or labels/score/label_names)")
        head, tail = key.split(".", 1)
        if head == "present":
            if a.shape != (n,):
                raise FeatureError(f"{where}: '{key}' must have shape [{n}], got {list(a.shape)}")
            present[tail] = a.astype(np.float32)
            continue
        if not NAME.match(head):
            raise FeatureError(f"{where}: modality name '{head}' must match {NAME.pattern}")
        if a.ndim not in (2, 3) or a.shape[0] != n:
            raise FeatureError(f"{where}: '{key}' must be [N, D] or [N, T, D] with N={n}, got {list(a.shape)}")
        if not np.issubdtype(a.dtype, np.floating):
            raise FeatureError(f"{where}: '{key}' must be floating point, got {a.dtype}")
        if not np.isfinite(a).all():
            raise FeatureError(f"{where}: '{key}' holds NaN or infinite values")
        feats[key] = a.astype(np.float32)
    score = None
    if "score" in arrays:
        score = np.asarray(arrays["score"], dtype=np.float32)
        if score.shape != (n,):
            raise FeatureError(f"{where}: 'score' must have shape [{n}], got {list(score.shape)}")
    for m in present:
        if not any(k.startswith(m + ".") for k in feats):
            raise FeatureError(f"{where}: 'present.{m}' names no modality with features")
    return Split(feats, labels.astype(np.int64), score, present)


def load_features(root, optional=()):
    """Returns (modalities, {train,val,test: Split}, label_names or None)."""
    splits, label_names = {}, None
    for s in ("train", "val", "test"):
        arrays, where = _load_split(root, s)
        if label_names is None and "label_names" in arrays:
            label_names = [str(x) for x in arrays["label_names"].tolist()]
        splits[s] = _parse(arrays, where)
    keys = sorted(splits["train"].arrays)
    for s in ("val", "test"):
        other = sorted(splits[s].arrays)
        if other != keys:
            raise FeatureError(f"split '{s}' has arrays {other}, train has {keys}")
        for k in keys:
            if splits[s].arrays[k].shape[1:] != splits["train"].arrays[k].shape[1:]:
                raise FeatureError(f"'{k}': {s} shape {list(splits[s].arrays[k].shape[1:])} != train {list(splits['train'].arrays[k].shape[1:])}")
    mods = {}
    for k in keys:
        name, out = k.split(".", 1)
        m = mods.setdefault(name, Modality(name))
        shape = splits["train"].arrays[k].shape
        if len(shape) == 2 and m.vec is None:
            m.vec, m.vec_dim = out, shape[1]
        elif len(shape) == 3 and m.seq is None:
            m.seq, m.seq_len, m.seq_dim = out, shape[1], shape[2]
    if not mods:
        raise FeatureError("no modality features found")
    unknown = set(optional) - set(mods)
    if unknown:
        raise FeatureError(f"optional modalities {sorted(unknown)} have no features; modalities: {sorted(mods)}")
    for m in mods.values():
        m.optional = m.name in optional or any(m.name in sp.present and (sp.present[m.name] < 0.5).any() for sp in splits.values())
    if all(m.optional for m in mods.values()) and len(mods) > 1:
        pass  # allowed: any non-empty subset answers
    n_labels = int(max(sp.labels.max() for sp in splits.values())) + 1
    if label_names is not None and len(label_names) < n_labels:
        raise FeatureError(f"label index {n_labels - 1} out of range for {len(label_names)} label names")
    if min(sp.labels.min() for sp in splits.values()) < 0:
        raise FeatureError("labels must be >= 0")
    return list(mods.values()), splits, label_names


def presence(split, modalities):
    """[N, M] float 0/1: the data's own presence (all ones where the features hold no present.* array)."""
    cols = [split.present.get(m.name, np.ones(split.n, np.float32)) for m in modalities]
    return np.stack(cols, 1).astype(np.float32)
