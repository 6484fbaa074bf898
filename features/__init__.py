"""One MFCC interface over a registry of backends (features.backends): librosa (CPU, NumPy) is the
reference; torchaudio and the other registered backends run on the devices they declare.

    from features import MFCCConfig, create_extractor, load_audio, fix_length, backend_names
    cfg = MFCCConfig.preset("matched", sample_rate=16000)
    ext = create_extractor("torchaudio", cfg, device="cuda")   # any name in backend_names()
    feats = ext(batch)   # (B, T) float array at cfg.sample_rate -> torch.Tensor (B, n_mfcc, n_frames)
"""
from __future__ import annotations

from .stack import check_torch_pair

check_torch_pair()   # before any backend imports torchaudio: a mismatched pair fails here, in one line

from .backends import create_extractor  # noqa: E402 (after the pair check)
from .backends import names as backend_names
from .config import PRESETS, MFCCConfig
from .devices import resolve_device
from .frontend import AudioLoadError, fix_length, load_audio, resample

__all__ = ["AudioLoadError", "MFCCConfig", "PRESETS", "backend_names", "create_extractor", "fix_length",
           "load_audio", "resample", "resolve_device"]
