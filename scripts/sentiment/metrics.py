"""Evaluation metrics of the sentiment suite (CMU-MOSI conventions)."""
import numpy as np

LABELS = ["negative", "neutral", "positive"]
KINDS = ["literal", "sarcastic", "ambiguous"]


def macro_f1(y, p, k=3):
    f1s = []
    for c in range(k):
        tp = np.sum((p == c) & (y == c))
        fp = np.sum((p == c) & (y != c))
        fn = np.sum((p != c) & (y == c))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s))


def summarise(probs, score_pred, y, s):
    """probs [N, 3], score_pred [N] (or None), y [N] class, s [N] true score."""
    p = probs.argmax(1)
    out = {"n": int(len(y)), "acc": float(np.mean(p == y)) if len(y) else float("nan"), "macroF1": macro_f1(y, p) if len(y) else float("nan")}
    nz = y != 1
    # binary (negative vs positive; neutral samples left out): the larger of p(neg), p(pos)
    out["binaryAcc"] = float(np.mean((probs[nz, 2] > probs[nz, 0]) == (y[nz] == 2))) if nz.any() else float("nan")
    if score_pred is not None and len(y) > 1:
        out["mae"] = float(np.mean(np.abs(score_pred - s)))
        out["corr"] = float(np.corrcoef(score_pred, s)[0, 1]) if np.std(score_pred) > 0 else 0.0
    return out


def full_report(probs, score_pred, y, s, kind):
    rep = {"all": summarise(probs, score_pred, y, s)}
    for i, k in enumerate(KINDS):
        m = kind == i
        rep[k] = summarise(probs[m], None if score_pred is None else score_pred[m], y[m], s[m])
    return rep
