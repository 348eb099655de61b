"""Write the Sort-of-CLEVR suite manifest (schema v2, functions/suites/manifest-schema.ts), labels.json,
training-results.json, and the image encoder's feature-function config
(models/repository/soc-image/config.json, docs/image-features.md).

  /usr/bin/python3 scripts/train/manifest.py --suite models/sort-of-clevr --repository models/repository \
      --results WORK/results.json [--version 2.0.0 --image-version 2]

Expects the files export.py and quantize.py wrote: <suite>/{tokenizer.json, text-encoder.int8.onnx,
text-encoder.fp32.onnx, heads/*.onnx, heads/inputs.json} and <repository>/soc-image/<v>/model.onnx.
Validate the result with `npx tsx scripts/train/check-suite.ts <suite>` (run.sh does).
"""
import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models as M  # noqa: E402
import tokenizer as T  # noqa: E402

SERVED = ["attention", "concat", "sum", "product", "bilinear", "text-only"]
DEFAULT_FUSION = "attention"
IMAGE_MODEL = "soc-image"


def file_entry(root, rel):
    data = open(os.path.join(root, rel), "rb").read()
    return {"file": rel, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def tensor(name, datatype, shape):
    return {"name": name, "datatype": datatype, "shape": shape}


IMAGE_OUTPUTS = [tensor("pooled", "FP32", [-1, M.D_POOLED]), tensor("grid", "FP32", [-1, M.CELLS, M.D_GRID])]
IMAGE_INPUT = tensor("image", "FP32", [-1, 3, M.INPUT_SIZE, M.INPUT_SIZE])
FEATURE_OF = {"text_features": ("question", "text_features"), "pooled": ("image", "pooled"), "grid": ("image", "grid")}


def repository_config(repo, version, human_version):
    """models/repository/soc-image/config.json in the feature function's schema; only this version is
    listed (an older version had another input size, and one config describes one input)."""
    folder = os.path.join(repo, IMAGE_MODEL)
    model = file_entry(folder, f"{version}/model.onnx")
    config = {
        "name": IMAGE_MODEL,
        "kind": "image",
        "description": f"Sort-of-CLEVR image encoder ({M.INPUT_SIZE}x{M.INPUT_SIZE} letterboxed input): pooled [64] and a "
                       f"{M.GRID}x{M.GRID} grid of 66-d cell features (64 + x, y). Trained on augmented renders (docs/task.md).",
        "versions": {str(version): {"humanVersion": human_version, "sha256": model["sha256"]}},
        "version": version,
        "maxBatchSize": 32,
        "aliases": ["image-encoder"],
        "input": IMAGE_INPUT,
        "outputs": IMAGE_OUTPUTS,
        "preprocess": {"kind": "image", "size": [M.INPUT_SIZE, M.INPUT_SIZE], "fit": "letterbox", "background": "border-median",
                       "alpha": [255, 255, 255], "kernel": "lanczos3", "channels": "RGB", "layout": "NCHW", "scale": "x/255",
                       "mean": None, "std": None},
    }
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--suite", required=True, help="suite folder, e.g. models/sort-of-clevr")
    ap.add_argument("--repository", required=True, help="feature-function model repository, e.g. models/repository")
    ap.add_argument("--results", required=True)
    ap.add_argument("--version", default="2.0.0")
    ap.add_argument("--image-version", type=int, default=2)
    args = ap.parse_args()
    res = json.load(open(args.results))
    m = args.suite
    inputs_file = os.path.join(m, "heads", "inputs.json")
    exported = json.load(open(inputs_file))  # written by export.py
    os.remove(inputs_file)
    head_inputs, temps = exported["inputs"], exported["temperatures"]
    json.dump(T.LABELS, open(os.path.join(m, "labels.json"), "w"))
    image = repository_config(args.repository, args.image_version, args.version)
    tok = file_entry(m, "tokenizer.json")
    text = file_entry(m, "text-encoder.int8.onnx")
    fp32 = file_entry(m, "text-encoder.fp32.onnx")
    heads = []
    for fusion in SERVED:
        e = file_entry(m, f"heads/{fusion}.onnx")
        names = head_inputs[fusion]
        mods = []
        for n in names:
            if FEATURE_OF[n][0] not in mods:
                mods.append(FEATURE_OF[n][0])
        head = {
            "id": f"soc-head-{fusion}", "version": args.version, "fusion": fusion, **e,
            "modalities": mods,
            "inputs": [{"name": n, "modality": FEATURE_OF[n][0], "output": FEATURE_OF[n][1]} for n in names],
            "outputs": {"logits": "logits", "score": None, "attention": "attention" if fusion == "attention" else None},
            "absent": None, "maskInput": None, "temperature": round(float(temps[fusion]), 6),
        }
        if fusion == "attention":
            head["attentionGrid"] = {"rows": M.GRID, "cols": M.GRID, "modality": "image"}
        heads.append(head)
    manifest = {
        "schemaVersion": 2,
        "id": "sort-of-clevr",
        "version": args.version,
        "title": "Sort-of-CLEVR visual question answering",
        "description": "Questions about scenes of six coloured shapes: shape, left/right, top/bottom, the shape of the closest "
                       "and farthest object, and counts of same-shaped objects. Trained on augmented renders (anti-aliasing, "
                       "resizing, JPEG/WebP, noise, blur, letterboxing). Text encoded at the edge (int8), image on the feature "
                       "function; five fusion heads and a text-only head for degraded answers; calibrated scores; questions "
                       "outside the task grammar are flagged answerable: false.",
        "seed": res["seed"],
        "task": {"kind": "classification", "labels": T.LABELS, "regression": None},
        "modalities": [
            {"name": "question", "kind": "text", "required": True, "limits": {"maxChars": 4096, "maxTokens": T.MAX_TOKENS},
             "encoder": {"runs": "edge", "id": "soc-text", "version": args.version, **text, "quantization": "int8-weights",
                         "tokenizer": tok,
                         "inputs": [tensor("input_ids", "INT64", [-1, -1]), tensor("attention_mask", "INT64", [-1, -1])],
                         "outputs": [tensor("text_features", "FP32", [-1, M.D_TEXT])],
                         "pooling": "none", "normalize": False, "fp32": fp32}},
            {"name": "image", "kind": "image", "required": True, "limits": {"maxBytes": 4194304, "maxPixels": 4096 * 4096},
             "encoder": {"runs": "remote", "model": IMAGE_MODEL, "modelVersion": args.image_version, "id": IMAGE_MODEL,
                         "version": args.version, "sha256": image["sha256"], "bytes": image["bytes"],
                         "inputs": [IMAGE_INPUT], "outputs": IMAGE_OUTPUTS}},
        ],
        "heads": heads,
        "defaultFusion": DEFAULT_FUSION,
        "answerability": {"grammar": "sort-of-clevr"},
    }
    with open(os.path.join(m, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    slim = {k: res[k] for k in ["seed", "torch", "timings_s", "heads", "heads_exact", "calibration", "baselines", "val", "train",
                                "stage1_history", "stage1_args", "phases", "notes"] if k in res}
    slim["args"] = {k: v for k, v in res.get("args", {}).items() if k not in ("train", "val", "val_exact", "work", "init")}
    with open(os.path.join(m, "training-results.json"), "w") as f:
        json.dump(slim, f, indent=2)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(m) for fn in fns if fn.endswith((".onnx", ".json")))
    total += image["bytes"]
    print(f"manifest written: {m}/manifest.json (v{args.version}), {args.repository}/{IMAGE_MODEL}/config.json (version "
          f"{args.image_version}); model files + manifests {total} bytes")


if __name__ == "__main__":
    main()
