"""Models for the Sort-of-CLEVR suite (see docs/training.md)."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = 150  # encoder input side: a 2x finer view than the 75-px spec (letterboxed scenes keep detail)
GRID = 15
CELLS = GRID * GRID
D_FEAT = 64
D_GRID = D_FEAT + 2
D_POOLED = 64
D_TEXT = 64
N_LABELS = 12


def coord_channels():
    lin = torch.linspace(-1.0, 1.0, GRID)
    yy, xx = torch.meshgrid(lin, lin, indexing="ij")  # [15, 15], row = y
    return torch.stack([xx, yy], 0).unsqueeze(0)  # [1, 2, 15, 15]: channel 0 = x, 1 = y


class ImageEncoder(nn.Module):
    """input image [B,3,150,150] in [0,1] -> pooled [B,64], grid [B,225,66] (64 features + x, y).

    The first conv (4x4, stride 2) brings 150 px to a 75x75 map, so the rest costs what the 75-px
    encoder cost; a 5x5 stride-5 conv then gives the 15x15 grid (one 10-px cell each)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 32, 4, stride=2, padding=1, bias=False)
        self.b1 = nn.BatchNorm2d(32)
        self.c2 = nn.Conv2d(32, 64, 5, stride=5, bias=False)
        self.b2 = nn.BatchNorm2d(64)
        self.c3 = nn.Conv2d(66, 64, 3, padding=1, bias=False)
        self.b3 = nn.BatchNorm2d(64)
        self.c4 = nn.Conv2d(64, 64, 3, padding=1, bias=False)
        self.b4 = nn.BatchNorm2d(64)
        self.pool = nn.Linear(2 * D_GRID, D_POOLED)
        self.register_buffer("coords", coord_channels(), persistent=False)

    def forward(self, image):
        x = 1.0 - image  # white background -> 0
        x = F.relu(self.b1(self.c1(x)))
        x = F.relu(self.b2(self.c2(x)))
        xy = self.coords.expand(x.shape[0], -1, -1, -1)
        x = F.relu(self.b3(self.c3(torch.cat([x, xy], 1))))
        x = x + F.relu(self.b4(self.c4(x)))
        g = torch.cat([x, xy], 1).flatten(2).transpose(1, 2)  # [B, 225, 66], cell = y*15 + x
        pooled = self.pool(torch.cat([g.mean(1), g.max(1).values], 1))
        return pooled, g


class TextEncoder(nn.Module):
    """2-layer pre-LN transformer, d=64, 4 heads, learned positions; masked mean -> LayerNorm."""

    def __init__(self, vocab_size, d=D_TEXT, heads=4, layers=2, ff=128, max_len=24):
        super().__init__()
        self.d, self.h = d, heads
        self.tok = nn.Embedding(vocab_size, d)
        self.pos = nn.Embedding(max_len, d)
        self.layers = nn.ModuleList()
        for _ in range(layers):
            self.layers.append(nn.ModuleDict({
                "ln1": nn.LayerNorm(d), "qkv": nn.Linear(d, 3 * d), "o": nn.Linear(d, d),
                "ln2": nn.LayerNorm(d), "f1": nn.Linear(d, ff), "f2": nn.Linear(ff, d),
            }))
        self.ln = nn.LayerNorm(d)
        nn.init.normal_(self.tok.weight, std=0.1)
        nn.init.normal_(self.pos.weight, std=0.02)

    def forward(self, input_ids, attention_mask):
        B, T = input_ids.shape[0], input_ids.shape[1]
        pos = torch.arange(T, device=input_ids.device)
        x = self.tok(input_ids) + self.pos(pos).unsqueeze(0)
        m = attention_mask.to(x.dtype)  # [B, T]
        bias = (1.0 - m).unsqueeze(1).unsqueeze(1) * -1e4  # [B,1,1,T]
        hd = self.d // self.h
        for L in self.layers:
            y = L["ln1"](x)
            qkv = L["qkv"](y).reshape(B, T, 3, self.h, hd).permute(2, 0, 3, 1, 4)  # [3,B,h,T,hd]
            q, k, v = qkv[0], qkv[1], qkv[2]
            att = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(hd)) + bias, -1)
            y = torch.matmul(att, v).transpose(1, 2).reshape(B, T, self.d)
            x = x + L["o"](y)
            x = x + L["f2"](F.gelu(L["f1"](L["ln2"](x))))
        mm = m.unsqueeze(-1)
        pooled = (x * mm).sum(1) / mm.sum(1).clamp(min=1.0)
        return self.ln(pooled)


class AttentionHead(nn.Module):
    """Reference head: question-conditioned FiLM attention over grid cells + one relation step."""

    def __init__(self, h=64, hidden=256):
        super().__init__()
        self.cell = nn.Linear(D_GRID, h)
        self.film = nn.Linear(D_TEXT, 2 * h)
        self.s1 = nn.Sequential(nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 1))
        self.r_cell = nn.Linear(D_GRID, h)
        self.r_tgt = nn.Linear(D_GRID + h, h, bias=False)
        self.r_q = nn.Linear(D_TEXT, h, bias=False)
        self.r_d = nn.Linear(3, h, bias=False)
        self.r_mlp = nn.Sequential(nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU())
        self.s2 = nn.Linear(h, 1)
        nf = D_GRID + h + h + h + D_TEXT + D_POOLED
        self.gate = nn.Linear(D_TEXT, nf)
        self.mlp = nn.Sequential(nn.Linear(nf, hidden), nn.ReLU(), nn.Linear(hidden, 128), nn.ReLU(), nn.Linear(128, N_LABELS))

    def forward(self, text_features, pooled, grid, return_attention=False, index=None):
        """index (training only): question -> row of pooled/grid, so per-image work is done once."""
        q = text_features
        cellp, rcell = self.cell(grid), self.r_cell(grid)
        if index is not None:
            pooled, grid, cellp, rcell = pooled[index], grid[index], cellp[index], rcell[index]
        gb = self.film(q).unsqueeze(1)  # [B,1,2h]
        h = self.cell.out_features
        gamma, beta = gb[..., :h], gb[..., h:]
        hc = F.relu(cellp * (1.0 + gamma) + beta)  # [B,225,h]
        a1 = torch.softmax(self.s1(hc).squeeze(-1), -1)  # [B,225]
        tx = torch.bmm(a1.unsqueeze(1), grid).squeeze(1)  # [B,66]
        th = torch.bmm(a1.unsqueeze(1), hc).squeeze(1)  # [B,h]
        dxy = grid[..., D_FEAT:] - tx[:, D_FEAT:].unsqueeze(1)  # [B,225,2]
        d = torch.cat([dxy, (dxy * dxy).sum(-1, keepdim=True)], -1)
        pre = rcell + (self.r_tgt(torch.cat([tx, th], -1)) + self.r_q(q)).unsqueeze(1) + self.r_d(d)
        z = self.r_mlp(pre)  # [B,225,h]
        a2 = torch.softmax(self.s2(z).squeeze(-1), -1)
        r = torch.bmm(a2.unsqueeze(1), z).squeeze(1)
        f = torch.cat([tx, th, r, z.mean(1), q, pooled], -1)
        f = f * (1.0 + self.gate(q))
        logits = self.mlp(f)
        if return_attention:
            return logits, a1, a2
        return logits


def mlp(i, hidden, o, layers=2):
    mods, d = [], i
    for _ in range(layers):
        mods += [nn.Linear(d, hidden), nn.ReLU()]
        d = hidden
    mods.append(nn.Linear(d, o))
    return nn.Sequential(*mods)


class ConcatHead(nn.Module):
    inputs = ["text_features", "pooled"]

    def __init__(self, hidden=256):
        super().__init__()
        self.net = mlp(D_TEXT + D_POOLED, hidden, N_LABELS, 3)

    def forward(self, text_features, pooled):
        return self.net(torch.cat([text_features, pooled], -1))


class SumHead(nn.Module):
    inputs = ["text_features", "pooled"]

    def __init__(self, d=256, hidden=256):
        super().__init__()
        self.pt = nn.Linear(D_TEXT, d)
        self.pi = nn.Linear(D_POOLED, d)
        self.net = mlp(d, hidden, N_LABELS, 2)

    def forward(self, text_features, pooled):
        return self.net(F.relu(self.pt(text_features) + self.pi(pooled)))


class ProductHead(nn.Module):
    """MLB-style: tanh projections of both modalities, element-wise product."""
    inputs = ["text_features", "pooled"]

    def __init__(self, d=256, hidden=256):
        super().__init__()
        self.pt = nn.Linear(D_TEXT, d)
        self.pi = nn.Linear(D_POOLED, d)
        self.net = mlp(d, hidden, N_LABELS, 2)

    def forward(self, text_features, pooled):
        return self.net(torch.tanh(self.pt(text_features)) * torch.tanh(self.pi(pooled)))


class BilinearHead(nn.Module):
    """MFB: low-rank bilinear pooling (factor k), sum pooling over k, signed sqrt, L2 norm."""
    inputs = ["text_features", "pooled"]

    def __init__(self, o=128, k=5, hidden=256):
        super().__init__()
        self.o, self.k = o, k
        self.ut = nn.Linear(D_TEXT, o * k)
        self.ui = nn.Linear(D_POOLED, o * k)
        self.net = mlp(o, hidden, N_LABELS, 2)

    def forward(self, text_features, pooled):
        z = self.ut(text_features) * self.ui(pooled)
        z = z.reshape(z.shape[0], self.o, self.k).sum(-1)
        z = torch.sign(z) * torch.sqrt(torch.abs(z) + 1e-8)
        z = z / torch.sqrt((z * z).sum(-1, keepdim=True) + 1e-12)
        return self.net(z * math.sqrt(self.o))


class TextOnlyHead(nn.Module):
    """Degraded head: answers from the question alone (the image side is down). Learns the answer
    prior per question (e.g. 'left or right' -> left/right at ~50%), so its scores say how unsure it is."""
    inputs = ["text_features"]

    def __init__(self, hidden=128):
        super().__init__()
        self.net = mlp(D_TEXT, hidden, N_LABELS, 2)

    def forward(self, text_features):
        return self.net(text_features)


class LateFusion(nn.Module):
    """Baseline: text-only and image-only predictors, logits summed."""

    def __init__(self, hidden=256):
        super().__init__()
        self.t = mlp(D_TEXT, hidden, N_LABELS, 2)
        self.i = mlp(D_POOLED, hidden, N_LABELS, 2)

    def forward(self, text_features, pooled):
        return self.t(text_features) + self.i(pooled)


class EarlyFusion(nn.Module):
    """Baseline: a bag-of-words question vector tiled over the image as extra input channels of a
    CNN trained end to end (question and pixels meet in the first layer).

    Tiling a constant vector q into the input of a stride-10 convolution without padding adds the
    same W_q·q to every output position, so the first layer is computed as conv(image) + Linear(q)
    (identical maths, without materialising [B, 16, 150, 150] channels)."""

    def __init__(self, vocab_size, dq=16):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, dq)
        self.c1 = nn.Conv2d(3, 48, 10, stride=10)
        self.q1 = nn.Linear(dq, 48, bias=False)
        self.b1 = nn.BatchNorm2d(48)
        self.c2 = nn.Conv2d(48, 64, 3, padding=1)
        self.b2 = nn.BatchNorm2d(64)
        self.c3 = nn.Conv2d(64, 64, 3, stride=2, padding=1)
        self.b3 = nn.BatchNorm2d(64)
        self.out = mlp(64 * 8 * 8, 256, N_LABELS, 1)

    def forward(self, image, input_ids, attention_mask, index=None):
        """index (training only): question -> row of image, so each image's convolution runs once."""
        m = attention_mask.float().unsqueeze(-1)
        q = (self.emb(input_ids) * m).sum(1) / m.sum(1)
        x = self.c1(1.0 - image)
        if index is not None:
            x = x[index]
        x = F.relu(self.b1(x + self.q1(q)[:, :, None, None]))
        x = F.relu(self.b2(self.c2(x)))
        x = F.relu(self.b3(self.c3(x)))
        return self.out(x.flatten(1))


# stage-2 heads on frozen features; "text-only" is the degraded head (question alone, image side down)
FUSION_HEADS = {"concat": ConcatHead, "sum": SumHead, "product": ProductHead, "bilinear": BilinearHead, "text-only": TextOnlyHead}
