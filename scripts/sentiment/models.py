"""Encoders and fusion heads of the sentiment suite (docs/task-sentiment.md, models/sentiment/EVAL.md).

Encoders see one modality each:
  text  : the Sort-of-CLEVR transformer (2 layers, d=64) over this suite's own vocabulary -> [B, 64]
  face  : image [B, 3, 64, 64] in [0, 1] -> pooled [B, 64], grid [B, 64 cells, 64]
  audio : waveform [B, 48000] -> log-mel (frontend.LogMel, inside the graph) -> pooled [B, 64],
          frames [B, 37, 64]
Heads take text [B, 64], face pooled/grid, audio pooled/frames and mask [B, 3] (text, face, voice;
1 present, 0 absent; absent features are fed as zeros).
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from frontend import LogMel, N_MELS, FRAMES  # noqa: E402
from vqa_shared import vqa_models  # noqa: E402

TextEncoder = vqa_models.TextEncoder  # shared with the VQA suite

D = 64
FACE_CELLS = 64  # 8 x 8
AUDIO_FRAMES = 38  # 298 -> 149 -> 75 -> 38 (stride-2 convolutions with padding)
N_CLASSES = 3


def conv_bn(i, o, stride=1):
    return nn.Sequential(nn.Conv2d(i, o, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU())


def conv1d_bn(i, o, k, stride):
    return nn.Sequential(nn.Conv1d(i, o, k, stride=stride, padding=k // 2, bias=False), nn.BatchNorm1d(o), nn.ReLU())


class FaceEncoder(nn.Module):
    """Small strided CNN (about 5 M multiply-adds an image): 64 -> 32 -> 16 -> 8 x 8 cells."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(conv_bn(3, 16, 2), conv_bn(16, 32, 2), conv_bn(32, D, 2), conv_bn(D, D))
        self.pool = nn.Linear(2 * D, D)

    def forward(self, image):
        x = self.body(image - 0.5)  # [B, 64, 8, 8]
        grid = x.flatten(2).transpose(1, 2)  # [B, 64 cells (row-major, row 0 = top), 64]
        pooled = self.pool(torch.cat([grid.mean(1), grid.amax(1)], 1))
        return pooled, grid


class AudioBody(nn.Module):
    """log-mel [B, 64, 298] -> pooled [B, 64], frames [B, 37, 64]: 1-D convolutions over time with
    the mel bands as channels (a pitch glide is a pattern across bands, seen whole by each filter)."""

    def __init__(self):
        super().__init__()
        self.norm = nn.BatchNorm1d(N_MELS)
        self.body = nn.Sequential(conv1d_bn(N_MELS, D, 5, 2), conv1d_bn(D, D, 5, 2), conv1d_bn(D, D, 3, 2), conv1d_bn(D, D, 3, 1))
        self.pool = nn.Linear(2 * D, D)

    def forward(self, logmel):
        x = self.body(self.norm(logmel))  # [B, 64, 37]
        frames = x.transpose(1, 2)
        pooled = self.pool(torch.cat([frames.mean(1), frames.amax(1)], 1))
        return pooled, frames


class AudioEncoder(nn.Module):
    """waveform [B, 48000] -> (pooled, frames); the exported graph starts at the waveform."""

    def __init__(self):
        super().__init__()
        self.frontend = LogMel()
        self.body = AudioBody()

    def forward(self, audio):
        return self.body(self.frontend(audio))


class Probe(nn.Module):
    """Unimodal classifier on pooled features: class logits, score, auxiliary logits."""

    def __init__(self, n_aux):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(D, 64), nn.ReLU())
        self.cls = nn.Linear(64, N_CLASSES)
        self.score = nn.Linear(64, 1)
        self.aux = nn.Linear(64, n_aux) if n_aux else None

    def forward(self, x):
        h = self.net(x)
        return self.cls(h), self.score(h).squeeze(-1), (self.aux(h) if self.aux is not None else None)


# ---------------------------------------------------------------- heads

class Out(nn.Module):
    def __init__(self, i, hidden=128):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(i, hidden), nn.ReLU(), nn.Dropout(0.1), nn.Linear(hidden, hidden), nn.ReLU())
        self.cls = nn.Linear(hidden, N_CLASSES)
        self.score = nn.Linear(hidden, 1)

    def forward(self, x):
        h = self.net(x)
        return self.cls(h), torch.tanh(self.score(h).squeeze(-1) / 3.0) * 3.5


def masked(text, face_pooled, audio_pooled, mask):
    return text * mask[:, 0:1], face_pooled * mask[:, 1:2], audio_pooled * mask[:, 2:3]


class ConcatHead(nn.Module):
    fusion = "concat"

    def __init__(self):
        super().__init__()
        self.out = Out(3 * D + 3, 192)

    def forward(self, text, face_pooled, face_grid, audio_pooled, audio_frames, mask):
        t, f, a = masked(text, face_pooled, audio_pooled, mask)
        return self.out(torch.cat([t, f, a, mask], 1))


class TensorFusionHead(nn.Module):
    """Zadeh et al. 2017: outer product of [h_m; 1] over the three modalities (h_m projected to 16)."""

    fusion = "tensor"

    def __init__(self, k=16):
        super().__init__()
        self.k = k
        self.proj = nn.ModuleList([nn.Sequential(nn.Linear(D, k), nn.ReLU()) for _ in range(3)])
        self.out = Out((k + 1) ** 3, 128)

    def forward(self, text, face_pooled, face_grid, audio_pooled, audio_frames, mask):
        xs = masked(text, face_pooled, audio_pooled, mask)
        one = torch.ones(text.shape[0], 1, dtype=text.dtype)
        h = [torch.cat([p(x) * mask[:, i: i + 1], one], 1) for i, (p, x) in enumerate(zip(self.proj, xs))]
        z = torch.einsum("bi,bj->bij", h[0], h[1]).reshape(text.shape[0], -1)
        z = torch.einsum("bi,bj->bij", z, h[2]).reshape(text.shape[0], -1)
        return self.out(z)


class LMFHead(nn.Module):
    """Liu et al. 2018: low-rank modality-specific factors, product over modalities, sum over rank."""

    fusion = "lmf"

    def __init__(self, rank=6, o=64):
        super().__init__()
        self.rank, self.o = rank, o
        self.factors = nn.ParameterList([nn.Parameter(torch.randn(rank, D + 1, o) * 0.1) for _ in range(3)])
        self.weights = nn.Parameter(torch.randn(rank) * 0.1 + 1.0 / rank)
        self.bias = nn.Parameter(torch.zeros(o))
        self.out = Out(o, 128)

    def forward(self, text, face_pooled, face_grid, audio_pooled, audio_frames, mask):
        xs = masked(text, face_pooled, audio_pooled, mask)
        one = torch.ones(text.shape[0], 1, dtype=text.dtype)
        fused = None
        for x, w in zip(xs, self.factors):
            z = torch.matmul(torch.cat([x, one], 1).unsqueeze(0), w)  # [rank, B, o]
            fused = z if fused is None else fused * z
        fused = torch.einsum("r,rbo->bo", self.weights, fused) + self.bias
        return self.out(fused)


class CrossAttentionHead(nn.Module):
    """MulT-style: the text vector queries the face cells and the audio frames (4 heads); absent
    modalities' keys are masked out. Returns the attention over [64 face cells ; 37 audio frames]."""

    fusion = "attention"

    def __init__(self, heads=4, h=64):
        super().__init__()
        self.heads, self.h = heads, h
        self.q = nn.Linear(D, h)
        self.kf, self.vf = nn.Linear(D + 2, h), nn.Linear(D + 2, h)
        self.ka, self.va = nn.Linear(D + 1, h), nn.Linear(D + 1, h)
        self.att_out = nn.Linear(h, h)
        self.out = Out(h + 3 * D + 3, 192)
        ys, xs = torch.meshgrid(torch.linspace(-1, 1, 8), torch.linspace(-1, 1, 8), indexing="ij")
        self.register_buffer("face_pos", torch.stack([xs, ys], -1).reshape(1, FACE_CELLS, 2), persistent=False)
        self.register_buffer("audio_pos", torch.linspace(-1, 1, AUDIO_FRAMES).reshape(1, AUDIO_FRAMES, 1), persistent=False)

    def forward(self, text, face_pooled, face_grid, audio_pooled, audio_frames, mask, return_attention=False):
        b = text.shape[0]
        fg = torch.cat([face_grid, self.face_pos.expand(b, -1, -1)], -1)
        af = torch.cat([audio_frames, self.audio_pos.expand(b, -1, -1)], -1)
        keys = torch.cat([self.kf(fg), self.ka(af)], 1)  # [B, 101, h]
        vals = torch.cat([self.vf(fg), self.va(af)], 1)
        present = torch.cat([mask[:, 1:2].expand(-1, FACE_CELLS), mask[:, 2:3].expand(-1, AUDIO_FRAMES)], 1)  # [B, 101]
        hd = self.h // self.heads
        q = self.q(text).reshape(b, self.heads, 1, hd)
        k = keys.reshape(b, -1, self.heads, hd).transpose(1, 2)  # [B, H, 101, hd]
        v = vals.reshape(b, -1, self.heads, hd).transpose(1, 2)
        logits = torch.matmul(q, k.transpose(-1, -2)).squeeze(2) / (hd ** 0.5)  # [B, H, 101]
        # a null slot (logit 0, value 0) keeps the softmax defined when both are absent
        logits = logits + (present.unsqueeze(1) - 1.0) * 1e4
        null = torch.zeros(b, self.heads, 1, dtype=text.dtype)
        att = torch.softmax(torch.cat([logits, null], -1), -1)
        ctx = torch.matmul(att[..., :-1].unsqueeze(2), v).reshape(b, self.h)
        t, f, a = masked(text, face_pooled, audio_pooled, mask)
        y = self.out(torch.cat([self.att_out(ctx), t, f, a, mask], 1))
        if return_attention:
            return y, att[..., :-1].mean(1)
        return y


class GatedHead(nn.Module):
    """Each modality's tanh projection weighted by a sigmoid gate computed from all of them."""

    fusion = "gated"

    def __init__(self, h=96):
        super().__init__()
        self.proj = nn.ModuleList([nn.Linear(D, h) for _ in range(3)])
        self.gate = nn.Linear(3 * D + 3, 3 * h)
        self.h = h
        self.out = Out(h + 3, 128)

    def forward(self, text, face_pooled, face_grid, audio_pooled, audio_frames, mask):
        xs = masked(text, face_pooled, audio_pooled, mask)
        g = torch.sigmoid(self.gate(torch.cat([*xs, mask], 1))).reshape(-1, 3, self.h)
        fused = sum(torch.tanh(p(x)) * g[:, i] * mask[:, i: i + 1] for i, (p, x) in enumerate(zip(self.proj, xs)))
        return self.out(torch.cat([fused, mask], 1))


class LateFusionHead(nn.Module):
    """Baseline: the three unimodal probes' class probabilities averaged over present modalities."""

    fusion = "late"

    def __init__(self, probes):
        super().__init__()
        self.probes = nn.ModuleList(probes)

    def forward(self, text, face_pooled, face_grid, audio_pooled, audio_frames, mask):
        probs, scores = [], []
        for i, (p, x) in enumerate(zip(self.probes, (text, face_pooled, audio_pooled))):
            c, s, _ = p(x)
            probs.append(torch.softmax(c, -1) * mask[:, i: i + 1])
            scores.append(s * mask[:, i])
        n = mask.sum(1, keepdim=True).clamp(min=1.0)  # never 0/0, whatever the mask says
        p = (sum(probs) / n).clamp(min=0.0)  # a mask outside {0, 1} must not make log() NaN
        return torch.log(p + 1e-6), sum(scores) / n.squeeze(1)


HEADS = {c.fusion: c for c in (ConcatHead, TensorFusionHead, LMFHead, CrossAttentionHead, GatedHead)}


class EarlyFusion(nn.Module):
    """Baseline: one network over input-level features of all three modalities, trained end to end
    (bag of words, a 16x16 grey face, log-mel band statistics over 8 time slices)."""

    def __init__(self, vocab_size):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, 32)
        self.out = Out(32 + 256 + N_MELS * 8 * 2 + 3, 256)

    def forward(self, ids, ids_mask, face, logmel, mask):
        b = ids.shape[0]
        t = (self.emb(ids) * ids_mask.unsqueeze(-1)).sum(1) / ids_mask.sum(1, keepdim=True).clamp(min=1)
        g = F.adaptive_avg_pool2d(face.mean(1, keepdim=True), 16).reshape(b, -1) * mask[:, 1:2]
        m = logmel[..., : 37 * 8].reshape(b, N_MELS, 8, 37)
        a = torch.cat([m.mean(-1), m.std(-1)], 1).reshape(b, -1) * mask[:, 2:3]
        return self.out(torch.cat([t, g - 0.5 * mask[:, 1:2], (a + 5.0) / 5.0 * mask[:, 2:3], mask], 1))
