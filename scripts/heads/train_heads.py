"""Generic head trainer: per-modality features + labels -> one fusion head per method, ONNX, manifest heads.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/heads/train_heads.py --features DIR --suite-dir models/<id> \
      [--fusions concat,sum,product,bilinear,tensor,lmf,attention,gated] [--baselines late,early,unimodal] \
      [--optional voice,face] [--seed 1] [--epochs 40] [--labels a,b,c]

DIR holds train/val/test splits (scripts/heads/features.py documents the arrays). Optional modalities
come from the suite's manifest.json (required: false), from FEATURES/suite.json (written by
scripts/suite/extract-features.ts), from --optional, or from `present.<m>` arrays with zeros. Heads over optional modalities train with modality dropout and take a presence mask
input, so one head answers every subset. Each head is calibrated by temperature on val, exported
to ONNX (opset 17), checked against onnxruntime-node, and written to <suite-dir>/heads/<name>.onnx;
the manifest's `heads` (or heads/heads.json when no manifest exists yet), eval.json and EVAL.md follow.
"""
import argparse
import itertools
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads must not spin on a shared box
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_onnx as X  # noqa: E402
import features as D  # noqa: E402
import fusions as H  # noqa: E402
import metrics as Q  # noqa: E402
import suite_files as S  # noqa: E402


def log(msg):
    print(msg, flush=True)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--features", required=True, help="folder with train/val/test .npz (or folders of .npy)")
    ap.add_argument("--suite-dir", required=True, help="suite folder: heads/, eval.json, EVAL.md and manifest heads are written here")
    ap.add_argument("--fusions", default=",".join(H.FUSIONS), help=f"comma list of {H.FUSIONS}")
    ap.add_argument("--baselines", default="late,early,unimodal", help=f"comma list of {H.BASELINES}, or 'none'")
    ap.add_argument("--export-baselines", action="store_true", help="also ship late/early/unimodal heads in the manifest")
    ap.add_argument("--optional", default="", help="comma list of optional modalities (added to the manifest's)")
    ap.add_argument("--labels", default="", help="comma list of label names (else the manifest's task.labels or label_names)")
    ap.add_argument("--id-prefix", default="", help="head ids are <prefix>-<fusion> (default: the suite id)")
    ap.add_argument("--version", default="", help="head version (default: the manifest's version, else 1.0.0)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--patience", type=int, default=8, help="stop after this many epochs without a better val loss")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--d", type=int, default=64, help="per-modality projection size")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--modality-dropout", type=float, default=0.3, help="drop rate of each optional modality while training")
    ap.add_argument("--score-weight", type=float, default=0.5, help="weight of the regression loss (standardised score)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest on a busy machine: spinning workers lose their core)")
    ap.add_argument("--no-onnx-check", action="store_true", help="skip the onnxruntime-node parity check")
    return ap.parse_args(argv)


def comma(s):
    return [x.strip() for x in s.split(",") if x.strip()]


def read_manifest(suite_dir):
    p = os.path.join(suite_dir, "manifest.json")
    return json.load(open(p)) if os.path.exists(p) else None


def stats_of(split, modalities):
    """Mean/std per feature over the training rows where the modality is present (over T too for sequences)."""
    out = {}
    pres = D.presence(split, modalities)
    for i, m in enumerate(modalities):
        rows = pres[:, i] > 0.5
        for key in [m.vec, m.seq]:
            if key is None:
                continue
            a = split.arrays[f"{m.name}.{key}"][rows]
            flat = a.reshape(-1, a.shape[-1])
            out[f"{m.name}.{key}"] = (flat.mean(0), flat.std(0) + 1e-6)
    return out


def tensors(split, head, rows=None):
    xs = []
    for name, i, kind, output in head.inputs:
        a = split.arrays[f"{head.mods[i].name}.{output}"]
        xs.append(torch.from_numpy(a if rows is None else a[rows]))
    return xs


def apply_mask(xs, head, mask):
    """Zero the inputs of absent modalities: what the edge feeds for a missing optional modality."""
    out = []
    for x, (_, i, _, _) in zip(xs, head.inputs):
        m = mask[:, i].reshape(-1, *([1] * (x.dim() - 1)))
        out.append(x * m)
    return out


def run(head, xs, mask, raw=True, batch=512):
    head.eval()
    logits, scores = [], []
    with torch.no_grad():
        for s in range(0, xs[0].shape[0], batch):
            b = [x[s : s + batch] for x in xs]
            mb = mask[s : s + batch] if mask is not None else None
            b = apply_mask(b, head, mb) if mb is not None else b
            o = head.raw(*(b + ([mb] if head.use_mask else [])))
            logits.append(o["logits"])
            if "score" in o:
                scores.append(o["score"] * head.score_std + head.score_mean)
    return torch.cat(logits).numpy(), (torch.cat(scores).numpy() if scores else None)


def subset_names(modalities):
    """Subsets to evaluate: all modalities, then every subset leaving out some optional ones (never empty)."""
    opt = [m.name for m in modalities if m.optional]
    out = []
    for r in range(0, len(opt) + 1):
        for drop in itertools.combinations(opt, r):
            keep = [m.name for m in modalities if m.name not in drop]
            if keep:
                out.append(keep)
    return out


def train_one(name, head, data, modalities, args, n_labels, has_score):
    tr, va = data["train"], data["val"]
    gen = torch.Generator().manual_seed(args.seed)
    pres_tr = torch.from_numpy(D.presence(tr, head.mods))
    pres_va = torch.from_numpy(D.presence(va, head.mods))
    rows_tr = (pres_tr.sum(1) > 0).nonzero().squeeze(1)
    rows_va = (pres_va.sum(1) > 0).nonzero().squeeze(1)
    xs_tr = [x[rows_tr] for x in tensors(tr, head)]
    y_tr = torch.from_numpy(tr.labels)[rows_tr]
    m_tr = pres_tr[rows_tr]
    xs_va = [x[rows_va] for x in tensors(va, head)]
    y_va = va.labels[rows_va.numpy()]
    m_va = pres_va[rows_va]
    s_tr = None
    if has_score:
        s_tr = (torch.from_numpy(tr.score)[rows_tr] - head.score_mean) / head.score_std
    optional = torch.tensor([1.0 if m.optional else 0.0 for m in head.mods])
    opt = torch.optim.AdamW(head.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    n = len(y_tr)
    steps_per_epoch = max(1, (n + args.batch_size - 1) // args.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.1)
    best, best_loss, stale, t0 = None, float("inf"), 0, time.time()
    epochs_run = 0
    for epoch in range(args.epochs):
        head.train()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for s in range(0, n, args.batch_size):
            idx = perm[s : s + args.batch_size]
            mask = m_tr[idx].clone()
            if head.use_mask and args.modality_dropout > 0:
                drop = (torch.rand(mask.shape, generator=gen) < args.modality_dropout).float() * optional
                dropped = mask * (1.0 - drop)
                empty = dropped.sum(1, keepdim=True) == 0
                mask = torch.where(empty, mask, dropped)
            b = apply_mask([x[idx] for x in xs_tr], head, mask)
            out = head.raw(*(b + ([mask] if head.use_mask else [])))
            loss = F.cross_entropy(out["logits"], y_tr[idx])
            if s_tr is not None:
                loss = loss + args.score_weight * F.mse_loss(out["score"], s_tr[idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(head.parameters(), 1.0)
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
        epochs_run = epoch + 1
        logits, _ = run(head, xs_va, m_va)
        vloss = Q.nll(logits, y_va)
        vacc = float((logits.argmax(-1) == y_va).mean())
        improved = vloss < best_loss - 1e-4
        if improved:
            best, best_loss, stale = {k: v.clone() for k, v in head.state_dict().items()}, vloss, 0
        else:
            stale += 1
        log(f"[{name}] epoch {epoch + 1}/{args.epochs} train_loss {total / n:.4f} val_nll {vloss:.4f} val_acc {100 * vacc:.1f}%"
            f"{' *' if improved else ''} ({time.time() - t0:.1f}s)")
        if stale >= args.patience:
            log(f"[{name}] early stop: no better val loss for {args.patience} epochs")
            break
    head.load_state_dict(best)
    logits, _ = run(head, xs_va, m_va)
    t = Q.fit_temperature(logits, y_va)
    head.temperature.fill_(t)
    return {"epochs": epochs_run, "seconds": round(time.time() - t0, 2), "temperature": t,
            "val": Q.classification(logits / t, y_va, n_labels), "valEceBefore": Q.ece(logits, y_va)}


def evaluate(head, split, n_labels, modalities_all):
    pres = torch.from_numpy(D.presence(split, head.mods))
    xs = tensors(split, head)
    res = {"subsets": {}}
    for keep in subset_names(head.mods):
        keep_mask = torch.tensor([1.0 if m.name in keep else 0.0 for m in head.mods])
        if not head.use_mask and len(keep) != len(head.mods):
            continue
        mask = pres * keep_mask
        rows = (mask.sum(1) > 0).nonzero().squeeze(1)
        logits, score = run(head, [x[rows] for x in xs], mask[rows])
        y = split.labels[rows.numpy()]
        r = Q.classification(logits / float(head.temperature), y, n_labels)
        if score is not None:
            r["score"] = Q.regression(score, split.score[rows.numpy()])
        res["subsets"]["+".join(keep)] = r
    full = "+".join(m.name for m in head.mods)
    res["all"] = res["subsets"][full]
    if "score" in res["all"]:
        res["score"] = res["all"]["score"]
    return res


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    manifest = read_manifest(args.suite_dir)
    optional = set(comma(args.optional))
    info_path = os.path.join(args.features, "suite.json")  # written by scripts/suite/extract-features.ts
    feature_info = json.load(open(info_path)) if os.path.exists(info_path) else {}
    optional |= set(feature_info.get("optional", []))
    if manifest:
        optional |= {m["name"] for m in manifest.get("modalities", []) if not m.get("required", True)}
    try:
        modalities, data, label_names = D.load_features(args.features, optional)
    except D.FeatureError as e:
        sys.exit(f"train_heads: {e}")
    n_labels = int(max(sp.labels.max() for sp in data.values())) + 1
    if args.labels:
        label_names = comma(args.labels)
    elif manifest and manifest.get("task", {}).get("labels"):
        label_names = manifest["task"]["labels"]
    elif feature_info.get("labels"):
        label_names = feature_info["labels"]
    if label_names is not None:
        if len(label_names) < n_labels:
            sys.exit(f"train_heads: labels go up to {n_labels - 1} but only {len(label_names)} label names are given")
        n_labels = len(label_names)
    has_score = data["train"].score is not None
    if manifest and manifest.get("modalities"):
        known = {m["name"] for m in manifest["modalities"]}
        missing = [m.name for m in modalities if m.name not in known]
        if missing:
            sys.exit(f"train_heads: features name modalities {missing} that {args.suite_dir}/manifest.json does not declare ({sorted(known)})")
    fusions = comma(args.fusions)
    baselines = [] if args.baselines == "none" else comma(args.baselines)
    bad = [f for f in fusions if f not in H.FUSIONS] + [b for b in baselines if b not in H.BASELINES]
    if bad:
        sys.exit(f"train_heads: unknown fusion/baseline {bad}; fusions: {H.FUSIONS}, baselines: {H.BASELINES}")
    if len(modalities) < 2:
        log("one modality only: fusion heads reduce to a classifier over it")
    suite_id = (manifest or {}).get("id") or feature_info.get("id") or os.path.basename(os.path.normpath(args.suite_dir))
    prefix = args.id_prefix or suite_id
    version = args.version or (manifest or {}).get("version") or feature_info.get("version") or "1.0.0"
    log(f"features {args.features}: train {data['train'].n}, val {data['val'].n}, test {data['test'].n}; {n_labels} labels; "
        f"modalities " + ", ".join(f"{m.name}[vec {m.vec}:{m.vec_dim} seq {m.seq}:{m.seq_len}x{m.seq_dim}]{' optional' if m.optional else ''}" for m in modalities)
        + (f"; regression score" if has_score else ""))
    stats = stats_of(data["train"], modalities)
    use_mask = any(m.optional for m in modalities)

    plan = [(f, f, modalities, use_mask) for f in fusions]
    for b in baselines:
        if b == "unimodal":
            plan += [(f"unimodal-{m.name}", "unimodal", [m], False) for m in modalities] if len(modalities) > 1 else []
        else:
            plan.append((b, b, modalities, use_mask))
    os.makedirs(os.path.join(args.suite_dir, "heads"), exist_ok=True)
    report = {"suite": suite_id, "seed": args.seed, "features": S.shown_path(args.features),
              "n": {s: data[s].n for s in data}, "labels": label_names, "regression": has_score,
              "modalities": [{"name": m.name, "optional": m.optional, "vec": m.vec, "vecDim": m.vec_dim, "seq": m.seq,
                              "seqLen": m.seq_len, "seqDim": m.seq_dim} for m in modalities],
              "subsets": ["+".join(s) for s in subset_names(modalities)],
              "majorityAccuracy": float((data["test"].labels == np.bincount(data["train"].labels).argmax()).mean()),
              "args": {k: v for k, v in vars(args).items() if k not in ("features", "suite_dir")}, "heads": {}}
    entries, shipped, unshipped, cases, t_all = [], [], [], [], time.time()
    for name, fusion, mods, mask_on in plan:
        torch.manual_seed(args.seed)
        head = H.HEADS[fusion](fusion, mods, stats, n_labels, has_score, mask_on, d=args.d, hidden=args.hidden)
        if has_score:
            head.score_mean.fill_(float(data["train"].score.mean()))
            head.score_std.fill_(float(data["train"].score.std() + 1e-6))
        params = sum(p.numel() for p in head.parameters())
        log(f"== {name}: {params} parameters, inputs {head.input_names}")
        info = train_one(name, head, data, modalities, args, n_labels, has_score)
        test = evaluate(head, data["test"], n_labels, modalities)
        rel = f"heads/{name}.onnx"
        path = os.path.join(args.suite_dir, rel)
        k = min(3, data["test"].n)
        sample = tensors(data["test"], head, np.arange(k))
        if head.use_mask:
            m = torch.from_numpy(D.presence(data["test"], head.mods)[:k])
            m[0, [i for i, mm in enumerate(head.mods) if mm.optional]] = 0.0  # exercise an absent modality
            if m[0].sum() == 0:
                m[0, 0] = 1.0
            sample = apply_mask(sample, head, m) + [m]
        X.export_head(head, sample, path)
        cases.append(X.parity_case(head, sample, path))
        t = test["all"]
        log(f"[{name}] test accuracy {100 * t['accuracy']:.1f}% macro-F1 {100 * t['macroF1']:.1f}% ECE {t['ece']:.3f} "
            f"(T={info['temperature']:.2f}) -> {rel} ({os.path.getsize(path)} bytes)"
            + "".join(f"; [{s}] {100 * r['accuracy']:.1f}%" for s, r in test["subsets"].items() if s != "+".join(mm.name for mm in mods)))
        report["heads"][name] = {"fusion": fusion, "modalities": [m.name for m in mods], "parameters": params,
                                 "bytes": os.path.getsize(path), **info, "test": test}
        if fusion in H.FUSIONS or args.export_baselines:
            entries.append(S.head_entry(args.suite_dir, rel, f"{prefix}-{name}", version, head, fusion))
            shipped.append(name)
        else:
            unshipped.append(path)  # baselines are measured, not shipped (removed after the parity check)
    if not args.no_onnx_check:
        diffs = X.check_in_onnxruntime(cases)
        if diffs is None:
            log("onnxruntime-node not found: parity check skipped")
        else:
            worst = max(diffs.values()) if diffs else 0.0
            report["onnxParityMaxAbsDiff"] = worst
            log(f"onnxruntime-node parity: max |onnx - torch| = {worst:.2e} over {len(diffs)} heads")
    for path in unshipped:
        os.remove(path)
    best_name = max(shipped, key=lambda n: report["heads"][n]["val"]["accuracy"]) if shipped else None
    best = report["heads"][best_name]["fusion"] if best_name else None
    report["defaultFusion"] = best
    if entries:
        where = S.update_manifest(args.suite_dir, entries, best)
        log(f"heads section: {where or os.path.join(args.suite_dir, 'heads', 'heads.json')} ({len(entries)} heads, default {best})")
    S.write_eval(args.suite_dir, report)
    log(f"eval written: {os.path.join(args.suite_dir, 'eval.json')}, EVAL.md ({time.time() - t_all:.1f}s in all)")
    return report


if __name__ == "__main__":
    main()
