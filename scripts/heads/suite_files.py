"""What the head trainer writes into a suite folder: the manifest's `heads` section (schema in
functions/suites/manifest-schema.ts), eval.json and EVAL.md."""
import hashlib
import json
import math
import os


def sha_entry(suite_dir, rel):
    data = open(os.path.join(suite_dir, rel), "rb").read()
    return {"file": rel, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def attention_grid(tokens):
    r = int(math.isqrt(tokens))
    return (r, r) if r * r == tokens else (1, tokens)


def head_entry(suite_dir, rel, head_id, version, head, fusion):
    e = sha_entry(suite_dir, rel)
    inputs = [{"name": name, "modality": head.mods[i].name, "output": out} for name, i, _, out in head.inputs]
    entry = {
        "id": head_id, "version": version, "fusion": fusion, **e,
        "modalities": [m.name for m in head.mods],
        "inputs": inputs,
        "outputs": {"logits": "logits", "score": "score" if head.regression else None,
                    "attention": "attention" if head.has_attention_output else None},
        "absent": "zeros" if head.use_mask else None,
        "maskInput": "mask" if head.use_mask else None,
        "temperature": round(float(head.temperature), 6),
    }
    if head.has_attention_output:
        rows, cols = attention_grid(head.lens[head.attn_mod])
        entry["attentionGrid"] = {"rows": rows, "cols": cols, "modality": head.mods[head.attn_mod].name}
    return entry


def update_manifest(suite_dir, heads, best_fusion):
    """Writes heads/heads.json; merges the heads into manifest.json when the suite folder has one.
    Heads with the same id or file are replaced, others kept. Returns the manifest path or None."""
    os.makedirs(os.path.join(suite_dir, "heads"), exist_ok=True)
    with open(os.path.join(suite_dir, "heads", "heads.json"), "w") as f:
        json.dump({"heads": heads, "defaultFusion": best_fusion}, f, indent=2)
        f.write("\n")
    path = os.path.join(suite_dir, "manifest.json")
    if not os.path.exists(path):
        return None
    manifest = json.load(open(path))
    ids, files = {h["id"] for h in heads}, {h["file"] for h in heads}
    kept = [h for h in manifest.get("heads", []) if h.get("id") not in ids and h.get("file") not in files]
    manifest["heads"] = kept + heads
    if manifest.get("defaultFusion") not in {h["fusion"] for h in manifest["heads"]}:
        manifest["defaultFusion"] = best_fusion
    with open(path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return path


def pct(x):
    return f"{100 * x:.1f}"


def shown_path(p):
    """A path for reports: relative to the working folder when inside it, else just its last part."""
    rel = os.path.relpath(os.path.abspath(p))
    return rel if not rel.startswith("..") else os.path.basename(os.path.normpath(p))


def write_eval(suite_dir, report):
    with open(os.path.join(suite_dir, "eval.json"), "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    lines = [f"# Evaluation: {report['suite']}", "",
             f"Heads trained by `scripts/heads/train_heads.py` (seed {report['seed']}) on {report['n']['train']} training rows; "
             f"temperature fitted on {report['n']['val']} validation rows; figures below on the {report['n']['test']} test rows "
             f"(features: `{shown_path(report['features'])}`). Modalities: "
             + ", ".join(f"{m['name']} ({'optional' if m['optional'] else 'required'})" for m in report["modalities"]) + ".", "",
             "Accuracy and macro-F1 in %, ECE after temperature scaling; a subset column drops the other optional modalities "
             "(fed as zeros with the presence mask), which is what the edge does when a request leaves them out.", ""]
    subsets = report["subsets"]
    hdr = "| head | modalities | accuracy | macro-F1 | NLL | ECE | T |" + "".join(f" acc [{s}] |" for s in subsets[1:])
    if report["regression"]:
        hdr += " score MAE | score r |"
    lines += [hdr, "|" + "---|" * (hdr.count("|") - 1)]
    for name, h in report["heads"].items():
        t = h["test"]["all"]
        row = f"| {name} | {'+'.join(h['modalities'])} | {pct(t['accuracy'])} | {pct(t['macroF1'])} | {t['nll']:.3f} | {t['ece']:.3f} | {h['temperature']:.2f} |"
        for s in subsets[1:]:
            sub = h["test"]["subsets"].get(s)
            row += f" {pct(sub['accuracy'])} |" if sub else " — |"
        if report["regression"]:
            r = h["test"].get("score")
            row += f" {r['mae']:.3f} | {r['pearson']:.3f} |" if r else " — | — |"
        lines.append(row)
    lines += ["", f"Majority-class accuracy on test: {pct(report['majorityAccuracy'])}%. Default fusion (best validation accuracy): "
              f"`{report['defaultFusion']}`. A unimodal baseline is measured on the test rows that have its modality.", ""]
    with open(os.path.join(suite_dir, "EVAL.md"), "w") as f:
        f.write("\n".join(lines))
