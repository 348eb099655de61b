"""User files for the tiny three-modality fixture suite (what a user would bring), from a seed.

  /usr/bin/python3 scripts/suite/make-tiny-suite.py OUT [--seed 20261127] [--train 600 --val 150 --test 150]

Writes into OUT:
  encoders/image.onnx   random CNN: image [N,3,32,32] in [0,1] -> pooled [N,16], grid [N,16,16] (4x4 cells)
  encoders/audio.onnx   fixed filterbank front end + random projection: audio [N,4000] (8 kHz, 0.5 s) -> embedding [N,16]
  examples/*.png|wav    32x32 RGB PNGs and 8 kHz mono PCM16 WAVs of exactly 4000 samples, so the feature
                        function's letterbox/resample steps pass them through unchanged
  examples.csv          split,caption,photo,voice,label  (voice empty in ~15% of rows: an optional modality)
  showcase/, showcase.csv   --showcase N examples per colour where every modality shows the true colour
The task: which colour (red, green, blue) an example is about. Each modality shows the true colour only
most of the time (caption 75%, photo 80%, voice 75%), so fusing them beats any single one, and leaving
out the optional voice costs accuracy. The text side is the tiny-bert fixture (test/fixtures/tiny-bert).
"""
import argparse
import csv
import os
import wave

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
import onnx
import torch
import torch.nn as nn
from PIL import Image

LABELS = ["red", "green", "blue"]
RGB = {"red": (210, 45, 40), "green": (40, 170, 70), "blue": (45, 75, 215)}
TONE_HZ = {"red": 400.0, "green": 800.0, "blue": 1600.0}
RATE, SAMPLES, SIZE = 8000, 4000, 32
# caption words: all in the tiny-bert fixture's vocabulary
FILLERS = ["the", "a", "model", "cafe", "object", "edge", "fusion", "run", "hello", "world", "left", "right", "of", "how", "many"]


class ImageEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.c2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.c3 = nn.Conv2d(16, 16, 3, stride=2, padding=1)
        self.pool = nn.Linear(16, 16)

    def forward(self, image):
        x = torch.relu(self.c1(image * 2.0 - 1.0))
        x = torch.relu(self.c2(x))
        x = torch.relu(self.c3(x))  # [N,16,4,4]
        grid = x.flatten(2).transpose(1, 2)  # [N,16 cells,16], cell = row*4 + col
        return self.pool(grid.mean(1)), grid


class AudioEncoder(nn.Module):
    """Hann-windowed cos/sin filterbank (16 log-spaced bands, 256-sample frames, hop 128) -> log power
    -> mean over frames -> random linear map. Fixed maths inside the graph, as a log-mel front end would be."""

    def __init__(self, gen):
        super().__init__()
        freqs = np.geomspace(200.0, 3200.0, 16)
        t = np.arange(256) / RATE
        win = np.hanning(256)
        k = np.concatenate([np.cos(2 * np.pi * freqs[:, None] * t) * win, np.sin(2 * np.pi * freqs[:, None] * t) * win])
        self.register_buffer("bank", torch.tensor(k[:, None, :], dtype=torch.float32))  # [32,1,256]
        self.proj = nn.Linear(16, 16)
        with torch.no_grad():
            self.proj.weight.copy_(torch.randn(16, 16, generator=gen) * 0.5)
            self.proj.bias.zero_()

    def forward(self, audio):
        y = torch.nn.functional.conv1d(audio.unsqueeze(1), self.bank, stride=128)  # [N,32,T]
        power = y[:, :16] ** 2 + y[:, 16:] ** 2
        logp = torch.log(power + 1e-4).mean(2)  # [N,16]
        return self.proj(logp)


def export(model, sample, path, inp, outs):
    model.eval()
    with torch.no_grad():
        torch.onnx.export(model, (sample,), path, opset_version=17, input_names=[inp], output_names=outs,
                          dynamic_axes={n: {0: "batch"} for n in [inp] + outs}, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    print(f"wrote {path} ({os.path.getsize(path)} bytes)", flush=True)


def shown(rng, label, p):
    """The colour a modality shows: the true one with probability p, else another one."""
    if rng.random() < p:
        return label
    return rng.choice([c for c in LABELS if c != label])


def photo(rng, colour):
    bg = rng.integers(150, 256, 3)
    img = np.ones((SIZE, SIZE, 3), np.float32) * bg + rng.normal(0, 12, (SIZE, SIZE, 3))
    c = np.array(RGB[colour], np.float32) + rng.normal(0, 15, 3)
    r = rng.uniform(9, 14)
    cy, cx = rng.uniform(r, SIZE - r, 2)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    shape = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r if rng.random() < 0.5 else (abs(yy - cy) <= r * 0.8) & (abs(xx - cx) <= r * 0.8)
    img[shape] = c
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def voice(rng, colour):
    t = np.arange(SAMPLES) / RATE
    f = TONE_HZ[colour] * rng.uniform(0.95, 1.05)
    x = np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3)) + 0.3 * np.sin(4 * np.pi * f * t)
    x = x * rng.uniform(0.2, 0.6) + rng.normal(0, 0.05, SAMPLES)
    return np.clip(np.round(x * 32767 * 0.8), -32768, 32767).astype(np.int16)


def caption(rng, colour):
    words = list(rng.choice(FILLERS, rng.integers(1, 4)))
    if colour is not None:
        words.insert(int(rng.integers(0, len(words) + 1)), colour)
    return " ".join(words)


def write_wav(path, pcm):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--train", type=int, default=600)
    ap.add_argument("--val", type=int, default=150)
    ap.add_argument("--test", type=int, default=150)
    ap.add_argument("--showcase", type=int, default=0, help="clear examples per colour (all modalities agree)")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    os.makedirs(os.path.join(args.out, "encoders"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "examples"), exist_ok=True)
    export(ImageEncoder(), torch.rand(2, 3, SIZE, SIZE), os.path.join(args.out, "encoders", "image.onnx"), "image", ["pooled", "grid"])
    export(AudioEncoder(gen), torch.randn(2, SAMPLES) * 0.1, os.path.join(args.out, "encoders", "audio.onnx"), "audio", ["embedding"])
    rows = []
    for split, n in [("train", args.train), ("val", args.val), ("test", args.test)]:
        for i in range(n):
            label = LABELS[int(rng.integers(0, 3))]
            name = f"{split}-{i:04d}"
            Image.fromarray(photo(rng, shown(rng, label, 0.8))).save(os.path.join(args.out, "examples", name + ".png"), optimize=True)
            text_colour = shown(rng, label, 0.8) if rng.random() < 0.93 else None
            has_voice = rng.random() >= 0.15
            if has_voice:
                write_wav(os.path.join(args.out, "examples", name + ".wav"), voice(rng, shown(rng, label, 0.75)))
            rows.append({"split": split, "caption": caption(rng, text_colour), "photo": f"examples/{name}.png",
                         "voice": f"examples/{name}.wav" if has_voice else "", "label": label})
    with open(os.path.join(args.out, "examples.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["split", "caption", "photo", "voice", "label"])
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} examples to {os.path.join(args.out, 'examples.csv')}", flush=True)
    if args.showcase:
        os.makedirs(os.path.join(args.out, "showcase"), exist_ok=True)
        show = []
        for label in LABELS:
            for i in range(args.showcase):
                name = f"{label}-{i}"
                Image.fromarray(photo(rng, label)).save(os.path.join(args.out, "showcase", name + ".png"), optimize=True)
                write_wav(os.path.join(args.out, "showcase", name + ".wav"), voice(rng, label))
                show.append({"split": "test", "caption": caption(rng, label), "photo": f"showcase/{name}.png", "voice": f"showcase/{name}.wav", "label": label})
        with open(os.path.join(args.out, "showcase.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["split", "caption", "photo", "voice", "label"])
            w.writeheader()
            w.writerows(show)


if __name__ == "__main__":
    main()
