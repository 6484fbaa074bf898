"""The calls a port is checked against, run exactly as the user wrote them, and the clips it is checked on.

`librosa_reference(kind, kwargs)` and `torchaudio_reference(kind, kwargs)` return y (T,) -> np.ndarray;
`synthetic_clips(sr, n_samples)` gives a fixed, seeded set of waveforms; `relative_error(got, want)` is
the figure every check reports.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

LIBROSA_DB_KEYS = ("ref", "amin", "top_db")
TORCHAUDIO_DB_KEYS = ("stype", "top_db")


def librosa_reference(kind: str, kwargs: dict) -> Callable[[np.ndarray], np.ndarray]:
    """librosa.feature.mfcc(y=y, **kwargs), or power_to_db(melspectrogram(y=y, **mel kwargs), **db kwargs)."""
    import librosa

    if kind == "mfcc":
        return lambda y: librosa.feature.mfcc(y=y, **kwargs)
    mel_kw = {k: v for k, v in kwargs.items() if k not in LIBROSA_DB_KEYS}
    db_kw = {k: v for k, v in kwargs.items() if k in LIBROSA_DB_KEYS}
    return lambda y: librosa.power_to_db(librosa.feature.melspectrogram(y=y, **mel_kw), **db_kw)


def torchaudio_transform(kind: str, kwargs: dict):
    """torchaudio.transforms.MFCC(**kwargs), or Sequential(MelSpectrogram(...), AmplitudeToDB(stype, top_db))."""
    import torch
    import torchaudio

    if kind == "mfcc":
        return torchaudio.transforms.MFCC(**kwargs)
    mel_kw = {k: v for k, v in kwargs.items() if k not in TORCHAUDIO_DB_KEYS}
    db_kw = {k: v for k, v in kwargs.items() if k in TORCHAUDIO_DB_KEYS}
    return torch.nn.Sequential(torchaudio.transforms.MelSpectrogram(**mel_kw),
                               torchaudio.transforms.AmplitudeToDB(**db_kw))


def run_module(module, clips: np.ndarray) -> np.ndarray:
    """Run a torch module on a NumPy batch (B, T) in the batch's dtype; returns NumPy."""
    import torch

    x = torch.from_numpy(np.ascontiguousarray(clips))
    with torch.no_grad():
        return module.to(x.dtype)(x).numpy()


def relative_error(got: np.ndarray, want: np.ndarray) -> float:
    """max |got - want| / max |want| (scaled to the values' magnitude, so a bin near zero cannot blow it up)."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        raise ValueError(f"port output shape {got.shape} != reference shape {want.shape}")
    scale = np.max(np.abs(want))
    return float(np.max(np.abs(got - want)) / scale) if scale > 0 else float(np.max(np.abs(got)))


def as_clips(waveforms: Sequence, dtype: str, *, min_samples: int = 1) -> list[np.ndarray]:
    """A (T,) array, a (B, T) array or a list of (T,) arrays -> a list of 1-D arrays of `dtype`; ValueError
    (one line) for another shape, a clip shorter than `min_samples`, or non-finite samples."""
    if isinstance(waveforms, np.ndarray) or hasattr(waveforms, "numpy"):
        arr = np.asarray(waveforms)
        clips = [arr] if arr.ndim == 1 else list(arr) if arr.ndim == 2 else None
        if clips is None:
            raise ValueError(f"waveforms: expected (T,) or (B, T), got shape {arr.shape}")
    else:
        clips = [np.asarray(c) for c in waveforms]
    if not clips or any(c.ndim != 1 or c.size == 0 for c in clips):
        raise ValueError("waveforms: expected non-empty 1-D clips")
    for i, c in enumerate(clips):
        if c.size < min_samples:
            raise ValueError(f"waveforms: clip {i} has {c.size} samples, fewer than {min_samples} (the least this "
                             "call computes features for)")
        if not np.all(np.isfinite(c)):
            raise ValueError(f"waveforms: clip {i} holds NaN or infinite samples")
    return [np.ascontiguousarray(c, dtype=dtype) for c in clips]


def synthetic_clips(sr: float, n_samples: int, *, seed: int = 0) -> np.ndarray:
    """Two seeded clips (2, n_samples) float64: a chirp to 0.45 sr over noise, and two tones gated to the
    middle fifth over -80 dB noise (mostly near-silence). Seeded, so a port's residual is reproducible."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_samples) / sr
    top = 0.45 * sr
    chirp = 0.5 * np.sin(2 * np.pi * (50 * t + (top - 50) / (2 * t[-1] + 1e-9) * t ** 2))
    noise = rng.standard_normal((2, n_samples))
    tones = 0.3 * np.sin(2 * np.pi * 0.02 * sr * t) + 0.2 * np.sin(2 * np.pi * 0.11 * sr * t)
    gated = np.where((t > 0.4 * t[-1]) & (t < 0.6 * t[-1]), tones, 0.0)
    return np.stack([chirp + 0.05 * noise[0], gated + 1e-4 * noise[1]])
