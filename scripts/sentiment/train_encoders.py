"""Stage 1: pretrain each encoder on its own modality, then dump frozen features for the heads.

  /usr/bin/python3 scripts/sentiment/train_encoders.py --train A,B --val V --work DIR --seed 101 \
      [--dump test=DIR ...] [--steps-text 400 --steps-face 900 --steps-audio 900]

Each encoder sees only its modality (text never sees a face, ...). Targets: the class and s, plus an
auxiliary target read from the same modality (text: the surface polarity of the words; face: whether
it is readable; voice: whether it is too noisy, and the drawl). Writes DIR/encoders.pt,
DIR/tokenizer.json, DIR/features/<split>.npz and DIR/stage1.json (validation figures).
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
import models as M  # noqa: E402
import tokenizer as T  # noqa: E402


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def cosine_lr(step, total, base, warmup=50):
    if step < warmup:
        return base * (step + 1) / warmup
    return base * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


def class_score_loss(cls, score, y, s):
    return F.cross_entropy(cls, y) + 0.3 * F.smooth_l1_loss(score, s)


def train_loop(name, encoder, probe, batches, steps, lr, loss_fn):
    params = list(encoder.parameters()) + list(probe.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
    encoder.train()
    probe.train()
    t0 = time.time()
    for step in range(steps):
        for g in opt.param_groups:
            g["lr"] = cosine_lr(step, steps, lr)
        loss = loss_fn(*next(batches))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if step % 100 == 0 or step == steps - 1:
            log(f"{name} step {step}/{steps} loss {loss.item():.4f} ({time.time() - t0:.0f} s)")


def recalibrate_bn(module, inputs_iter, n_batches=30):
    """Recompute BatchNorm running statistics with the final weights (see shared notes/training.md)."""
    for m in module.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            m.momentum = None  # cumulative average
    module.train()
    with torch.no_grad():
        for _ in range(n_batches):
            module(next(inputs_iter))
    module.eval()


def sampler(n, batch, rng):
    while True:
        perm = rng.permutation(n)
        for i in range(0, n - batch + 1, batch):
            yield perm[i: i + batch]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--val", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seed", type=int, default=101)
    ap.add_argument("--dump", action="append", default=[], help="NAME=DIR[,DIR] extra splits to featurise")
    ap.add_argument("--steps-text", type=int, default=400)
    ap.add_argument("--steps-face", type=int, default=900)
    ap.add_argument("--steps-audio", type=int, default=900)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1, help="1 is fastest on a shared 2-core machine")
    ap.add_argument("--only", default="all", choices=["all", "text", "face", "audio", "dump"],
                    help="train one encoder (three processes can run side by side), or only dump features")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(os.path.join(args.work, "features"), exist_ok=True)

    train, val = D.Split(args.train), D.Split(args.val)
    log(f"train {train.n}, val {val.n}")
    vocab = T.build_vocab(train.texts)
    T.write_tokenizer(os.path.join(args.work, "tokenizer.json"), vocab)
    log(f"vocabulary {len(vocab)} tokens")
    y, s = torch.from_numpy(train.labels), torch.from_numpy(train.score)
    todo = ["text", "face", "audio"] if args.only == "all" else [] if args.only == "dump" else [args.only]
    for m in todo:
        # each encoder has its own seed, so it trains the same alone or in a separate process
        torch.manual_seed(args.seed + 1 + ["text", "face", "audio"].index(m))
        rng = np.random.default_rng(args.seed + 1 + ["text", "face", "audio"].index(m))
        idx = sampler(train.n, args.batch, rng)
        state = {"text": train_text, "face": train_face, "audio": train_audio}[m](args, train, vocab, y, s, rng, idx)
        torch.save(state, os.path.join(args.work, f"enc-{m}.pt"))
    if args.only not in ("all", "dump"):
        return
    dump(args, train, val, vocab)


def train_text(args, train, vocab, y, s, rng, idx):
    ids, am = T.encode_batch(train.texts, vocab)
    ids_t, am_t = torch.from_numpy(ids), torch.from_numpy(am)
    text_enc = M.TextEncoder(len(vocab), max_len=T.MAX_TOKENS)
    text_probe = M.Probe(len(D.SURFACES))
    surf = torch.from_numpy(train.surface)

    def text_batches():
        while True:
            b = next(idx)
            yield (b,)

    def text_loss(b):
        c, sc, aux = text_probe(text_enc(ids_t[b], am_t[b]))
        return class_score_loss(c, sc, y[b], s[b]) + 0.5 * F.cross_entropy(aux, surf[b])

    train_loop("text", text_enc, text_probe, text_batches(), args.steps_text, 2e-3, text_loss)
    text_enc.eval()
    text_probe.eval()
    return {"encoder": text_enc.state_dict(), "probe": text_probe.state_dict()}


def train_face(args, train, vocab, y, s, rng, idx):
    face_enc, face_probe = M.FaceEncoder(), M.Probe(2)
    fr = torch.from_numpy(train.face_readable)

    def face_input(b, flip):
        x = torch.from_numpy(train.faces_float(b))
        if flip:
            x = torch.flip(x, [3])  # faces are left-right symmetric in what they express
        return x

    def face_batches():
        while True:
            b = np.sort(next(idx))
            yield (b, bool(rng.integers(2)))

    def face_loss(b, flip):
        c, sc, aux = face_probe(face_enc(face_input(b, flip))[0])
        return class_score_loss(c, sc, y[b], s[b]) + 0.3 * F.cross_entropy(aux, fr[b])

    train_loop("face", face_enc, face_probe, face_batches(), args.steps_face, 3e-3, face_loss)
    recalibrate_bn(face_enc, (face_input(np.sort(next(idx)), False) for _ in iter(int, 1)))
    face_probe.eval()
    return {"encoder": face_enc.state_dict(), "probe": face_probe.state_dict()}


def train_audio(args, train, vocab, y, s, rng, idx):
    """On the cached log-mel (data.shard_logmel): the exported graph puts frontend.LogMel in front."""
    mel_train = train.logmel()
    audio_body, audio_probe = M.AudioBody(), M.Probe(4)
    vr, dr = torch.from_numpy(train.voice_readable), torch.from_numpy(train.drawl)

    def audio_input(b):
        return torch.from_numpy(np.asarray(mel_train[b], np.float32))

    def audio_batches():
        while True:
            yield (np.sort(next(idx)),)

    def audio_loss(b):
        c, sc, aux = audio_probe(audio_body(audio_input(b))[0])
        return class_score_loss(c, sc, y[b], s[b]) + 0.3 * (F.cross_entropy(aux[:, :2], vr[b]) + F.cross_entropy(aux[:, 2:], dr[b]))

    train_loop("audio", audio_body, audio_probe, audio_batches(), args.steps_audio, 3e-3, audio_loss)
    recalibrate_bn(audio_body, (audio_input(np.sort(next(idx))) for _ in iter(int, 1)))
    audio_probe.eval()
    return {"encoder": audio_body.state_dict(), "probe": audio_probe.state_dict()}


def dump(args, train, val, vocab):
    st = {m: torch.load(os.path.join(args.work, f"enc-{m}.pt")) for m in ("text", "face", "audio")}
    text_enc, face_enc, audio_body = M.TextEncoder(len(vocab), max_len=T.MAX_TOKENS), M.FaceEncoder(), M.AudioBody()
    text_probe, face_probe, audio_probe = M.Probe(len(D.SURFACES)), M.Probe(2), M.Probe(4)
    for mod, enc, probe in (("text", text_enc, text_probe), ("face", face_enc, face_probe), ("audio", audio_body, audio_probe)):
        enc.load_state_dict(st[mod]["encoder"])
        probe.load_state_dict(st[mod]["probe"])
        enc.eval()
        probe.eval()
    encoder = M.AudioEncoder()
    encoder.body.load_state_dict(audio_body.state_dict())
    torch.save({
        "vocab": vocab, "text": text_enc.state_dict(), "face": face_enc.state_dict(), "audio": encoder.state_dict(),
        "probes": {"text": text_probe.state_dict(), "face": face_probe.state_dict(), "audio": audio_probe.state_dict()},
    }, os.path.join(args.work, "encoders.pt"))

    splits = {"train": (train, None), "val": (val, None)}
    for spec in args.dump:
        name, dirs = spec.split("=", 1)
        splits[name] = (D.Split(dirs), None)
    report = {}
    for name, (split, mel) in splits.items():
        if mel is None:
            mel = split.logmel()
        out = featurise(split, mel, vocab, text_enc, face_enc, audio_body)
        np.savez(os.path.join(args.work, "features", f"{name}.npz"), **out)
        with torch.no_grad():
            for mod, probe, key in (("text", text_probe, "text"), ("face", face_probe, "face_pooled"), ("voice", audio_probe, "audio_pooled")):
                c, _, _ = probe(torch.from_numpy(out[key]))
                acc = float((c.argmax(1).numpy() == split.labels).mean())
                report[f"{name}/{mod}"] = round(acc, 4)
        log(f"features {name}: {split.n} samples; unimodal probe accuracy", {k: v for k, v in report.items() if k.startswith(name)})
    json.dump(report, open(os.path.join(args.work, "stage1.json"), "w"), indent=2)


def featurise(split, mel, vocab, text_enc, face_enc, audio_body, batch=256):
    ids, am = T.encode_batch(split.texts, vocab)
    outs = {k: [] for k in ("text", "face_pooled", "face_grid", "audio_pooled", "audio_frames")}
    with torch.no_grad():
        for i in range(0, split.n, batch):
            sl = np.arange(i, min(split.n, i + batch))
            outs["text"].append(text_enc(torch.from_numpy(ids[sl]), torch.from_numpy(am[sl])).numpy())
            fp, fg = face_enc(torch.from_numpy(split.faces_float(sl)))
            outs["face_pooled"].append(fp.numpy())
            outs["face_grid"].append(fg.numpy())
            ap_, af = audio_body(torch.from_numpy(np.asarray(mel[sl], np.float32)))
            outs["audio_pooled"].append(ap_.numpy())
            outs["audio_frames"].append(af.numpy().astype(np.float16))
    out = {k: np.concatenate(v) for k, v in outs.items()}
    out.update(labels=split.labels, score=split.score, kind=split.kind, face_readable=split.face_readable,
               voice_readable=split.voice_readable, ids=ids, ids_mask=am)
    return out


if __name__ == "__main__":
    main()
