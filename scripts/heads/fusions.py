"""Fusion heads over any number of modalities (docs/bring-your-own-suite.md).

Every head takes, per modality, its pooled vector [B, D] (or, where the encoder only gives a
sequence, the mean of it) and, for cross-modal attention, its sequence [B, T, D]. Optional
modalities are fed as zeros and flagged in a presence mask [B, M] (1 present, 0 absent): each
head swaps an absent modality's representation for a learned placeholder (or the `1` of the
`[h; 1]` vectors of tensor fusion / LMF), so one head answers every subset it was trained on.
Input statistics of the training split are baked in (standardisation), and so is the
calibration temperature, so the exported graph takes raw encoder outputs and returns calibrated
logits (and the regression score in its own units).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

FUSIONS = ["concat", "sum", "product", "bilinear", "tensor", "lmf", "attention", "gated"]
BASELINES = ["late", "early", "unimodal"]


def mlp(i, hidden, o, layers=2, dropout=0.1):
    mods, d = [], i
    for _ in range(layers):
        mods += [nn.Linear(d, hidden), nn.ReLU(), nn.Dropout(dropout)]
        d = hidden
    mods.append(nn.Linear(d, o))
    return nn.Sequential(*mods)


def input_name(modality, output):
    return f"{modality}_{output}".replace("-", "_")


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("inv_std", 1.0 / torch.as_tensor(std, dtype=torch.float32).clamp(min=1e-6))

    def forward(self, x):
        return (x - self.mean) * self.inv_std


class Head(nn.Module):
    """Shared plumbing: input parsing, standardisation, masks, trunk, temperature, score units."""

    def __init__(self, fusion, modalities, stats, n_labels, regression, use_mask, d=64, hidden=128, seq=False):
        super().__init__()
        self.fusion, self.mods, self.M = fusion, modalities, len(modalities)
        self.use_mask, self.regression, self.uses_seq = use_mask, regression, seq
        # graph inputs: each modality's vector (if it has one), its sequence (attention, or no vector), then the mask
        self.inputs = []  # (graph name, modality index, "vec"|"seq", output name)
        self.std = nn.ModuleDict()
        for i, m in enumerate(modalities):
            if m.vec is not None:
                self.inputs.append((input_name(m.name, m.vec), i, "vec", m.vec))
                self.std[input_name(m.name, m.vec)] = Standardize(*stats[f"{m.name}.{m.vec}"])
            if m.seq is not None and (seq or m.vec is None):
                self.inputs.append((input_name(m.name, m.seq), i, "seq", m.seq))
                self.std[input_name(m.name, m.seq)] = Standardize(*stats[f"{m.name}.{m.seq}"])
        self.input_names = [n for n, *_ in self.inputs] + (["mask"] if use_mask else [])
        self.register_buffer("temperature", torch.ones(()))
        self.register_buffer("score_mean", torch.zeros(()))
        self.register_buffer("score_std", torch.ones(()))
        self.n_labels, self.d, self.hidden = n_labels, d, hidden
        self.has_attention_output = False

    def dims(self, i):
        m = self.mods[i]
        return m.vec_dim if m.vec is not None else m.seq_dim

    def parse(self, xs):
        """-> vectors [M x [B, D_m]], sequences [M x [B, T, D] or None], mask [B, M] or None."""
        vecs, seqs = [None] * self.M, [None] * self.M
        for (name, i, kind, _), x in zip(self.inputs, xs):
            x = self.std[name](x)
            if kind == "vec":
                vecs[i] = x
            else:
                seqs[i] = x
        for i in range(self.M):
            if vecs[i] is None:
                vecs[i] = seqs[i].mean(1)
        mask = xs[len(self.inputs)] if self.use_mask else None
        return vecs, seqs, mask

    def trunk_out(self, f):
        raise NotImplementedError

    def make_trunk(self, f_dim):
        self.trunk = mlp(f_dim, self.hidden, self.hidden, 1)
        self.cls = nn.Linear(self.hidden, self.n_labels)
        self.reg = nn.Linear(self.hidden, 1) if self.regression else None

    def finish(self, f):
        z = F.relu(self.trunk(f))
        out = {"logits": self.cls(z)}
        if self.reg is not None:
            out["score"] = self.reg(z).squeeze(-1)
        return out

    def raw(self, *xs):
        """Training-time forward: uncalibrated logits, standardised score."""
        raise NotImplementedError

    def forward(self, *xs):
        out = self.raw(*xs)
        res = [out["logits"] / self.temperature]
        if self.regression:
            res.append(out["score"] * self.score_std + self.score_mean)
        if self.has_attention_output:
            res.append(out["attention"])
        return tuple(res) if len(res) > 1 else res[0]

    def output_names(self):
        return ["logits"] + (["score"] if self.regression else []) + (["attention"] if self.has_attention_output else [])


def col(mask, i):
    return mask[:, i : i + 1]


class Encoded(Head):
    """Heads that first project each modality's vector to d with its own small encoder."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.enc = nn.ModuleList([nn.Sequential(nn.Linear(self.dims(i), self.d), nn.ReLU(), nn.Dropout(0.1)) for i in range(self.M)])
        self.absent = nn.Parameter(torch.zeros(self.M, self.d))

    def encoded(self, vecs, mask, placeholder=True):
        hs = []
        for i, v in enumerate(vecs):
            h = self.enc[i](v)
            if mask is not None:
                m = col(mask, i)
                h = h * m + (1.0 - m) * self.absent[i] if placeholder else h * m
            hs.append(h)
        return hs


class ConcatHead(Encoded):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.make_trunk(self.M * self.d + (self.M if self.use_mask else 0))

    def raw(self, *xs):
        vecs, _, mask = self.parse(xs)
        hs = self.encoded(vecs, mask)
        return self.finish(torch.cat(hs + ([mask] if mask is not None else []), -1))


class SumHead(Encoded):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.make_trunk(self.d)

    def raw(self, *xs):
        vecs, _, mask = self.parse(xs)
        return self.finish(sum(self.encoded(vecs, mask)))


class ProductHead(Encoded):
    """MLB-style: tanh projections multiplied element-wise; an absent modality contributes a learned vector."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.proj = nn.ModuleList([nn.Linear(self.d, self.d) for _ in range(self.M)])
        self.absent_factor = nn.Parameter(torch.ones(self.M, self.d))
        self.make_trunk(self.d)

    def raw(self, *xs):
        vecs, _, mask = self.parse(xs)
        hs = self.encoded(vecs, mask)
        z = None
        for i, h in enumerate(hs):
            p = torch.tanh(self.proj[i](h))
            if mask is not None:
                m = col(mask, i)
                p = p * m + (1.0 - m) * self.absent_factor[i]
            z = p if z is None else z * p
        return self.finish(z)


class BilinearHead(Encoded):
    """MFB (Yu 2017), generalised to M modalities: product of k-factor projections, sum-pooled over k,
    signed square root, L2 normalisation."""

    def __init__(self, *a, o=64, k=5, **kw):
        super().__init__(*a, **kw)
        self.o, self.k = o, k
        self.proj = nn.ModuleList([nn.Linear(self.d, o * k) for _ in range(self.M)])
        self.absent_factor = nn.Parameter(torch.ones(self.M, o * k))
        self.make_trunk(o)

    def raw(self, *xs):
        vecs, _, mask = self.parse(xs)
        hs = self.encoded(vecs, mask)
        z = None
        for i, h in enumerate(hs):
            p = self.proj[i](h)
            if mask is not None:
                m = col(mask, i)
                p = p * m + (1.0 - m) * self.absent_factor[i]
            z = p if z is None else z * p
        z = z.reshape(-1, self.o, self.k).sum(-1)
        z = torch.sign(z) * torch.sqrt(torch.abs(z) + 1e-8)
        z = z / torch.sqrt((z * z).sum(-1, keepdim=True) + 1e-12)
        return self.finish(z * math.sqrt(self.o))


def with_one(h):
    return torch.cat([h, torch.ones_like(h[:, :1])], -1)


class TensorHead(Head):
    """Tensor fusion (Zadeh 2017): outer product of the [h_m; 1] vectors, so the fused tensor holds
    every unimodal, bimodal and trimodal interaction. Each modality is first projected to a small
    size (16 for two modalities, 8 for three, 4 beyond) to keep the product small. An absent modality
    is h_m = 0, which leaves exactly the interactions among the present ones."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.r = 16 if self.M <= 2 else 8 if self.M == 3 else 4
        self.enc = nn.ModuleList([nn.Sequential(nn.Linear(self.dims(i), self.r), nn.ReLU()) for i in range(self.M)])
        self.make_trunk((self.r + 1) ** self.M)

    def raw(self, *xs):
        vecs, _, mask = self.parse(xs)
        z = None
        for i, v in enumerate(vecs):
            h = self.enc[i](v)
            if mask is not None:
                h = h * col(mask, i)
            t = with_one(h)
            z = t if z is None else (z.unsqueeze(-1) * t.unsqueeze(1)).flatten(1)
        return self.finish(z)


class LmfHead(Encoded):
    """Low-rank multimodal fusion (Liu 2018): the tensor-fusion weight factorised into rank-r
    modality factors, f = sum_r prod_m (W_m^r [h_m; 1]); never builds the outer product."""

    def __init__(self, *a, rank=4, o=64, **kw):
        super().__init__(*a, **kw)
        self.rank, self.o = rank, o
        self.factors = nn.ParameterList([nn.Parameter(torch.randn(self.d + 1, rank * o) * (1.0 / math.sqrt(self.d + 1))) for _ in range(self.M)])
        self.rank_weight = nn.Parameter(torch.full((1, rank), 1.0 / rank))
        self.bias = nn.Parameter(torch.zeros(o))
        self.make_trunk(o)

    def raw(self, *xs):
        vecs, _, mask = self.parse(xs)
        hs = self.encoded(vecs, mask, placeholder=False)  # absent: [0; 1]
        z = None
        for i, h in enumerate(hs):
            f = torch.matmul(with_one(h), self.factors[i]).reshape(-1, self.rank, self.o)
            z = f if z is None else z * f
        z = torch.matmul(self.rank_weight, z).squeeze(1) + self.bias
        return self.finish(z)


class AttentionHead(Encoded):
    """Cross-modal attention in the spirit of MulT (Tsai 2019): each modality's vector queries the
    tokens of the other modalities (grid cells or sequence steps where an encoder gives them, else its
    pooled vector as one token), with modality-type embeddings, multi-head scaled dot products, a
    residual, LayerNorm and a feed-forward step. A learned null token is always attendable, so a query
    whose partners are all absent still has somewhere to look. Absent modalities' tokens are masked
    out. Output `attention`: where the other modalities looked inside the longest sequence, averaged
    over heads and queries (renormalised over that modality's tokens)."""

    def __init__(self, *a, heads=4, **k):
        super().__init__(*a, seq=True, **k)
        self.h = heads
        self.tok = nn.ModuleList()
        self.lens = []
        for i, m in enumerate(self.mods):
            if m.seq is not None:
                self.tok.append(nn.Linear(m.seq_dim, self.d))
                self.lens.append(m.seq_len)
            else:
                self.tok.append(nn.Identity())
                self.lens.append(1)
        self.type_emb = nn.Parameter(torch.randn(self.M, self.d) * 0.02)
        self.null = nn.Parameter(torch.randn(1, 1, self.d) * 0.02)
        self.q, self.k, self.v, self.o = (nn.Linear(self.d, self.d) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(self.d), nn.LayerNorm(self.d)
        self.ff = nn.Sequential(nn.Linear(self.d, 2 * self.d), nn.ReLU(), nn.Linear(2 * self.d, self.d))
        # static [M, 1 + sum T] map: query modality i may look at token j (not its own, null always)
        owner = [-1] + [i for i, t in enumerate(self.lens) for _ in range(t)]
        allowed = torch.tensor([[1.0 if (o == -1 or o != i) else 0.0 for o in owner] for i in range(self.M)])
        self.register_buffer("allowed", allowed)
        onehot = torch.zeros(self.M, len(owner))
        for j, o in enumerate(owner):
            if o >= 0:
                onehot[o, j] = 1.0
        self.register_buffer("token_owner", onehot)  # [M, 1 + sum T]
        seq_mods = [i for i, m in enumerate(self.mods) if m.seq is not None]
        self.attn_mod = max(seq_mods, key=lambda i: self.lens[i]) if seq_mods else None
        self.has_attention_output = self.attn_mod is not None and self.M > 1
        if self.has_attention_output:
            self.register_buffer("not_attn_mod", 1.0 - F.one_hot(torch.tensor(self.attn_mod), self.M).float())
        self.make_trunk(self.M * self.d + (self.M if self.use_mask else 0))

    def raw(self, *xs):
        vecs, seqs, mask = self.parse(xs)
        hs = self.encoded(vecs, mask)
        B = hs[0].shape[0]
        toks = [self.null.expand(B, -1, -1)]
        for i in range(self.M):
            t = self.tok[i](seqs[i]) if seqs[i] is not None and self.mods[i].seq is not None else hs[i].unsqueeze(1)
            toks.append(t + self.type_emb[i])
        tokens = torch.cat(toks, 1)  # [B, 1 + sum T, d]
        ok = self.allowed.unsqueeze(0)  # [1, M, T']
        if mask is not None:
            token_present = torch.matmul(mask, self.token_owner)  # [B, T'] (0 for null)
            token_present = token_present + (1.0 - self.token_owner.sum(0, keepdim=True))  # null -> 1
            ok = ok * token_present.unsqueeze(1)
        bias = (1.0 - ok) * -1e4  # [B or 1, M, T']
        query = torch.stack(hs, 1)  # [B, M, d]
        dh = self.d // self.h
        q = self.q(query).reshape(B, self.M, self.h, dh).transpose(1, 2)  # [B, h, M, dh]
        k = self.k(tokens).reshape(B, -1, self.h, dh).transpose(1, 2)  # [B, h, T', dh]
        v = self.v(tokens).reshape(B, -1, self.h, dh).transpose(1, 2)
        att = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(dh)) + bias.unsqueeze(1), -1)
        ctx = torch.matmul(att, v).transpose(1, 2).reshape(B, self.M, self.d)
        c = self.ln1(query + self.o(ctx))
        c = self.ln2(c + self.ff(c))
        cs = [c[:, i] for i in range(self.M)]
        if mask is not None:
            cs = [ci * col(mask, i) + (1.0 - col(mask, i)) * self.absent[i] for i, ci in enumerate(cs)]
        out = self.finish(torch.cat(cs + ([mask] if mask is not None else []), -1))
        if self.has_attention_output:
            start = 1 + sum(self.lens[: self.attn_mod])
            a = att[:, :, :, start : start + self.lens[self.attn_mod]].mean(1)  # [B, M, T]
            w = torch.ones_like(query[:, :, 0]) if mask is None else mask
            w = w * self.not_attn_mod  # only the other modalities' queries
            a = (a * w.unsqueeze(-1)).sum(1)
            out["attention"] = a / (a.sum(-1, keepdim=True) + 1e-9)
        return out


class GatedHead(Encoded):
    """Gated multimodal unit (Arevalo 2017), M-way: per-modality tanh features weighted by sigmoid
    gates computed from all modalities (and the presence mask); absent modalities contribute nothing."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.feat = nn.ModuleList([nn.Linear(self.d, self.d) for _ in range(self.M)])
        self.gate = nn.Linear(self.M * self.d + (self.M if self.use_mask else 0), self.M * self.d)
        self.make_trunk(self.d)

    def raw(self, *xs):
        vecs, _, mask = self.parse(xs)
        hs = self.encoded(vecs, mask)
        g = torch.sigmoid(self.gate(torch.cat(hs + ([mask] if mask is not None else []), -1))).reshape(-1, self.M, self.d)
        z = None
        for i, h in enumerate(hs):
            u = torch.tanh(self.feat[i](h)) * g[:, i]
            if mask is not None:
                u = u * col(mask, i)
            z = u if z is None else z + u
        return self.finish(z)


class EarlyHead(Head):
    """Baseline: the raw (standardised) vectors concatenated into one MLP, no per-modality encoder."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.make_trunk(sum(self.dims(i) for i in range(self.M)) + (self.M if self.use_mask else 0))

    def raw(self, *xs):
        vecs, _, mask = self.parse(xs)
        if mask is not None:
            vecs = [v * col(mask, i) for i, v in enumerate(vecs)]
        return self.finish(torch.cat(vecs + ([mask] if mask is not None else []), -1))


class LateHead(Head):
    """Baseline: one classifier per modality, logits (and scores) averaged over present modalities."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.per = nn.ModuleList([mlp(self.dims(i), self.hidden, self.n_labels + (1 if self.regression else 0), 2) for i in range(self.M)])

    def raw(self, *xs):
        vecs, _, mask = self.parse(xs)
        outs = torch.stack([p(v) for p, v in zip(self.per, vecs)], 1)  # [B, M, C(+1)]
        if mask is None:
            z = outs.mean(1)
        else:
            z = (outs * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        out = {"logits": z[:, : self.n_labels]}
        if self.regression:
            out["score"] = z[:, self.n_labels]
        return out


HEADS = {"concat": ConcatHead, "sum": SumHead, "product": ProductHead, "bilinear": BilinearHead, "tensor": TensorHead,
         "lmf": LmfHead, "attention": AttentionHead, "gated": GatedHead, "early": EarlyHead, "late": LateHead,
         "unimodal": EarlyHead}
