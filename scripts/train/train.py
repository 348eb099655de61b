"""Train the Sort-of-CLEVR model suite (stage 1 encoders + reference head, stage 2 fusion heads,
baselines). Data comes from the TypeScript generator (scripts/dataset/cli.ts).

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/train/train.py --train DIR --val DIR --work DIR

Writes to --work: checkpoints (stage1.pt, heads.pt), tokenizer.json, results.json, train.log lines
on stdout. See docs/training.md.
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
import models as M  # noqa: E402
import tokenizer as T  # noqa: E402

COLOUR_RGB = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 156, 0], [128, 128, 128], [255, 255, 0]], np.uint8)
RELATIONAL = np.array([False, False, False, True, True, True])
T0 = time.time()


def log(*a):
    print(f"[{time.time() - T0:7.1f}s]", *a, flush=True)


# ------------------------------------------------------------------------------------------ data

class Split:
    def __init__(self, path):
        meta = json.load(open(os.path.join(path, "meta.json")))
        n = meta["images"]
        self.n = n
        self.images = np.fromfile(os.path.join(path, "images.u8"), np.uint8).reshape(n, 75, 75, 3)
        self.answers = np.fromfile(os.path.join(path, "answers.u8"), np.uint8).reshape(n, 6, 6).astype(np.int64)
        self.objects = np.fromfile(os.path.join(path, "objects.u8"), np.uint8).reshape(n, 6, 3).astype(np.int64)
        qs = [json.loads(l) for l in open(os.path.join(path, "questions.jsonl"))]
        self.q_img = np.array([q["image"] for q in qs], np.int64)
        self.q_type = np.array([T.QUESTION_TYPES.index(q["type"]) for q in qs], np.int64)
        self.q_col = np.array([T.COLOURS.index(q["colour"]) for q in qs], np.int64)
        self.q_ans = np.array([T.LABELS.index(q["answer"]) for q in qs], np.int64)
        assert (self.answers[self.q_img, self.q_type, self.q_col] == self.q_ans).all(), "answers.u8 / questions.jsonl disagree"


def image_tensor(u8):
    return torch.from_numpy(np.ascontiguousarray(u8)).permute(0, 3, 1, 2).float().div_(255.0)


def attention_targets(u8, colours):
    """[B,75,75,3] uint8 images, [B] colour index -> [B,225] distribution over the cells covered by that colour."""
    rgb = COLOUR_RGB[colours][:, None, None, :]
    m = torch.from_numpy((u8 == rgb).all(-1).astype(np.float32))  # [B,75,75]
    p = F.avg_pool2d(m.unsqueeze(1), 5).flatten(1)  # [B,225]
    return p / p.sum(1, keepdim=True).clamp(min=1e-6)


class Variants:
    """Token ids of the 72 template variants (36 questions, with and without '?')."""

    def __init__(self, vocab):
        texts = T.question_variants()
        enc = [T.encode(t, vocab) for t in texts]
        L = max(len(e) for e in enc)
        self.ids = torch.zeros(len(enc), L, dtype=torch.long)
        self.mask = torch.zeros(len(enc), L, dtype=torch.long)
        for i, e in enumerate(enc):
            self.ids[i, : len(e)] = torch.tensor(e)
            self.mask[i, : len(e)] = 1
        idx = torch.arange(len(enc))
        self.type = idx // 12
        self.colour = (idx // 2) % 6

    @staticmethod
    def index(t, c, noq):
        return (t * 6 + c) * 2 + noq


# ---------------------------------------------------------------------------------------- helpers

def lr_at(step, total, base, warmup, progress=None):
    """Linear warm-up, then cosine decay. `progress` (0..1) overrides step/total when given."""
    if step < warmup:
        return base * (step + 1) / warmup
    p = (step - warmup) / max(1, total - warmup) if progress is None else progress
    return base * 0.5 * (1 + math.cos(math.pi * min(1.0, p)))


@torch.no_grad()
def recompute_bn(image_encoder, split, rng, batches=60, bs=64):
    bns = [m for m in image_encoder.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    image_encoder.train()
    for _ in range(batches):
        idx = np.sort(rng.choice(split.n, bs, replace=False))
        image_encoder(image_tensor(split.images[idx]))
    for m, s in zip(bns, saved):
        m.momentum = s
    image_encoder.eval()


@torch.no_grad()
def encode_images(image_encoder, split, bs=250, limit=None, want_grid=False):
    image_encoder.eval()
    n = split.n if limit is None else min(limit, split.n)
    pooled, grids = [], []
    for s in range(0, n, bs):
        p, g = image_encoder(image_tensor(split.images[s : s + bs]))
        pooled.append(p)
        if want_grid:
            grids.append(g)
    return torch.cat(pooled), (torch.cat(grids) if want_grid else None)


def summarize(pred, ans, qtype):
    correct = pred == ans
    out = {"overall": float(correct.mean())}
    for t, name in enumerate(T.QUESTION_TYPES):
        out[name] = float(correct[qtype == t].mean())
    out["relational"] = float(correct[RELATIONAL[qtype]].mean())
    out["non_relational"] = float(correct[~RELATIONAL[qtype]].mean())
    return out


def fmt(acc):
    return " ".join(f"{k}={v * 100:.1f}" for k, v in acc.items())


@torch.no_grad()
def eval_attention(enc_img, enc_txt, head, split, variants, limit=None):
    """Evaluate on the split's questions.jsonl (canonical text with '?')."""
    enc_img.eval(); enc_txt.eval(); head.eval()
    n = split.n if limit is None else min(limit, split.n)
    tf = enc_txt(variants.ids, variants.mask)
    preds, sel = [], split.q_img < n
    qi, qt, qc = split.q_img[sel], split.q_type[sel], split.q_col[sel]
    for s in range(0, n, 100):
        p, g = enc_img(image_tensor(split.images[s : s + 100]))
        m = (qi >= s) & (qi < s + 100)
        li = torch.from_numpy(qi[m] - s)
        v = torch.from_numpy(Variants.index(qt[m], qc[m], 0))
        preds.append(head(tf[v], p[li], g[li]).argmax(-1).numpy())
    return summarize(np.concatenate(preds), split.q_ans[sel], qt)


# ------------------------------------------------------------------------------------------ stage 1

def stage1(args, train, val, variants, vocab_size, rng):
    torch.manual_seed(args.seed)
    enc_img, enc_txt, head = M.ImageEncoder(), M.TextEncoder(vocab_size), M.AttentionHead()
    if args.init:
        ck = torch.load(args.init)
        enc_img.load_state_dict(ck["image"])
        enc_txt.load_state_dict(ck["text"])
        head.load_state_dict(ck["attention"])
        log(f"stage1 continues from {args.init} (step {ck.get('step', '?')})")
    text_probe = torch.nn.Linear(M.D_TEXT, 12)  # colour (6) + question type (6); training only
    pooled_probe = torch.nn.Linear(M.D_POOLED, 6 * 2 + 6 * 2)  # per colour: shape logits, (x, y); training only
    mods = [enc_img, enc_txt, head, text_probe, pooled_probe]
    params = [p for m in mods for p in m.parameters()]
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 1e-4}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    bs = args.batch_images
    steps = args.steps1
    t_start = time.time()
    budget = args.budget1_min * 60 if args.budget1_min > 0 else float("inf")
    hist = []
    step = 0
    while True:
        # progress: steps, or wall time when a budget is set and binds first (shared machines)
        progress = max((step - args.warmup) / max(1, steps - args.warmup), (time.time() - t_start) / budget)
        last = progress >= 1.0 or step == steps - 1 or (args.max_steps1 > 0 and step == args.max_steps1 - 1)
        if progress >= 1.0 and step < steps - 1:
            log(f"stage1 wall-time budget {args.budget1_min} min reached at step {step}/{steps}: cosine schedule ended by time")
        for m in mods:
            m.train()
        lr = lr_at(step, steps, args.lr, args.warmup, progress if step >= args.warmup else None)
        for g in opt.param_groups:
            g["lr"] = lr
        idx = np.sort(rng.choice(train.n, bs, replace=False))
        u8 = train.images[idx]
        pooled, grid = enc_img(image_tensor(u8))
        tf = enc_txt(variants.ids, variants.mask)  # [72, 64]
        # six questions per image: one per type, random colour, '?' dropped half of the time
        qi = np.repeat(np.arange(bs), 6)
        qt = np.tile(np.arange(6), bs)
        qc = rng.integers(0, 6, bs * 6)
        noq = rng.integers(0, 2, bs * 6)
        ans = torch.from_numpy(train.answers[idx[qi], qt, qc])
        v = torch.from_numpy(Variants.index(qt, qc, noq))
        qi_t = torch.from_numpy(qi)
        logits, a1, a2 = head(tf[v], pooled, grid, return_attention=True, index=qi_t)
        loss_ans = F.cross_entropy(logits, ans)
        tgt = attention_targets(u8[qi], qc)
        loss_att = -(tgt * torch.log(a1 + 1e-9)).sum(-1).mean()
        if args.rel_att_weight > 0:
            # training-only: pull the relation attention a2 toward the answer object of closest/farthest questions
            rel = (qt == 3) | (qt == 4)
            xy = train.objects[idx[qi[rel]], :, 1:].astype(np.float64)  # [R,6,2]
            d2 = ((xy - xy[np.arange(len(xy)), qc[rel]][:, None, :]) ** 2).sum(-1)
            d2[np.arange(len(xy)), qc[rel]] = np.where(qt[rel] == 3, np.inf, -np.inf)
            other = np.where(qt[rel] == 3, d2.argmin(1), d2.argmax(1))
            tgt2 = attention_targets(u8[qi[rel]], other)
            loss_rel = -(tgt2 * torch.log(a2[torch.from_numpy(np.nonzero(rel)[0])] + 1e-9)).sum(-1).mean()
            loss_att = loss_att + args.rel_att_weight * loss_rel
        pl = text_probe(tf)
        loss_tp = F.cross_entropy(pl[:, :6], variants.colour) + F.cross_entropy(pl[:, 6:], variants.type)
        pp = pooled_probe(pooled)
        obj = torch.from_numpy(train.objects[idx])  # [B,6,3]
        loss_pp = F.cross_entropy(pp[:, :12].reshape(-1, 2), obj[:, :, 0].reshape(-1)) + F.mse_loss(
            pp[:, 12:].reshape(bs, 6, 2), (obj[:, :, 1:].float() - 37.5) / 37.5
        )
        loss = loss_ans + args.att_weight * loss_att + 0.2 * loss_tp + 0.2 * loss_pp
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if step % args.log_every == 0 or last:
            acc = (logits.argmax(-1) == ans).float().mean().item()
            log(f"stage1 step {step}/{steps} lr={lr:.2e} loss={loss.item():.4f} ans={loss_ans.item():.4f} att={loss_att.item():.3f} "
                f"tprobe={loss_tp.item():.3f} pprobe={loss_pp.item():.3f} batch_acc={acc * 100:.1f} elapsed={time.time() - t_start:.0f}s")
        if (step > 0 and step % args.eval_every == 0) or last:
            recompute_bn(enc_img, train, np.random.default_rng(step), batches=20)
            acc = eval_attention(enc_img, enc_txt, head, val, variants, limit=args.eval_images)
            hist.append({"step": step, "elapsed_s": time.time() - t_start, **acc})
            log(f"stage1 held-out step {step}: {fmt(acc)}")
            torch.save({"step": step, "image": enc_img.state_dict(), "text": enc_txt.state_dict(), "attention": head.state_dict()},
                       os.path.join(args.work, "stage1-latest.pt"))
        if last:
            break
        step += 1
    args.steps1_done = step + 1
    recompute_bn(enc_img, train, np.random.default_rng(args.seed + 1), batches=args.bn_batches)
    return enc_img, enc_txt, head, hist, time.time() - t_start


# ------------------------------------------------------------------------------------------ stage 2

def sample_questions(split, rng, n):
    qi = rng.integers(0, split.n, n)
    qt = rng.integers(0, 6, n)
    qc = rng.integers(0, 6, n)
    noq = rng.integers(0, 2, n)
    return qi, Variants.index(qt, qc, noq), split.answers[qi, qt, qc]


def train_light_head(name, head, tf, pooled, train, args, rng, val_eval):
    torch.manual_seed(args.seed + 7)
    opt = torch.optim.AdamW(head.parameters(), lr=args.lr2, weight_decay=1e-4)
    steps = args.steps2
    t_start = time.time()
    for step in range(steps):
        head.train()
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, args.lr2, 100)
        qi, v, ans = sample_questions(train, rng, args.batch2)
        logits = head(tf[torch.from_numpy(v)], pooled[torch.from_numpy(qi)])
        loss = F.cross_entropy(logits, torch.from_numpy(ans))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(head.parameters(), 1.0)
        opt.step()
        if step % (args.log_every * 4) == 0 or step == steps - 1:
            log(f"stage2 {name} step {step}/{steps} loss={loss.item():.4f} elapsed={time.time() - t_start:.0f}s")
    head.eval()
    acc = val_eval(head)
    log(f"stage2 {name} held-out: {fmt(acc)}")
    return acc, time.time() - t_start


def early_fusion(args, train, val, variants, vocab_size, rng):
    torch.manual_seed(args.seed + 11)
    model = M.EarlyFusion(vocab_size)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps, bs = args.steps_early, 16
    t_start = time.time()
    for step in range(steps):
        model.train()
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, args.lr, 100)
        idx = np.sort(rng.choice(train.n, bs, replace=False))
        qi = np.repeat(np.arange(bs), 6)
        qt = np.tile(np.arange(6), bs)
        qc = rng.integers(0, 6, bs * 6)
        v = torch.from_numpy(Variants.index(qt, qc, rng.integers(0, 2, bs * 6)))
        img = image_tensor(train.images[idx])[torch.from_numpy(qi)]
        logits = model(img, variants.ids[v], variants.mask[v])
        loss = F.cross_entropy(logits, torch.from_numpy(train.answers[idx[qi], qt, qc]))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % (args.log_every * 2) == 0 or step == steps - 1:
            log(f"baseline early step {step}/{steps} loss={loss.item():.4f} elapsed={time.time() - t_start:.0f}s")
    # BN stats, then evaluate
    with torch.no_grad():
        bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
        for m in bns:
            m.reset_running_stats()
            m.momentum = None
        model.train()
        r2 = np.random.default_rng(5)
        for _ in range(30):
            idx = r2.choice(train.n, 96, replace=False)
            qt, qc = r2.integers(0, 6, 96), r2.integers(0, 6, 96)
            v = torch.from_numpy(Variants.index(qt, qc, 0))
            model(image_tensor(train.images[np.sort(idx)]), variants.ids[v], variants.mask[v])
        model.eval()
        preds = []
        for s in range(0, len(val.q_img), 600):
            qi = val.q_img[s : s + 600]
            v = torch.from_numpy(Variants.index(val.q_type[s : s + 600], val.q_col[s : s + 600], 0))
            preds.append(model(image_tensor(val.images[qi]), variants.ids[v], variants.mask[v]).argmax(-1).numpy())
    acc = summarize(np.concatenate(preds), val.q_ans, val.q_type)
    log(f"baseline early held-out: {fmt(acc)}")
    return acc, time.time() - t_start


# ------------------------------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--val", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--steps1", type=int, default=3000)
    ap.add_argument("--steps2", type=int, default=4000)
    ap.add_argument("--steps-early", type=int, default=300)
    ap.add_argument("--budget1-min", type=float, default=0, help="stage-1 wall-time budget; 0 = steps only")
    ap.add_argument("--max-steps1", type=int, default=0, help="stop stage 1 after this many steps (schedule still over --steps1)")
    ap.add_argument("--stage1-only", action="store_true", help="save stage1.pt and stop")
    ap.add_argument("--batch-images", type=int, default=32)
    ap.add_argument("--batch2", type=int, default=512)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--lr2", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--att-weight", type=float, default=1.0)
    ap.add_argument("--rel-att-weight", type=float, default=0.0, help="weight of the closest/farthest a2 supervision")
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--eval-images", type=int, default=300)
    ap.add_argument("--bn-batches", type=int, default=100)
    ap.add_argument("--log-every", type=int, default=25)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-baselines", action="store_true")
    ap.add_argument("--init", default="", help="continue stage 1 from a checkpoint (stage1.pt / stage1-latest.pt)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    torch.manual_seed(args.seed)

    vocab = T.build_vocab()
    T.write_tokenizer(os.path.join(args.work, "tokenizer.json"), vocab)
    variants = Variants(vocab)
    log(f"loading data: train={args.train} val={args.val}")
    train, val = Split(args.train), Split(args.val)
    log(f"train images={train.n} val images={val.n} val questions={len(val.q_img)} vocab={len(vocab)} torch={torch.__version__} threads={torch.get_num_threads()}")

    results = {"seed": args.seed, "args": vars(args), "torch": torch.__version__, "timings_s": {}}
    enc_img, enc_txt, head, hist, t1 = stage1(args, train, val, variants, len(vocab), rng)
    results["timings_s"]["stage1"] = t1
    results["stage1_history"] = hist
    acc = eval_attention(enc_img, enc_txt, head, val, variants)
    results.setdefault("heads", {})["attention"] = acc
    log(f"stage1 final held-out (attention head, {len(val.q_img)} questions): {fmt(acc)}")
    torch.save({"vocab": vocab, "image": enc_img.state_dict(), "text": enc_txt.state_dict(), "attention": head.state_dict()},
               os.path.join(args.work, "stage1.pt"))

    if args.stage1_only:
        results["timings_s"]["total"] = time.time() - T0
        with open(os.path.join(args.work, "results-stage1.json"), "w") as f:
            json.dump(results, f, indent=2)
        log(f"stage 1 only: done in {time.time() - T0:.0f}s")
        return

    # ---- stage 2: frozen encoders, precomputed features
    t2 = time.time()
    for p in list(enc_img.parameters()) + list(enc_txt.parameters()):
        p.requires_grad_(False)
    enc_txt.eval()
    with torch.no_grad():
        tf = enc_txt(variants.ids, variants.mask)
    pooled_tr, _ = encode_images(enc_img, train)
    pooled_va, _ = encode_images(enc_img, val)
    log(f"stage2 features: train pooled {tuple(pooled_tr.shape)} ({time.time() - t2:.0f}s)")
    v_val = torch.from_numpy(Variants.index(val.q_type, val.q_col, 0))
    qi_val = torch.from_numpy(val.q_img)

    def val_eval(h):
        with torch.no_grad():
            pred = h(tf[v_val], pooled_va[qi_val]).argmax(-1).numpy()
        return summarize(pred, val.q_ans, val.q_type)

    heads = {}
    for name, cls in M.FUSION_HEADS.items():
        h = cls()
        acc, t = train_light_head(name, h, tf, pooled_tr, train, args, rng, val_eval)
        results["heads"][name] = acc
        results["timings_s"][f"stage2_{name}"] = t
        heads[name] = h.state_dict()
    torch.save(heads, os.path.join(args.work, "heads.pt"))
    results["baselines"] = {}
    if not args.skip_baselines:
        late = M.LateFusion()
        acc, t = train_light_head("late", late, tf, pooled_tr, train, args, rng, val_eval)
        results["baselines"]["late"] = acc
        results["timings_s"]["baseline_late"] = t
        if args.steps_early > 0:
            acc, t = early_fusion(args, train, val, variants, len(vocab), rng)
            results["baselines"]["early"] = acc
            results["timings_s"]["baseline_early"] = t
    results["timings_s"]["total"] = time.time() - T0
    results["val"] = {"dir": args.val, "images": val.n, "questions": int(len(val.q_img))}
    results["train"] = {"dir": args.train, "images": train.n}
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    log(f"done in {time.time() - T0:.0f}s; results in {args.work}/results.json")


if __name__ == "__main__":
    main()
