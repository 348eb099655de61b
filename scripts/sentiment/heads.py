"""Stage 2: fusion heads on the frozen encoders' features, with modality dropout, plus baselines.

  /usr/bin/python3 scripts/sentiment/heads.py --work DIR --train A,B --val V --test T --seed 101

Reads DIR/features/{train,val,test}.npz and DIR/encoders.pt (train_encoders.py). Heads: concat,
tensor, lmf, attention, gated (models.HEADS), each trained with the face and the voice dropped
independently (p = 0.3 each), so every subset that includes the text answers. Baselines: each
modality alone (the stage-1 probes), late fusion (their probabilities averaged over the present
modalities) and early fusion (one network over input-level features, trained end to end). Every
head's logits get a temperature fitted on the validation split. Writes DIR/heads.pt and
DIR/results.json (every head x modality subset x utterance kind on the test split).
"""
import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
import metrics  # noqa: E402
import models as M  # noqa: E402

SUBSETS = {"text+face+voice": (1, 1, 1), "text+face": (1, 1, 0), "text+voice": (1, 0, 1), "text": (1, 0, 0)}
UNIMODAL = {"text-alone": (1, 0, 0), "face-alone": (0, 1, 0), "voice-alone": (0, 0, 1)}
KEYS = ("text", "face_pooled", "face_grid", "audio_pooled", "audio_frames")


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def load(work, name):
    z = np.load(os.path.join(work, "features", f"{name}.npz"))
    t = {k: torch.from_numpy(np.asarray(z[k], np.float32)) for k in KEYS}
    return t, {k: z[k] for k in z.files if k not in KEYS}


def dropout_mask(n, gen, p_drop=0.3):
    m = torch.ones(n, 3)
    m[:, 1] = (torch.rand(n, generator=gen) >= p_drop).float()
    m[:, 2] = (torch.rand(n, generator=gen) >= p_drop).float()
    return m


def run_head(head, feats, idx, mask):
    return head(*(feats[k][idx] for k in KEYS), mask)


def train_head(head, feats, y, s, steps, seed, batch=128, lr=2e-3):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=1e-4)
    n = y.shape[0]
    head.train()
    t0 = time.time()
    for step in range(steps):
        for g in opt.param_groups:
            g["lr"] = lr * min(1.0, (step + 1) / 50) * 0.5 * (1 + math.cos(math.pi * step / steps))
        idx = torch.randint(0, n, (batch,), generator=gen)
        logits, score = run_head(head, feats, idx, dropout_mask(batch, gen))
        loss = F.cross_entropy(logits, y[idx]) + 0.3 * F.smooth_l1_loss(score, s[idx])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(head.parameters(), 1.0)
        opt.step()
        if step % 300 == 0 or step == steps - 1:
            log(f"  step {step}/{steps} loss {loss.item():.4f} ({time.time() - t0:.0f} s)")
    head.eval()


def predict(fn, n, mask_tuple, batch=512):
    """fn(idx, mask) -> (logits, score); returns numpy logits [N, 3], score [N]."""
    ls, ss = [], []
    with torch.no_grad():
        for i in range(0, n, batch):
            idx = torch.arange(i, min(n, i + batch))
            mask = torch.tensor(mask_tuple, dtype=torch.float32).expand(len(idx), 3)
            l, s = fn(idx, mask)
            ls.append(l)
            ss.append(s)
    return torch.cat(ls).numpy(), torch.cat(ss).numpy()


def fit_temperature(logits, y):
    """Temperature scaling on the validation split (Guo et al. 2017)."""
    lg, yt = torch.from_numpy(logits), torch.from_numpy(y)
    best, best_t = float("inf"), 1.0
    for t in np.exp(np.linspace(np.log(0.3), np.log(5.0), 60)):
        nll = F.cross_entropy(lg / float(t), yt).item()
        if nll < best:
            best, best_t = nll, float(t)
    return best_t


def softmax(x):
    e = np.exp(x - x.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--train", required=True, help="raw split dirs (for the early-fusion baseline)")
    ap.add_argument("--val", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--seed", type=int, default=101)
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--early-steps", type=int, default=1200)
    ap.add_argument("--fusions", default="concat,tensor,lmf,attention,gated")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tag", default="", help="write heads-TAG.pt / results-TAG.json (run several processes side by side)")
    ap.add_argument("--baselines", default="on", choices=["on", "off"])
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    tr, tr_meta = load(args.work, "train")
    va, va_meta = load(args.work, "val")
    te, te_meta = load(args.work, "test")
    y, s = torch.from_numpy(tr_meta["labels"]), torch.from_numpy(tr_meta["score"].astype(np.float32))
    ck = torch.load(os.path.join(args.work, "encoders.pt"))
    probes = {}
    for name, n_aux in (("text", len(D.SURFACES)), ("face", 2), ("audio", 4)):
        probes[name] = M.Probe(n_aux)
        probes[name].load_state_dict(ck["probes"][name])
        probes[name].eval()

    results, saved, temps = {}, {}, {}

    def evaluate(name, fn, subsets, temperature=1.0):
        for sub, mt in subsets.items():
            logits, score = predict(fn, te_meta["labels"].shape[0], mt)
            rep = metrics.full_report(softmax(logits / temperature), score, te_meta["labels"], te_meta["score"], te_meta["kind"])
            results[f"{name}|{sub}"] = rep
        log(f"{name}: " + ", ".join(f"{sub} {results[f'{name}|{sub}']['all']['acc'] * 100:.1f}% (sarcastic {results[f'{name}|{sub}']['sarcastic']['acc'] * 100:.1f}%)" for sub in subsets))

    # ---- fusion heads
    for i, fusion in enumerate(args.fusions.split(",")):
        torch.manual_seed(args.seed + i)
        head = M.HEADS[fusion]()
        log(f"head {fusion}: {sum(p.numel() for p in head.parameters())} parameters")
        train_head(head, tr, y, s, args.steps, args.seed + i)
        vlog, _ = predict(lambda idx, m: run_head(head, va, idx, m), va_meta["labels"].shape[0], (1, 1, 1))
        temps[fusion] = fit_temperature(vlog, va_meta["labels"])
        evaluate(fusion, lambda idx, m: run_head(head, te, idx, m), SUBSETS, temps[fusion])
        saved[fusion] = head.state_dict()

    if args.baselines == "off":
        return finish(args, saved, temps, results)
    # ---- baselines: unimodal probes, late fusion
    for name, (probe, key) in {"text-alone": (probes["text"], "text"), "face-alone": (probes["face"], "face_pooled"), "voice-alone": (probes["audio"], "audio_pooled")}.items():
        evaluate(name, lambda idx, m, p=probe, k=key: p(te[k][idx])[:2], {name: (0, 0, 0)})
    late = M.LateFusionHead([probes["text"], probes["face"], probes["audio"]]).eval()
    evaluate("late", lambda idx, m: run_head(late, te, idx, m), SUBSETS)

    # ---- early fusion (input-level features, trained end to end with the same modality dropout)
    evaluate_early(args, ck, results, log)

    finish(args, saved, temps, results)


def finish(args, saved, temps, results):
    suffix = f"-{args.tag}" if args.tag else ""
    torch.save({"heads": saved, "temperatures": temps, "fusions": list(saved)}, os.path.join(args.work, f"heads{suffix}.pt"))
    json.dump(results, open(os.path.join(args.work, f"results{suffix}.json"), "w"), indent=1)
    log("wrote", os.path.join(args.work, f"results{suffix}.json"))


def merge(work, tags):
    """Combine the outputs of side-by-side runs (--tag) into heads.pt and results.json."""
    heads, temps, fusions, results = {}, {}, [], {}
    for t in tags:
        h = torch.load(os.path.join(work, f"heads-{t}.pt"))
        heads.update(h["heads"])
        temps.update(h["temperatures"])
        fusions += h["fusions"]
        results.update(json.load(open(os.path.join(work, f"results-{t}.json"))))
    torch.save({"heads": heads, "temperatures": temps, "fusions": fusions}, os.path.join(work, "heads.pt"))
    json.dump(results, open(os.path.join(work, "results.json"), "w"), indent=1)


def evaluate_early(args, ck, results, log_fn):
    import tokenizer as T

    vocab = ck["vocab"]
    train, test = D.Split(args.train), D.Split(args.test)
    mel_tr, mel_te = train.logmel(), test.logmel()

    def inputs(split, mel, idx):
        ids, am = T.encode_batch([split.texts[i] for i in idx], vocab)
        return (torch.from_numpy(ids), torch.from_numpy(am), torch.from_numpy(split.faces_float(idx)),
                torch.from_numpy(np.asarray(mel[idx], np.float32)))

    torch.manual_seed(args.seed + 100)
    model = M.EarlyFusion(len(vocab))
    gen = torch.Generator().manual_seed(args.seed + 100)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    y, s = torch.from_numpy(train.labels), torch.from_numpy(train.score)
    model.train()
    for step in range(args.early_steps):
        for g in opt.param_groups:
            g["lr"] = 2e-3 * 0.5 * (1 + math.cos(math.pi * step / args.early_steps))
        idx = np.sort(torch.randint(0, train.n, (128,), generator=gen).numpy())
        logits, score = model(*inputs(train, mel_tr, idx), dropout_mask(128, gen))
        loss = F.cross_entropy(logits, y[idx]) + 0.3 * F.smooth_l1_loss(score, s[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 300 == 0:
            log_fn(f"  early step {step}/{args.early_steps} loss {loss.item():.4f}")
    model.eval()
    for sub, mt in SUBSETS.items():
        ls, ss = [], []
        with torch.no_grad():
            for i in range(0, test.n, 256):
                idx = np.arange(i, min(test.n, i + 256))
                l, sc = model(*inputs(test, mel_te, idx), torch.tensor(mt, dtype=torch.float32).expand(len(idx), 3))
                ls.append(l)
                ss.append(sc)
        rep = metrics.full_report(softmax(torch.cat(ls).numpy()), torch.cat(ss).numpy(), test.labels, test.score, test.kind)
        results[f"early|{sub}"] = rep
    log_fn("early: " + ", ".join(f"{sub} {results[f'early|{sub}']['all']['acc'] * 100:.1f}%" for sub in SUBSETS))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "merge":
        merge(sys.argv[2], sys.argv[3:])  # heads.py merge WORK TAG [TAG ...]
    else:
        main()
