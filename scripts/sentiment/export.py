"""Export the sentiment suite: ONNX (opset 17) encoders and heads, int8 text encoder, tokenizer,
feature-function model configs, the suite manifest (schema v2) and PyTorch reference fixtures.

  /usr/bin/python3 scripts/sentiment/export.py --work DIR --suite models/sentiment \
      --repository models/repository --fixtures test/sentiment/fixtures --fixture-data TEST_DIR

Encoders: text (edge, int8 weights), sentiment-face and sentiment-audio (remote; the audio graph
starts at the waveform: the log-mel front end is inside it). Heads: every fusion in heads.pt plus
the late-fusion baseline; each takes all three modalities' features and a [N, 3] presence mask
(text, face, voice), with absent modalities fed as zeros.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
import models as M  # noqa: E402
import tokenizer as T  # noqa: E402
from frontend import reference_logmel, SAMPLES  # noqa: E402

OPSET = 17
VERSION = "1.0.0"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HEAD_INPUTS = [("text_features", "text", "text_features"), ("face_pooled", "face", "pooled"), ("face_grid", "face", "grid"),
               ("voice_pooled", "voice", "pooled"), ("voice_frames", "voice", "frames")]


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def entry(path, base):
    return {"file": os.path.relpath(path, base), "sha256": sha(path), "bytes": os.path.getsize(path)}


def export(model, args, path, inputs, outputs, dynamic):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(model, args, path, opset_version=OPSET, input_names=inputs, output_names=outputs,
                          dynamic_axes=dynamic, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ins = [i.name for i in m.graph.input if i.name not in {x.name for x in m.graph.initializer}]
    # the exporter drops inputs a graph never reads (concat does not read the face grid): keep order
    assert ins == [n for n in inputs if n in ins], f"{path}: inputs {ins} not a subsequence of {inputs}"
    print(f"exported {path} ({os.path.getsize(path)} bytes)", flush=True)
    return ins


class HeadExport(torch.nn.Module):
    def __init__(self, head, temperature, attention=False):
        super().__init__()
        self.head, self.t, self.attention = head, temperature, attention

    def forward(self, text, fp, fg, ap, af, mask):
        if self.attention:
            (logits, score), att = self.head(text, fp, fg, ap, af, mask, return_attention=True)
            return logits / self.t, score, att[:, : M.FACE_CELLS]
        logits, score = self.head(text, fp, fg, ap, af, mask)
        return logits / self.t, score


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--suite", default="models/sentiment")
    ap.add_argument("--repository", default="models/repository")
    ap.add_argument("--fixtures", default="test/sentiment/fixtures")
    ap.add_argument("--fixture-data", required=True, help="a generated split (with --arrays) for reference outputs")
    ap.add_argument("--seed", type=int, default=101)
    args = ap.parse_args()
    torch.set_num_threads(1)
    suite = args.suite
    os.makedirs(os.path.join(suite, "heads"), exist_ok=True)
    os.makedirs(args.fixtures, exist_ok=True)
    ck = torch.load(os.path.join(args.work, "encoders.pt"))
    hk = torch.load(os.path.join(args.work, "heads.pt"))
    vocab = ck["vocab"]
    text = M.TextEncoder(len(vocab), max_len=T.MAX_TOKENS)
    text.load_state_dict(ck["text"])
    face, audio = M.FaceEncoder(), M.AudioEncoder()
    face.load_state_dict(ck["face"])
    audio.load_state_dict(ck["audio"])
    for m in (text, face, audio):
        m.eval()

    # ---- encoders
    T.write_tokenizer(os.path.join(suite, "tokenizer.json"), vocab)
    ids = torch.ones(2, 7, dtype=torch.long)
    text_fp32 = os.path.join(suite, "text-encoder.fp32.onnx")
    export(text, (ids, torch.ones_like(ids)), text_fp32, ["input_ids", "attention_mask"], ["text_features"],
           {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "text_features": {0: "batch"}})
    text_int8 = os.path.join(suite, "text-encoder.int8.onnx")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "quantize", "quantize.py"), text_fp32, text_int8], check=True)
    face_path = os.path.join(args.repository, "sentiment-face", "1", "model.onnx")
    export(face, (torch.rand(2, 3, 64, 64),), face_path, ["image"], ["pooled", "grid"],
           {"image": {0: "batch"}, "pooled": {0: "batch"}, "grid": {0: "batch"}})
    audio_path = os.path.join(args.repository, "sentiment-audio", "1", "model.onnx")
    export(audio, (torch.randn(2, SAMPLES) * 0.1,), audio_path, ["audio"], ["pooled", "frames"],
           {"audio": {0: "batch"}, "pooled": {0: "batch"}, "frames": {0: "batch"}})
    write_repository_configs(args.repository, face_path, audio_path)

    # ---- heads
    heads = {}
    for fusion in hk["fusions"]:
        h = M.HEADS[fusion]()
        h.load_state_dict(hk["heads"][fusion])
        heads[fusion] = (h.eval(), hk["temperatures"][fusion])
    probes = []
    for name, n_aux in (("text", len(D.SURFACES)), ("face", 2), ("audio", 4)):
        p = M.Probe(n_aux)
        p.load_state_dict(ck["probes"][name])
        probes.append(p.eval())
    heads["late"] = (M.LateFusionHead(probes).eval(), 1.0)
    dummy = (torch.randn(2, 64), torch.randn(2, 64), torch.randn(2, M.FACE_CELLS, 64), torch.randn(2, 64),
             torch.randn(2, M.AUDIO_FRAMES, 64), torch.ones(2, 3))
    names = [n for n, _, _ in HEAD_INPUTS] + ["mask"]
    head_entries = []
    for fusion, (h, t) in heads.items():
        att = fusion == "attention"
        outs = ["logits", "score"] + (["attention"] if att else [])
        path = os.path.join(suite, "heads", f"{fusion}.onnx")
        used = export(HeadExport(h, t, att).eval(), dummy, path, names, outs, {n: {0: "batch"} for n in names + outs})
        assert "mask" in used and "text_features" in used, f"{fusion}: the head must read the mask and the text"
        e = {"id": f"sentiment-head-{fusion}", "version": VERSION, "fusion": fusion, **entry(path, suite),
             "modalities": ["text", "face", "voice"],
             "inputs": [{"name": n, "modality": mod, "output": o} for n, mod, o in HEAD_INPUTS if n in used],
             "outputs": {"logits": "logits", "score": "score", "attention": "attention" if att else None},
             "absent": "zeros", "maskInput": "mask", "temperature": round(float(t), 4)}
        if att:
            e["attentionGrid"] = {"rows": 8, "cols": 8, "modality": "face"}
        head_entries.append(e)

    manifest = build_manifest(suite, text_int8, text_fp32, face_path, audio_path, head_entries, args.seed)
    json.dump(manifest, open(os.path.join(suite, "manifest.json"), "w"), indent=2)
    open(os.path.join(suite, "manifest.json"), "a").write("\n")
    print("wrote", os.path.join(suite, "manifest.json"))
    write_fixtures(args, vocab, text, face, audio, heads)


def write_repository_configs(repo, face_path, audio_path):
    face = {
        "name": "sentiment-face", "kind": "image",
        "description": "Sentiment suite face encoder: 64x64 letterboxed face -> pooled [64] and an 8x8 grid of 64-d cells (row 0 = top).",
        "versions": {"1": {"humanVersion": VERSION, "sha256": sha(face_path)}},
        "maxBatchSize": 32,
        "input": {"name": "image", "datatype": "FP32", "shape": [-1, 3, 64, 64]},
        "outputs": [{"name": "pooled", "datatype": "FP32", "shape": [-1, 64]}, {"name": "grid", "datatype": "FP32", "shape": [-1, M.FACE_CELLS, 64]}],
        "preprocess": {"kind": "image", "size": [64, 64], "fit": "letterbox", "background": [255, 255, 255], "alpha": [255, 255, 255],
                       "kernel": "lanczos3", "channels": "RGB", "layout": "NCHW", "scale": "x/255", "mean": None, "std": None},
    }
    audio = {
        "name": "sentiment-audio", "kind": "audio",
        "description": "Sentiment suite voice encoder: 3 s of 16 kHz mono waveform -> log-mel inside the graph (DFT as Conv1d, 64 mel bands, 10 ms hop) -> pooled [64] and 38 frames of 64 features.",
        "versions": {"1": {"humanVersion": VERSION, "sha256": sha(audio_path)}},
        "maxBatchSize": 16,
        "input": {"name": "audio", "datatype": "FP32", "shape": [-1, SAMPLES]},
        "outputs": [{"name": "pooled", "datatype": "FP32", "shape": [-1, 64]}, {"name": "frames", "datatype": "FP32", "shape": [-1, M.AUDIO_FRAMES, 64]}],
        "preprocess": {"kind": "audio", "sampleRate": 16000, "channels": "mono-mixdown", "minSeconds": 0.25, "maxSeconds": 30,
                       "length": "pad-or-trim", "samples": SAMPLES},
    }
    for cfg in (face, audio):
        path = os.path.join(repo, cfg["name"], "config.json")
        json.dump(cfg, open(path, "w"), indent=2)
        open(path, "a").write("\n")
        print("wrote", path)


def build_manifest(suite, text_int8, text_fp32, face_path, audio_path, heads, seed):
    remote = lambda name, path, inp, outs: {  # noqa: E731
        "runs": "remote", "model": name, "modelVersion": 1, "id": name, "version": VERSION, "sha256": sha(path),
        "bytes": os.path.getsize(path), "inputs": [inp], "outputs": outs}
    return {
        "schemaVersion": 2, "id": "sentiment", "version": VERSION,
        "title": "Multimodal sentiment: what is said, how it sounds, the face that says it",
        "description": "Synthetic CMU-MOSI-style task (docs/task-sentiment.md): a latent score s in -3..3 gives negative / neutral / positive. "
                       "Text (required) is encoded at the edge (int8); face and voice (optional) on the feature function. "
                       "Sarcastic and ambiguous utterances need the face or the voice.",
        "seed": seed,
        "task": {"kind": "classification", "labels": D.LABELS, "regression": {"name": "sentiment", "min": -3, "max": 3, "output": "score"}},
        "modalities": [
            {"name": "text", "kind": "text", "required": True, "title": "What is said", "limits": {"maxChars": 1000, "maxTokens": T.MAX_TOKENS},
             "encoder": {"runs": "edge", "id": "sentiment-text", "version": VERSION, **entry(text_int8, suite), "quantization": "int8-weights",
                         "tokenizer": entry(os.path.join(suite, "tokenizer.json"), suite),
                         "inputs": [{"name": "input_ids", "datatype": "INT64", "shape": [-1, -1]}, {"name": "attention_mask", "datatype": "INT64", "shape": [-1, -1]}],
                         "outputs": [{"name": "text_features", "datatype": "FP32", "shape": [-1, 64]}],
                         "pooling": "none", "normalize": False, "fp32": entry(text_fp32, suite)}},
            {"name": "face", "kind": "image", "required": False, "title": "The face that says it", "limits": {"maxBytes": 4194304, "maxPixels": 4096 * 4096},
             "encoder": remote("sentiment-face", face_path, {"name": "image", "datatype": "FP32", "shape": [-1, 3, 64, 64]},
                               [{"name": "pooled", "datatype": "FP32", "shape": [-1, 64]}, {"name": "grid", "datatype": "FP32", "shape": [-1, M.FACE_CELLS, 64]}])},
            {"name": "voice", "kind": "audio", "required": False, "title": "How it sounds", "limits": {"maxBytes": 16777216, "maxSeconds": 30, "minSeconds": 0.25},
             "encoder": remote("sentiment-audio", audio_path, {"name": "audio", "datatype": "FP32", "shape": [-1, SAMPLES]},
                               [{"name": "pooled", "datatype": "FP32", "shape": [-1, 64]}, {"name": "frames", "datatype": "FP32", "shape": [-1, M.AUDIO_FRAMES, 64]}])},
        ],
        "heads": heads,
        "defaultFusion": "attention",
    }


def write_fixtures(args, vocab, text, face, audio, heads, n=4):
    """PyTorch outputs for the first n samples of a generated split, for the ONNX/TS parity tests."""
    split = D.Split(args.fixture_data)
    idx = np.arange(n)
    ids, am = T.encode_batch([split.texts[i] for i in idx], vocab)
    wave = np.asarray(split.audio[0][:n], np.float32) / 32768.0
    with torch.no_grad():
        tf = text(torch.from_numpy(ids), torch.from_numpy(am))
        fp, fg = face(torch.from_numpy(split.faces_float(idx)))
        logmel_graph = audio.frontend(torch.from_numpy(wave)).numpy()
        apool, aframes = audio(torch.from_numpy(wave))
        out = {"seed": split.records[0]["id"].split("-")[0][1:], "indices": idx.tolist(), "texts": [split.texts[i] for i in idx],
               "labels": [split.records[i]["label"] for i in idx],
               "text_features": tf.numpy().round(6).tolist(), "face_pooled": fp.numpy().round(6).tolist(),
               "voice_pooled": apool.numpy().round(6).tolist(), "face_grid": fg.numpy().round(5).tolist(),
               "voice_frames": aframes.numpy().round(5).tolist(), "heads": {}}
        mask = torch.ones(n, 3)
        for fusion, (h, t) in heads.items():
            # torch.onnx.export restores the wrapper's training flag afterwards, recursively: eval again
            res = HeadExport(h, t, fusion == "attention").eval()(tf, fp, fg, apool, aframes, mask)
            out["heads"][fusion] = {"logits": res[0].numpy().round(6).tolist(), "score": res[1].numpy().round(6).tolist()}
    # the front end in the graph against numpy's FFT (what the training cache used)
    ref = reference_logmel(wave.astype(np.float64))
    err = float(np.abs(ref - logmel_graph)[ref > np.log(1e-4)].max())
    out["logmelMaxAbsErr"] = err
    print(f"log-mel: graph vs numpy FFT max abs error {err:.2e} (bands above -9.2)")
    assert err < 1e-2, "front end differs from the reference"
    path = os.path.join(args.fixtures, "reference.json")
    json.dump(out, open(path, "w"))
    print("wrote", path)


if __name__ == "__main__":
    main()
