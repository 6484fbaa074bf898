"""One MFCC interface, two backends: librosa (CPU, NumPy) and torchaudio (CPU or CUDA).

    from features import MFCCConfig, create_extractor, load_audio, fix_length
    cfg = MFCCConfig.preset("matched", sample_rate=16000)
    ext = create_extractor("torchaudio", cfg, device="cuda")   # or "librosa", device="cpu"
    feats = ext(batch)   # (B, T) float array at cfg.sample_rate -> torch.Tensor (B, n_mfcc, n_frames)
"""
from __future__ import annotations

from .config import PRESETS, MFCCConfig
from .frontend import AudioLoadError, fix_length, load_audio, resample

BACKENDS = ("librosa", "torchaudio")


def create_extractor(backend: str, cfg: MFCCConfig, device="cpu"):
    """An MFCC extractor for `backend` ("librosa" or "torchaudio") configured by `cfg` on `device`.

    The result is callable: (T,) or (B, T) waveform -> torch.Tensor (…, n_mfcc, n_frames) of
    `cfg.dtype` on `device`. librosa runs on the CPU only; torchaudio on any torch device, and asking
    for CUDA where there is none raises RuntimeError.
    """
    if backend == "librosa":
        from .librosa_backend import LibrosaMFCC

        return LibrosaMFCC(cfg, device=device)
    if backend == "torchaudio":
        from .torchaudio_backend import TorchaudioMFCC

        return TorchaudioMFCC(cfg, device=device)
    raise ValueError(f"backend={backend!r}: must be one of {BACKENDS}")


__all__ = ["AudioLoadError", "BACKENDS", "MFCCConfig", "PRESETS", "create_extractor", "fix_length",
           "load_audio", "resample"]
