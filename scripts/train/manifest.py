"""Write models/manifest.json (docs/contracts.md), models/labels.json and models/training-results.json.

  /usr/bin/python3 scripts/train/manifest.py --models models --results WORK/results.json
"""
import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tokenizer as T  # noqa: E402

SERVED = ["concat", "sum", "product", "bilinear", "attention"]


def file_entry(models, rel):
    data = open(os.path.join(models, rel), "rb").read()
    return {"file": rel, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--version", default="1.0.0")
    args = ap.parse_args()
    res = json.load(open(args.results))
    m = args.models
    inputs_file = os.path.join(m, "heads", "inputs.json")
    if os.path.exists(inputs_file):  # written by export.py
        head_inputs = json.load(open(inputs_file))
        os.remove(inputs_file)
    else:  # re-running the manifest step alone: keep the previous manifest's head inputs
        head_inputs = {h["fusion"]: h["inputs"] for h in json.load(open(os.path.join(m, "manifest.json")))["heads"]}
    json.dump(T.LABELS, open(os.path.join(m, "labels.json"), "w"))
    tok = file_entry(m, "tokenizer.json")
    text = file_entry(m, "text-encoder.int8.onnx")
    fp32 = file_entry(m, "text-encoder.fp32.onnx")
    image = file_entry(m, "image-encoder.onnx")
    heads = []
    for fusion in SERVED:
        e = file_entry(m, f"heads/{fusion}.onnx")
        heads.append({"id": f"soc-head-{fusion}", "version": args.version, "fusion": fusion, "file": e["file"], "sha256": e["sha256"],
                      "bytes": e["bytes"], "inputs": head_inputs[fusion], "output": "logits"})
    best = max(SERVED, key=lambda f: res["heads"][f]["overall"])
    manifest = {
        "schema": 1,
        "suite": {"id": "sort-of-clevr", "version": args.version, "seed": res["seed"]},
        "labels": T.LABELS,
        "tokenizer": {**tok, "maxTokens": T.MAX_TOKENS},
        "text": {
            "id": "soc-text", "version": args.version, **text,
            "quantization": "int8-weights", "dim": 64, "pooling": "none", "normalize": False,
            "inputs": [{"name": "input_ids", "datatype": "INT64", "shape": [-1, -1]},
                       {"name": "attention_mask", "datatype": "INT64", "shape": [-1, -1]}],
            "outputs": [{"name": "text_features", "datatype": "FP32", "shape": [-1, 64]}],
            "fp32": fp32,
        },
        "image": {
            "id": "soc-image", "version": args.version, **image,
            "input": {"name": "image", "datatype": "FP32", "shape": [-1, 3, 75, 75], "layout": "NCHW", "scale": "x/255", "channels": "RGB"},
            "outputs": [{"name": "pooled", "datatype": "FP32", "shape": [-1, 64]},
                        {"name": "grid", "datatype": "FP32", "shape": [-1, 225, 66]}],
        },
        "heads": heads,
        "defaultFusion": best,
    }
    with open(os.path.join(m, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    slim = {k: res[k] for k in ["seed", "torch", "timings_s", "heads", "baselines", "val", "train", "stage1_history", "notes"] if k in res}
    slim["args"] = {k: v for k, v in res.get("args", {}).items() if k not in ("train", "val", "work")}
    with open(os.path.join(m, "training-results.json"), "w") as f:
        json.dump(slim, f, indent=2)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(m) for fn in fns)
    print(f"manifest written: defaultFusion={best}; {m} holds {total} bytes")


if __name__ == "__main__":
    main()
