"""Log-mel front end as plain tensor ops, so it exports into the audio encoder's ONNX graph.

STFT = Conv1d with fixed windowed DFT kernels (stride = hop, no centre padding), power = re^2 + im^2,
mel = MatMul with a fixed HTK mel filterbank, log(mel + 1e-6). Training and serving run exactly this
module: the feature function only decodes, mixes down, resamples and pads/trims the WAV.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SAMPLE_RATE = 16000
SAMPLES = 48000  # 3 s: the model's fixed input length (pad with zeros / trim)
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 64
F_MIN, F_MAX = 60.0, 7600.0
FRAMES = (SAMPLES - N_FFT) // HOP + 1  # 298
EPS = 1e-6


def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + f / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def mel_filterbank(n_mels=N_MELS, n_fft=N_FFT, sr=SAMPLE_RATE, fmin=F_MIN, fmax=F_MAX):
    """[n_mels, n_fft // 2 + 1] triangular filters on the HTK mel scale (float64 -> float32)."""
    bins = n_fft // 2 + 1
    freqs = np.linspace(0, sr / 2, bins)
    mels = np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2)
    hz = mel_to_hz(mels)
    fb = np.zeros((n_mels, bins))
    for m in range(n_mels):
        lo, c, hi = hz[m], hz[m + 1], hz[m + 2]
        up = (freqs - lo) / (c - lo)
        down = (hi - freqs) / (hi - c)
        fb[m] = np.maximum(0, np.minimum(up, down))
    return fb.astype(np.float32)


def dft_kernels(n_fft=N_FFT):
    """[2 * bins, 1, n_fft]: periodic Hann window times cos (real part) and -sin (imaginary part)."""
    n = np.arange(n_fft)
    window = 0.5 - 0.5 * np.cos(2 * math.pi * n / n_fft)
    k = np.arange(n_fft // 2 + 1)[:, None]
    ang = 2 * math.pi * k * n[None, :] / n_fft
    re = window[None, :] * np.cos(ang)
    im = -window[None, :] * np.sin(ang)
    return np.concatenate([re, im], 0)[:, None, :].astype(np.float32)


class LogMel(nn.Module):
    """audio [B, SAMPLES] in [-1, 1] -> log-mel [B, N_MELS, FRAMES]."""

    def __init__(self):
        super().__init__()
        self.register_buffer("dft", torch.from_numpy(dft_kernels()))
        self.register_buffer("mel", torch.from_numpy(mel_filterbank()))
        self.bins = N_FFT // 2 + 1

    def forward(self, audio):
        spec = F.conv1d(audio.unsqueeze(1), self.dft, stride=HOP)  # [B, 2*bins, T]
        re, im = spec[:, : self.bins], spec[:, self.bins :]
        power = re * re + im * im
        return torch.log(torch.matmul(self.mel, power) + EPS)  # [B, n_mels, T]


def reference_logmel(audio):
    """The same maths with numpy's FFT in float64: [B, SAMPLES] -> [B, N_MELS, FRAMES]. Used for the
    training cache (much faster than the convolution on a CPU) and as the parity reference."""
    audio = np.asarray(audio, np.float64)
    n = np.arange(N_FFT)
    window = 0.5 - 0.5 * np.cos(2 * math.pi * n / N_FFT)
    frames = np.lib.stride_tricks.sliding_window_view(audio, N_FFT, axis=-1)[..., ::HOP, :][..., :FRAMES, :]
    spec = np.fft.rfft(frames * window, axis=-1)  # [B, T, bins]
    power = spec.real ** 2 + spec.imag ** 2
    mel = power @ mel_filterbank().astype(np.float64).T  # [B, T, n_mels]
    return np.log(np.swapaxes(mel, -1, -2) + EPS)
