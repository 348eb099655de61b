"""Evaluation measures for the head trainer: accuracy, macro-F1, NLL, ECE, temperature fit."""
import numpy as np


def softmax(z):
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def macro_f1(y, pred, n_labels):
    """Mean F1 over the classes that occur in y or pred (a class never seen nor predicted is skipped)."""
    f1s = []
    for c in range(n_labels):
        tp = int(((pred == c) & (y == c)).sum())
        fp = int(((pred == c) & (y != c)).sum())
        fn = int(((pred != c) & (y == c)).sum())
        if tp + fp + fn == 0:
            continue
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else 0.0


def nll(logits, y):
    p = softmax(logits)
    return float(-np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None)).mean())


def ece(logits, y, bins=15):
    p = softmax(logits)
    conf, pred = p.max(-1), p.argmax(-1)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            total += sel.mean() * abs(float((pred[sel] == y[sel]).mean()) - float(conf[sel].mean()))
    return float(total)


def fit_temperature(logits, y):
    """Temperature minimising NLL on held-out logits (grid in log space, then a finer grid)."""
    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 121))
    best = min(grid, key=lambda t: nll(logits / t, y))
    fine = best * np.exp(np.linspace(-0.06, 0.06, 25))
    return float(min(fine, key=lambda t: nll(logits / t, y)))


def classification(logits, y, n_labels):
    pred = logits.argmax(-1)
    return {"n": int(len(y)), "accuracy": float((pred == y).mean()) if len(y) else 0.0,
            "macroF1": macro_f1(y, pred, n_labels), "nll": nll(logits, y) if len(y) else 0.0,
            "ece": ece(logits, y) if len(y) else 0.0}


def regression(score, target):
    err = score - target
    r = float(np.corrcoef(score, target)[0, 1]) if len(score) > 1 and score.std() > 0 and target.std() > 0 else 0.0
    return {"mae": float(np.abs(err).mean()), "rmse": float(np.sqrt((err * err).mean())), "pearson": r}
