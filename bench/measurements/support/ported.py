"""Serving a model with the other library's features built by features.port (the accuracy measurement's
"ported" rows): the user's call is the trainer's direct library call, written from its MFCCConfig.

    name, fn = ported_server("librosa", cfg)   # "torchaudio", fn: float32 (N, T) -> torch.Tensor (N, n_mfcc, frames)
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np
import torch

from features import MFCCConfig, fix_length
from features.backends import get
from features.backends.torchaudio import WINDOWS as TORCH_WINDOWS

PORTABLE = {"librosa": "torchaudio", "torchaudio": "librosa"}   # trainer -> the library the port serves with


def why_not_portable(trainer: str, cfg: MFCCConfig) -> Optional[str]:
    """None where `trainer`'s call with `cfg` can be ported to the other library here, else why not."""
    if trainer not in PORTABLE:
        return f"{trainer}: the port translates librosa and torchaudio calls only"
    if cfg.preemphasis is not None or cfg.top_db is None or cfg.ref != 1.0 or cfg.amin != 1e-10:
        return "pre-emphasis or a dB step other than librosa.feature.mfcc's is not a library call"
    if trainer == "torchaudio" and cfg.window not in TORCH_WINDOWS:
        return f"window={cfg.window!r} has no torch window function"
    return None


def ported_server(trainer: str, cfg: MFCCConfig) -> tuple[str, Callable[[np.ndarray], torch.Tensor]]:
    """(the other library's name, features fn) for a model trained on `trainer`'s features with `cfg`: the
    port of trainer's call, run clip by clip on float32 waveforms (N, T) fixed to cfg.sample_size.
    ValueError (one line) where `why_not_portable` says so."""
    from features import port

    reason = why_not_portable(trainer, cfg)
    if reason:
        raise ValueError(f"no ported row: {reason}")
    size = cfg.sample_size

    if trainer == "librosa":
        module = port.librosa_to_torchaudio(**get("librosa").library_kwargs(cfg)).module

        def features(waves: np.ndarray) -> torch.Tensor:
            with torch.no_grad():
                return module(torch.from_numpy(fix_length(np.asarray(waves, np.float32), size)))
    else:
        fn = port.torchaudio_to_librosa(**get("torchaudio").library_kwargs(cfg)).fn

        def features(waves: np.ndarray) -> torch.Tensor:
            waves = fix_length(np.asarray(waves, np.float32), size)
            return torch.from_numpy(np.stack([fn(w) for w in waves]).astype(np.float32))
    return PORTABLE[trainer], features
