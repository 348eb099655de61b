"""Export the trained suite to ONNX (opset 17) and write PyTorch reference fixtures.

  /usr/bin/python3 scripts/train/export.py --work DIR --out models --fixtures test/scripts/fixtures \
      --fixture-data DIR_OF_A_GENERATED_SPLIT

--fixture-data is a split from scripts/dataset/cli.ts (seed/index recorded in the fixtures so the
tests can regenerate the same images with the TypeScript generator).
"""
import argparse
import base64
import hashlib
import json
import os
import shutil
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models as M  # noqa: E402
import tokenizer as T  # noqa: E402

OPSET = 17


def b64f32(t):
    return base64.b64encode(np.ascontiguousarray(t.detach().numpy().astype("<f4")).tobytes()).decode()


def rounded(t, nd=7):
    return [float(f"{v:.{nd}g}") for v in t.detach().numpy().reshape(-1).tolist()]


def export(model, args, path, input_names, output_names, dynamic_axes):
    with torch.no_grad():
        torch.onnx.export(model, args, path, opset_version=OPSET, input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ins = [i.name for i in m.graph.input if i.name not in {x.name for x in m.graph.initializer}]
    assert ins == input_names, f"{path}: graph inputs {ins} != {input_names}"
    assert [o.name for o in m.graph.output] == output_names, f"{path}: outputs"
    print(f"exported {path} ({os.path.getsize(path)} bytes)", flush=True)


class HeadWrapper(torch.nn.Module):
    """Served head: logits divided by the calibration temperature (baked in, so every consumer gets
    calibrated scores); the attention head also returns its first-hop attention over the 225 cells."""

    def __init__(self, head, temperature=1.0, attention=False):
        super().__init__()
        self.head = head
        self.inv_t = 1.0 / float(temperature)
        self.attention = attention

    def forward(self, *xs):
        if self.attention:
            logits, a1, _ = self.head(*xs, return_attention=True)
            return logits * self.inv_t, a1
        return self.head(*xs) * self.inv_t


def head_input_names(name):
    if name == "attention":
        return ["text_features", "pooled", "grid"]
    if name == "text-only":
        return ["text_features"]
    return ["text_features", "pooled"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--fixture-data", required=True)
    ap.add_argument("--fixture-seed", type=int, required=True, help="seed the fixture split was generated with")
    ap.add_argument("--image-out", default="", help="image encoder path (default OUT/image-encoder.onnx)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    os.makedirs(os.path.join(args.out, "heads"), exist_ok=True)
    os.makedirs(args.fixtures, exist_ok=True)

    ck = torch.load(os.path.join(args.work, "stage1.pt"))
    heads_sd = torch.load(os.path.join(args.work, "heads.pt"))
    vocab = ck["vocab"]
    enc_img, enc_txt = M.ImageEncoder(), M.TextEncoder(len(vocab))
    enc_img.load_state_dict(ck["image"])
    enc_txt.load_state_dict(ck["text"])
    heads = {"attention": M.AttentionHead()}
    heads["attention"].load_state_dict(ck["attention"])
    for name, cls in M.FUSION_HEADS.items():
        heads[name] = cls()
        heads[name].load_state_dict(heads_sd[name])
    for m in [enc_img, enc_txt, *heads.values()]:
        m.eval()
    cal_path = os.path.join(args.work, "calibration.json")
    calibration = json.load(open(cal_path)) if os.path.exists(cal_path) else {}
    temps = {name: float(calibration.get(name, {}).get("temperature", 1.0)) for name in heads}
    print("temperatures baked into the exported logits:", {k: round(v, 4) for k, v in temps.items()})
    shutil.copy(os.path.join(args.work, "tokenizer.json"), os.path.join(args.out, "tokenizer.json"))

    # ---- ONNX
    ids = torch.tensor([T.encode("what shape is the red object?", vocab)])
    mask = torch.ones_like(ids)
    export(enc_txt, (ids, mask), os.path.join(args.out, "text-encoder.fp32.onnx"), ["input_ids", "attention_mask"], ["text_features"],
           {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}, "text_features": {0: "batch"}})
    img = torch.rand(2, 3, M.INPUT_SIZE, M.INPUT_SIZE)
    image_out = args.image_out or os.path.join(args.out, "image-encoder.onnx")
    os.makedirs(os.path.dirname(os.path.abspath(image_out)), exist_ok=True)
    export(enc_img, (img,), image_out, ["image"], ["pooled", "grid"],
           {"image": {0: "batch"}, "pooled": {0: "batch"}, "grid": {0: "batch"}})
    with torch.no_grad():
        pooled, grid = enc_img(img)
        tf = enc_txt(ids.repeat(2, 1), mask.repeat(2, 1))
    head_inputs = {}
    for name, h in heads.items():
        names = head_input_names(name)
        head_inputs[name] = names
        outs = ["logits", "attention"] if name == "attention" else ["logits"]
        xs = {"text_features": tf, "pooled": pooled, "grid": grid}
        export(HeadWrapper(h, temps[name], attention=name == "attention"), tuple(xs[n] for n in names),
               os.path.join(args.out, "heads", f"{name}.onnx"), names, outs, {**{n: {0: "batch"} for n in names + outs}})
    with open(os.path.join(args.out, "heads", "inputs.json"), "w") as f:
        json.dump({"inputs": head_inputs, "temperatures": temps}, f)

    # ---- fixtures
    n_img = 2
    # the encoder's input: the exact renders after the serving letterbox/resize (views.ts --exact)
    S = M.INPUT_SIZE
    imgs_u8 = np.fromfile(os.path.join(args.fixture_data, "views.u8"), np.uint8, count=n_img * S * S * 3).reshape(n_img, S, S, 3)
    qs = [json.loads(l) for l in open(os.path.join(args.fixture_data, "questions.jsonl"))]
    qs = [q for q in qs if q["image"] < n_img]
    image = torch.from_numpy(imgs_u8.copy()).permute(0, 3, 1, 2).float() / 255.0
    with torch.no_grad():
        pooled, grid = enc_img(image)
    fx_img = {
        "seed": args.fixture_seed, "indices": list(range(n_img)),
        "inputSize": S,
        "inputSha256": [hashlib.sha256(imgs_u8[i].tobytes()).hexdigest() for i in range(n_img)],
        "pooled": [rounded(pooled[i], 9) for i in range(n_img)],
        "gridF32Base64": [b64f32(grid[i]) for i in range(n_img)],
        "gridShape": list(grid.shape[1:]),
    }
    json.dump(fx_img, open(os.path.join(args.fixtures, "image-encoder.json"), "w"))

    # text: template variants, case, no '?', unknown words, padding to different lengths
    texts = [q["question"] for q in qs] + [
        "WHAT SHAPE IS THE RED OBJECT", "  How many objects have the same shape as the GRAY object ?",
        "what colour is the purple thing?", "is the blue object on the left or right",
    ]
    encs = [T.encode(t, vocab) for t in texts]
    L = T.MAX_TOKENS
    ids = torch.zeros(len(encs), L, dtype=torch.long)
    mask = torch.zeros(len(encs), L, dtype=torch.long)
    for i, e in enumerate(encs):
        ids[i, : len(e)] = torch.tensor(e)
        mask[i, : len(e)] = 1
    with torch.no_grad():
        tf_pad = enc_txt(ids, mask)
        tf_single = torch.stack([enc_txt(torch.tensor([e]), torch.ones(1, len(e), dtype=torch.long))[0] for e in encs])
    pad_err = float((tf_pad - tf_single).abs().max())
    print(f"text encoder: max |padded - unpadded| = {pad_err:.2e}")
    assert pad_err < 1e-4
    fx_txt = {"maxTokens": L, "texts": texts, "ids": [e for e in encs], "features": [rounded(t, 9) for t in tf_single]}
    json.dump(fx_txt, open(os.path.join(args.fixtures, "text-encoder.json"), "w"))

    q_img = torch.tensor([q["image"] for q in qs])
    tfq = tf_single[: len(qs)]
    fx_heads = {"questions": [{"image": q["image"], "question": q["question"], "answer": q["answer"]} for q in qs],
                "textFeatures": [rounded(t, 9) for t in tfq], "heads": {}}
    with torch.no_grad():
        for name, h in heads.items():
            xs = {"text_features": tfq, "pooled": pooled[q_img], "grid": grid[q_img]}
            out = HeadWrapper(h, temps[name], attention=name == "attention")(*[xs[n] for n in head_inputs[name]])
            logits = out[0] if name == "attention" else out
            fx_heads["heads"][name] = {"inputs": head_inputs[name], "logits": [rounded(r, 9) for r in logits],
                                       "answers": [T.LABELS[i] for i in logits.argmax(-1).tolist()], "temperature": temps[name]}
            if name == "attention":
                fx_heads["heads"][name]["attention"] = [rounded(r, 9) for r in out[1]]
    json.dump(fx_heads, open(os.path.join(args.fixtures, "heads.json"), "w"))
    print(f"fixtures written to {args.fixtures}")


if __name__ == "__main__":
    main()
