"""Seeded random parameter sets for the port tests: one generator per direction and feature kind.

Each returns the keywords a user would pass (some left out, so defaults are exercised too) and the
clip length to test on (short: 0.3 s, at least n_fft + 4 hops so center=False has frames).
"""
from __future__ import annotations

import numpy as np
import torch

SECONDS = 0.3


def _maybe(rng, kw: dict, name: str, value) -> None:
    if rng.random() < 0.8:   # a fifth of the time leave it to the library's default
        kw[name] = value


def _stft_librosa(rng) -> dict:
    kw: dict = {}
    sr = int(rng.choice([8000, 11025, 16000, 22050, 44100, 12345]))
    n_fft = int(rng.choice([256, 400, 512, 1024, 2048]))
    kw["sr"] = sr
    kw["n_fft"] = n_fft
    if rng.random() < 0.4:
        kw["win_length"] = int(rng.integers(n_fft // 2, n_fft + 1))
    kw["hop_length"] = int(rng.integers(n_fft // 4, n_fft // 2 + 1))
    _maybe(rng, kw, "window", str(rng.choice(["hann", "hamming", "blackman", "bartlett", "boxcar"])))
    _maybe(rng, kw, "center", bool(rng.random() < 0.7))
    _maybe(rng, kw, "pad_mode", str(rng.choice(["constant", "reflect", "edge", "symmetric"])))
    _maybe(rng, kw, "power", float(rng.choice([1.0, 2.0, 1.5])))
    _maybe(rng, kw, "n_mels", int(rng.integers(16, 129)))
    _maybe(rng, kw, "fmin", float(rng.choice([0.0, rng.uniform(0, 300)])))
    if rng.random() < 0.5:
        kw["fmax"] = float(rng.uniform(sr / 4, sr / 2))
    _maybe(rng, kw, "htk", bool(rng.random() < 0.5))
    return kw


def librosa_mfcc(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    kw = _stft_librosa(rng)
    n_mels = kw.get("n_mels", 128)
    _maybe(rng, kw, "mel_norm", [None, "slaney", 1.0, 2.0, np.inf][int(rng.integers(5))])
    _maybe(rng, kw, "n_mfcc", int(rng.integers(1, min(40, n_mels) + 1)))
    if kw.get("n_mfcc", 20) > n_mels:   # librosa's default 20 needs 20 bands
        kw["n_mfcc"] = n_mels
    _maybe(rng, kw, "dct_type", int(rng.choice([1, 2, 2, 3, 4])))
    _maybe(rng, kw, "norm", [None, "ortho"][int(rng.integers(2))])
    if rng.random() < 0.4:
        kw["lifter"] = float(rng.uniform(1, 30))
    return kw


def librosa_logmel(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    kw = _stft_librosa(rng)
    _maybe(rng, kw, "norm", [None, "slaney", 1.0, 2.0, np.inf][int(rng.integers(5))])
    _maybe(rng, kw, "ref", [1.0, np.max, float(rng.uniform(0.01, 10))][int(rng.integers(3))])
    _maybe(rng, kw, "amin", float(rng.choice([1e-10, 1e-5, 1e-8])))
    _maybe(rng, kw, "top_db", [None, 80.0, float(rng.uniform(20, 120))][int(rng.integers(3))])
    return kw


def _mel_torchaudio(rng) -> dict:
    mel: dict = {}
    sr = int(rng.choice([8000, 11025, 16000, 22050, 44100, 12345]))
    n_fft = int(rng.choice([256, 400, 512, 1024]))
    mel["sample_rate"] = sr
    _maybe(rng, mel, "n_fft", n_fft)
    n_fft = mel.get("n_fft", 400)
    if rng.random() < 0.4:
        mel["win_length"] = int(rng.integers(n_fft // 2, n_fft + 1))
    _maybe(rng, mel, "hop_length", int(rng.integers(n_fft // 4, n_fft // 2 + 1)))
    _maybe(rng, mel, "f_min", float(rng.choice([0.0, rng.uniform(0, 300)])))
    if rng.random() < 0.5:
        mel["f_max"] = float(rng.uniform(sr / 4, sr // 2))
    if rng.random() < 0.3:
        mel["pad"] = int(rng.integers(0, 64))
    _maybe(rng, mel, "n_mels", int(rng.integers(16, 129)))
    _maybe(rng, mel, "window_fn", [torch.hann_window, torch.hamming_window, torch.blackman_window,
                                   torch.bartlett_window][int(rng.integers(4))])
    _maybe(rng, mel, "power", float(rng.choice([1.0, 2.0, 1.5])))
    if rng.random() < 0.3:
        mel["normalized"] = [True, "window", "frame_length"][int(rng.integers(3))]
    _maybe(rng, mel, "center", bool(rng.random() < 0.7))
    _maybe(rng, mel, "pad_mode", str(rng.choice(["constant", "reflect", "replicate", "circular"])))
    _maybe(rng, mel, "norm", [None, "slaney"][int(rng.integers(2))])
    _maybe(rng, mel, "mel_scale", str(rng.choice(["htk", "slaney"])))
    return mel


def torchaudio_mfcc(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    mel = _mel_torchaudio(rng)
    kw: dict = {"sample_rate": mel.pop("sample_rate")}
    n_mels = mel.get("n_mels", 128)
    _maybe(rng, kw, "n_mfcc", int(rng.integers(1, min(40, n_mels) + 1)))
    if kw.get("n_mfcc", 40) > n_mels:   # torchaudio's default 40 needs 40 bands
        kw["n_mfcc"] = n_mels
    _maybe(rng, kw, "norm", [None, "ortho"][int(rng.integers(2))])
    _maybe(rng, kw, "log_mels", bool(rng.random() < 0.4))
    kw["melkwargs"] = mel
    return kw


def torchaudio_logmel(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    kw = _mel_torchaudio(rng)
    _maybe(rng, kw, "stype", str(rng.choice(["power", "magnitude"])))
    _maybe(rng, kw, "top_db", [None, 80.0, float(rng.uniform(20, 120))][int(rng.integers(3))])
    return kw
