"""Train the Sort-of-CLEVR model suite (stage 1 encoders + reference head, stage 2 fusion heads,
baselines). Data comes from the TypeScript generator (scripts/dataset/cli.ts).

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/train/train.py --train DIR --val DIR --work DIR

Writes to --work: checkpoints (stage1.pt, heads.pt), tokenizer.json, results.json, train.log lines
on stdout. See docs/training.md.
"""
import argparse
import json
import glob
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

RELATIONAL = np.array([False, False, False, True, True, True])
T0 = time.time()


def log(*a):
    print(f"[{time.time() - T0:7.1f}s]", *a, flush=True)


# ------------------------------------------------------------------------------------------ data

class Split:
    """Scene files of a split (cli.ts) plus its pre-rendered views (views.ts): views*.u8 / cover*.f32
    shards, memory-mapped. Only scenes that have views are used; they are renumbered 0..n-1 in
    shard order (self.scene_ids maps back to the generator's scene index)."""

    def __init__(self, path):
        meta = json.load(open(os.path.join(path, "meta.json")))
        n_scenes = meta["images"]
        answers = np.fromfile(os.path.join(path, "answers.u8"), np.uint8).reshape(n_scenes, 6, 6).astype(np.int64)
        objects = np.fromfile(os.path.join(path, "objects.u8"), np.uint8).reshape(n_scenes, 6, 3).astype(np.int64)
        shards = []
        for f in sorted(glob.glob(os.path.join(path, "views*.json"))):
            m = json.load(open(f))
            suffix = os.path.basename(f)[len("views"):-len(".json")]
            nv = m["count"] * m["views"]
            img = np.memmap(os.path.join(path, f"views{suffix}.u8"), np.uint8, "r", shape=(nv, m["size"], m["size"], 3))
            cov = np.memmap(os.path.join(path, f"cover{suffix}.f32"), np.float32, "r", shape=(nv, 6, m["grid"] ** 2))
            shards.append((m["first"], m["count"], m["views"], img, cov))
            self.size, self.grid, self.views = m["size"], m["grid"], m["views"]
        if not shards:
            raise SystemExit(f"{path}: no views*.json; run scripts/dataset/views.ts first")
        shards.sort(key=lambda t: t[0])
        assert all(sh[2] == self.views for sh in shards), "all shards need the same number of views"
        assert all(a[0] + a[1] <= b[0] for a, b in zip(shards, shards[1:])), "view shards overlap"
        self.scene_ids = np.concatenate([np.arange(sh[0], sh[0] + sh[1]) for sh in shards])
        # local scene i -> (shard, row of its view 0)
        self.shard_of = np.concatenate([np.full(sh[1], k) for k, sh in enumerate(shards)])
        self.row0 = np.concatenate([np.arange(sh[1]) * sh[2] for sh in shards])
        self.shards = shards
        self.n = len(self.scene_ids)
        self.answers, self.objects = answers[self.scene_ids], objects[self.scene_ids]
        local = np.full(n_scenes, -1)
        local[self.scene_ids] = np.arange(self.n)
        qs = [json.loads(l) for l in open(os.path.join(path, "questions.jsonl"))]
        qs = [q for q in qs if local[q["image"]] >= 0]
        self.q_img = np.array([local[q["image"]] for q in qs], np.int64)
        self.q_type = np.array([T.QUESTION_TYPES.index(q["type"]) for q in qs], np.int64)
        self.q_col = np.array([T.COLOURS.index(q["colour"]) for q in qs], np.int64)
        self.q_ans = np.array([T.LABELS.index(q["answer"]) for q in qs], np.int64)
        assert (self.answers[self.q_img, self.q_type, self.q_col] == self.q_ans).all(), "answers.u8 / questions.jsonl disagree"

    def get(self, scenes, views):
        """uint8 images [B,S,S,3] and coverage [B,6,cells] of view `views[i]` of scene `scenes[i]`."""
        imgs = np.empty((len(scenes), self.size, self.size, 3), np.uint8)
        covs = np.empty((len(scenes), 6, self.grid ** 2), np.float32)
        for i, (sc, v) in enumerate(zip(scenes, views)):
            _, _, _, img, cov = self.shards[self.shard_of[sc]]
            row = self.row0[sc] + v
            imgs[i] = img[row]
            covs[i] = cov[row]
        return imgs, covs

    def random_views(self, scenes, rng):
        return self.get(scenes, rng.integers(0, self.views, len(scenes)))

    def first_views(self, scenes):
        return self.get(scenes, np.zeros(len(scenes), np.int64))


def image_tensor(u8):
    return torch.from_numpy(np.ascontiguousarray(u8)).permute(0, 3, 1, 2).float().div_(255.0)


CELL_XY = torch.stack(torch.meshgrid(torch.linspace(-1, 1, M.GRID), torch.linspace(-1, 1, M.GRID), indexing="ij")[::-1], -1).reshape(-1, 2)


def attention_targets(cover, colours):
    """[B,6,225] per-colour cell coverage (from the renderer's geometry), [B] colour index -> [B,225] distribution."""
    return torch.from_numpy(cover[np.arange(len(colours)), colours])


def coverage_centres(cover):
    """[B,6,225] coverage -> [B,6,2] centroid (x, y) in the grid's [-1, 1] coordinates."""
    return torch.from_numpy(cover) @ CELL_XY


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
        image_encoder(image_tensor(split.random_views(idx, rng)[0]))
    for m, s in zip(bns, saved):
        m.momentum = s
    image_encoder.eval()


@torch.no_grad()
def encode_views(image_encoder, split, bs=200, max_views=0, max_scenes=0):
    """pooled features of every view: [n, views, 64] (row = scene); the first max_views views and
    max_scenes scenes if > 0."""
    image_encoder.eval()
    nv = split.views if max_views <= 0 else min(max_views, split.views)
    n = split.n if max_scenes <= 0 else min(max_scenes, split.n)
    out = torch.empty(n, nv, M.D_POOLED)
    t0 = time.time()
    for v in range(nv):
        for s in range(0, n, bs):
            sc = np.arange(s, min(n, s + bs))
            p, _ = image_encoder(image_tensor(split.get(sc, np.full(len(sc), v))[0]))
            out[sc, v] = p
            if s % (bs * 25) == 0:
                log(f"stage2 features: view {v + 1}/{nv} scene {s}/{n} ({time.time() - t0:.0f}s)")
    return out


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
def attention_logits(enc_img, enc_txt, head, split, variants, limit=None):
    """Logits of the attention head on the split's questions.jsonl (canonical text with '?'), view 0
    of each scene; returns (logits [Q,12], answers [Q], types [Q])."""
    enc_img.eval(); enc_txt.eval(); head.eval()
    n = split.n if limit is None else min(limit, split.n)
    tf = enc_txt(variants.ids, variants.mask)
    out, sel = [], split.q_img < n
    qi, qt, qc = split.q_img[sel], split.q_type[sel], split.q_col[sel]
    for s in range(0, n, 100):
        p, g = enc_img(image_tensor(split.first_views(np.arange(s, min(n, s + 100)))[0]))
        m = (qi >= s) & (qi < s + 100)
        li = torch.from_numpy(qi[m] - s)
        v = torch.from_numpy(Variants.index(qt[m], qc[m], 0))
        out.append(head(tf[v], p[li], g[li]))
    return torch.cat(out), split.q_ans[sel], qt


def eval_attention(enc_img, enc_txt, head, split, variants, limit=None):
    logits, ans, qt = attention_logits(enc_img, enc_txt, head, split, variants, limit)
    return summarize(logits.argmax(-1).numpy(), ans, qt)


# ------------------------------------------------------------------------------------------ stage 1

def stage1(args, train, val, val_exact, variants, vocab_size, rng):
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
    cell_probe = torch.nn.Linear(M.D_GRID, 2)  # per cell: shape of the object covering it; training only
    mods = [enc_img, enc_txt, head, text_probe, pooled_probe, cell_probe]
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
        u8, cover = train.random_views(idx, rng)
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
        tgt = attention_targets(cover[qi], qc)
        loss_att = -(tgt * torch.log(a1 + 1e-9)).sum(-1).mean()
        if args.rel_att_weight > 0:
            # training-only: pull the relation attention a2 toward the answer object of closest/farthest questions
            rel = (qt == 3) | (qt == 4)
            xy = train.objects[idx[qi[rel]], :, 1:].astype(np.float64)  # [R,6,2]
            d2 = ((xy - xy[np.arange(len(xy)), qc[rel]][:, None, :]) ** 2).sum(-1)
            d2[np.arange(len(xy)), qc[rel]] = np.where(qt[rel] == 3, np.inf, -np.inf)
            other = np.where(qt[rel] == 3, d2.argmin(1), d2.argmax(1))
            tgt2 = attention_targets(cover[qi[rel]], other)
            loss_rel = -(tgt2 * torch.log(a2[torch.from_numpy(np.nonzero(rel)[0])] + 1e-9)).sum(-1).mean()
            loss_att = loss_att + args.rel_att_weight * loss_rel
        pl = text_probe(tf)
        loss_tp = F.cross_entropy(pl[:, :6], variants.colour) + F.cross_entropy(pl[:, 6:], variants.type)
        pp = pooled_probe(pooled)
        obj = torch.from_numpy(train.objects[idx])  # [B,6,3]
        # positions as drawn in this view (shrunk/letterboxed scenes move), from the coverage centroids
        loss_pp = F.cross_entropy(pp[:, :12].reshape(-1, 2), obj[:, :, 0].reshape(-1)) + F.mse_loss(
            pp[:, 12:].reshape(bs, 6, 2), coverage_centres(cover)
        )
        loss = loss_ans + args.att_weight * loss_att + 0.2 * loss_tp + 0.2 * loss_pp
        if args.cell_shape_weight > 0:
            # dense, local shape signal: every cell an object covers predicts that object's shape
            cov = torch.from_numpy(cover)  # [B,6,225]
            w, owner = cov.max(1)  # [B,225]
            cell_shape = torch.gather(obj[:, :, 0], 1, owner)  # [B,225]
            ce = F.cross_entropy(cell_probe(grid).reshape(-1, 2), cell_shape.reshape(-1), reduction="none").reshape(w.shape)
            loss_cs = (w * ce).sum() / w.sum().clamp(min=1e-6)
            loss = loss + args.cell_shape_weight * loss_cs
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if step % args.log_every == 0 or last:
            acc = (logits.argmax(-1) == ans).float().mean().item()
            log(f"stage1 step {step}/{steps} lr={lr:.2e} loss={loss.item():.4f} ans={loss_ans.item():.4f} att={loss_att.item():.3f} "
                + (f"cell_shape={loss_cs.item():.3f} " if args.cell_shape_weight > 0 else "")
                + 
                f"tprobe={loss_tp.item():.3f} pprobe={loss_pp.item():.3f} batch_acc={acc * 100:.1f} elapsed={time.time() - t_start:.0f}s")
        if (step > 0 and step % args.eval_every == 0) or last:
            recompute_bn(enc_img, train, np.random.default_rng(step), batches=args.bn_batches_eval)
            acc = eval_attention(enc_img, enc_txt, head, val, variants, limit=args.eval_images)
            entry = {"step": step, "elapsed_s": time.time() - t_start, **acc}
            log(f"stage1 held-out (augmented views) step {step}: {fmt(acc)}")
            if val_exact is not None:
                acc_x = eval_attention(enc_img, enc_txt, head, val_exact, variants, limit=args.eval_images)
                entry["exact"] = acc_x
                log(f"stage1 held-out (exact renders) step {step}: {fmt(acc_x)}")
            hist.append(entry)
            torch.save({"step": step, "image": enc_img.state_dict(), "text": enc_txt.state_dict(), "attention": head.state_dict()},
                       os.path.join(args.work, "stage1-latest.pt"))
        if last:
            break
        step += 1
    args.steps1_done = step + 1
    recompute_bn(enc_img, train, np.random.default_rng(args.seed + 1), batches=args.bn_batches)
    return enc_img, enc_txt, head, hist, time.time() - t_start


# ------------------------------------------------------------------------------------------ stage 2

def sample_questions(split, rng, n, n_scenes=0):
    qi = rng.integers(0, n_scenes or split.n, n)
    qt = rng.integers(0, 6, n)
    qc = rng.integers(0, 6, n)
    noq = rng.integers(0, 2, n)
    return qi, Variants.index(qt, qc, noq), split.answers[qi, qt, qc]


def head_call(head, tf, pooled):
    return head(tf) if getattr(head, "inputs", None) == ["text_features"] else head(tf, pooled)


def train_light_head(name, head, tf, pooled, train, args, rng, val_eval):
    """pooled: [n, views, 64] features of every training view; each question draws one view."""
    torch.manual_seed(args.seed + 7)
    opt = torch.optim.AdamW(head.parameters(), lr=args.lr2, weight_decay=1e-4)
    steps = args.steps2
    t_start = time.time()
    for step in range(steps):
        head.train()
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, args.lr2, 100)
        qi, v, ans = sample_questions(train, rng, args.batch2, n_scenes=pooled.shape[0])
        vi = rng.integers(0, pooled.shape[1], len(qi))
        logits = head_call(head, tf[torch.from_numpy(v)], pooled[torch.from_numpy(qi), torch.from_numpy(vi)])
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


# ------------------------------------------------------------------------------------- calibration

def ece(probs, labels, bins=15):
    """Expected calibration error of the top answer, equal-width confidence bins."""
    conf, pred = probs.max(-1)
    correct = (pred == labels).float()
    edges = torch.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            total += m.float().mean().item() * abs(conf[m].mean().item() - correct[m].mean().item())
    return total


def fit_temperature(logits, labels):
    """Temperature minimising the NLL of held-out logits (1-D search over log T, then refined)."""
    def nll(t):
        return F.cross_entropy(logits / t, labels).item()
    grid = torch.exp(torch.linspace(math.log(0.05), math.log(20.0), 121))
    best = min(grid.tolist(), key=nll)
    lo, hi = best / 1.06, best * 1.06
    for _ in range(40):  # golden-section refinement
        a, b = lo + 0.382 * (hi - lo), lo + 0.618 * (hi - lo)
        if nll(a) < nll(b):
            hi = b
        else:
            lo = a
    return (lo + hi) / 2


def calibrate(name, logits, labels):
    labels = torch.as_tensor(labels)
    t = fit_temperature(logits, labels)
    before = ece(torch.softmax(logits, -1), labels)
    after = ece(torch.softmax(logits / t, -1), labels)
    out = {"temperature": t, "ece_before": before, "ece_after": after,
           "nll_before": F.cross_entropy(logits, labels).item(), "nll_after": F.cross_entropy(logits / t, labels).item(),
           "questions": int(len(labels))}
    log(f"calibration {name}: T={t:.3f} ECE {before * 100:.2f}% -> {after * 100:.2f}% (held-out, {len(labels)} questions)")
    return out


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
        img = image_tensor(train.random_views(idx, rng)[0])
        logits = model(img, variants.ids[v], variants.mask[v], index=torch.from_numpy(qi))
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
            k = min(96, train.n)
            idx = r2.choice(train.n, k, replace=False)
            qt, qc = r2.integers(0, 6, k), r2.integers(0, 6, k)
            v = torch.from_numpy(Variants.index(qt, qc, 0))
            model(image_tensor(train.random_views(np.sort(idx), r2)[0]), variants.ids[v], variants.mask[v])
        model.eval()
        preds = []
        for s in range(0, len(val.q_img), 600):
            qi = val.q_img[s : s + 600]
            v = torch.from_numpy(Variants.index(val.q_type[s : s + 600], val.q_col[s : s + 600], 0))
            preds.append(model(image_tensor(val.first_views(qi)[0]), variants.ids[v], variants.mask[v]).argmax(-1).numpy())
    acc = summarize(np.concatenate(preds), val.q_ans, val.q_type)
    log(f"baseline early held-out: {fmt(acc)}")
    return acc, time.time() - t_start


# ------------------------------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--val", required=True, help="held-out split with augmented views")
    ap.add_argument("--val-exact", default="", help="held-out split with exact spec views (views.ts --exact), reported alongside")
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
    ap.add_argument("--cell-shape-weight", type=float, default=0.0, help="weight of the per-cell shape probe (training only)")
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--eval-images", type=int, default=300)
    ap.add_argument("--bn-batches", type=int, default=100)
    ap.add_argument("--bn-batches-eval", type=int, default=10, help="BatchNorm recompute batches before each interim evaluation")
    ap.add_argument("--log-every", type=int, default=25)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-baselines", action="store_true")
    ap.add_argument("--skip-stage1", action="store_true", help="load --init (a stage1.pt) and run stage 2 only")
    ap.add_argument("--stage2-views", type=int, default=0, help="training views per scene whose features stage 2 uses (0 = all)")
    ap.add_argument("--stage2-scenes", type=int, default=0, help="training scenes whose features stage 2 uses (0 = all)")
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
    val_exact = Split(args.val_exact) if args.val_exact else None
    log(f"train images={train.n} val images={val.n} val questions={len(val.q_img)} vocab={len(vocab)} torch={torch.__version__} threads={torch.get_num_threads()}")

    results = {"seed": args.seed, "args": vars(args), "torch": torch.__version__, "timings_s": {}, "heads": {}}
    if args.skip_stage1:
        # stage 2 only, on the encoders of a finished stage 1 (its results-stage1.json is merged in)
        ck = torch.load(args.init)
        enc_img, enc_txt, head = M.ImageEncoder(), M.TextEncoder(len(vocab)), M.AttentionHead()
        enc_img.load_state_dict(ck["image"]); enc_txt.load_state_dict(ck["text"]); head.load_state_dict(ck["attention"])
        for m in (enc_img, enc_txt, head):
            m.eval()
        prev = os.path.join(os.path.dirname(args.init), "results-stage1.json")
        if os.path.exists(prev):
            r1 = json.load(open(prev))
            results["timings_s"]["stage1"] = r1["timings_s"].get("stage1")
            results["stage1_history"] = r1.get("stage1_history", [])
            results["stage1_args"] = r1.get("args", {})
        log(f"stage 2 on the stage-1 encoders of {args.init}")
    else:
        enc_img, enc_txt, head, hist, t1 = stage1(args, train, val, val_exact, variants, len(vocab), rng)
        results["timings_s"]["stage1"] = t1
        results["stage1_history"] = hist
        acc = eval_attention(enc_img, enc_txt, head, val, variants)
        results["heads"]["attention"] = acc
        log(f"stage1 final held-out (attention head, augmented views, {len(val.q_img)} questions): {fmt(acc)}")
        if val_exact is not None:
            acc_x = eval_attention(enc_img, enc_txt, head, val_exact, variants)
            results["heads_exact"] = {"attention": acc_x}
            log(f"stage1 final held-out (attention head, exact renders, {len(val_exact.q_img)} questions): {fmt(acc_x)}")
        torch.save({"vocab": vocab, "image": enc_img.state_dict(), "text": enc_txt.state_dict(), "attention": head.state_dict()},
                   os.path.join(args.work, "stage1.pt"))

    if args.stage1_only:
        results["timings_s"]["total"] = time.time() - T0
        with open(os.path.join(args.work, "results-stage1.json"), "w") as f:
            json.dump(results, f, indent=2)
        log(f"stage 1 only: done in {time.time() - T0:.0f}s")
        return

    # ---- stage 2: frozen encoders, precomputed features of the augmented training views
    t2 = time.time()
    for p in list(enc_img.parameters()) + list(enc_txt.parameters()):
        p.requires_grad_(False)
    enc_txt.eval()
    with torch.no_grad():
        tf = enc_txt(variants.ids, variants.mask)
    pooled_tr = encode_views(enc_img, train, max_views=args.stage2_views, max_scenes=args.stage2_scenes)
    log(f"stage2 features: train pooled {tuple(pooled_tr.shape)} ({time.time() - t2:.0f}s)")
    # held-out: augmented views + exact renders, pooled into one calibration/evaluation set; each
    # image is encoded once, its grid kept for the attention head's logits
    held = [val] + ([val_exact] if val_exact is not None else [])
    v_held = torch.from_numpy(np.concatenate([Variants.index(sp.q_type, sp.q_col, 0) for sp in held]))
    ans_held = np.concatenate([sp.q_ans for sp in held])
    type_held = np.concatenate([sp.q_type for sp in held])
    p_parts, att_parts = [], []
    with torch.no_grad():
        for sp in held:
            for s in range(0, sp.n, 100):
                sc = np.arange(s, min(sp.n, s + 100))
                p, g = enc_img(image_tensor(sp.first_views(sc)[0]))
                m = (sp.q_img >= s) & (sp.q_img < s + 100)
                li = torch.from_numpy(sp.q_img[m] - s)
                vq = torch.from_numpy(Variants.index(sp.q_type[m], sp.q_col[m], 0))
                p_parts.append(p[li])
                att_parts.append(head(tf[vq], p[li], g[li]))
    p_held = torch.cat(p_parts)
    att_logits = torch.cat(att_parts)
    log(f"stage2 held-out features and attention logits: {len(ans_held)} questions ({time.time() - t2:.0f}s)")

    def held_logits(h):
        with torch.no_grad():
            return head_call(h, tf[v_held], p_held)

    def val_eval(h):
        return summarize(held_logits(h).argmax(-1).numpy(), ans_held, type_held)

    results["calibration"] = {}
    results["heads"]["attention"] = summarize(att_logits.argmax(-1).numpy(), ans_held, type_held)
    log(f"attention head held-out (augmented + exact): {fmt(results['heads']['attention'])}")
    results["calibration"]["attention"] = calibrate("attention", att_logits, ans_held)
    heads = {}
    for name, cls in M.FUSION_HEADS.items():
        h = cls()
        acc, t = train_light_head(name, h, tf, pooled_tr, train, args, rng, val_eval)
        results["heads"][name] = acc
        results["timings_s"][f"stage2_{name}"] = t
        results["calibration"][name] = calibrate(name, held_logits(h), ans_held)
        heads[name] = h.state_dict()
    torch.save(heads, os.path.join(args.work, "heads.pt"))
    with open(os.path.join(args.work, "calibration.json"), "w") as f:
        json.dump(results["calibration"], f, indent=2)
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
