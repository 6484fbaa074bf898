"""The librosa backend: librosa (NumPy, CPU) does every step, the dB floor is per `top_db_scope`.

A batch (B, T) goes through one vectorised librosa call per step; no Python loop over clips.
"""
from __future__ import annotations

import numpy as np
import torch

from .config import MFCCConfig
from .db import power_to_db_numpy
from .frontend import fix_length, preemphasis_numpy

NP_DTYPES = {"float32": np.float32, "float64": np.float64}


class LibrosaMFCC:
    """MFCCs with librosa on the CPU.

    Args:
        cfg (MFCCConfig): every parameter; all fields are honoured.
        device (str | torch.device, "cpu"): must be the CPU; librosa runs on NumPy.

    Call with a waveform (T,) or batch (B, T) at `cfg.sample_rate` (NumPy array or CPU tensor);
    returns a torch.Tensor (n_mfcc, n_frames) or (B, n_mfcc, n_frames) of `cfg.dtype` on the CPU.
    `compute_numpy` returns the same values as a NumPy array.
    """

    backend = "librosa"

    def __init__(self, cfg: MFCCConfig, device="cpu"):
        if not isinstance(cfg, MFCCConfig):
            raise TypeError(f"cfg: expected MFCCConfig, got {type(cfg).__name__}")
        if torch.device(device).type != "cpu":
            raise ValueError(f"device={str(device)!r}: the librosa backend runs on the CPU only; "
                             "use the torchaudio backend for other devices")
        self.cfg = cfg
        self.device = torch.device("cpu")
        self.dtype = NP_DTYPES[cfg.dtype]

    def compute_numpy(self, batch) -> np.ndarray:
        """MFCCs of `batch` (..., T) as a NumPy array (..., n_mfcc, n_frames)."""
        import librosa

        cfg = self.cfg
        y = batch.detach().cpu().numpy() if isinstance(batch, torch.Tensor) else np.asarray(batch)
        y = np.ascontiguousarray(y, dtype=self.dtype)
        if cfg.sample_size is not None:
            y = fix_length(y, cfg.sample_size)
        if cfg.preemphasis is not None:
            y = preemphasis_numpy(y, cfg.preemphasis)
        mel = librosa.feature.melspectrogram(
            y=y, sr=cfg.sample_rate, n_fft=cfg.n_fft, hop_length=cfg.hop_length,
            win_length=cfg.effective_win_length, window=cfg.window, center=cfg.center,
            pad_mode=cfg.pad_mode, power=cfg.power, n_mels=cfg.n_mels, fmin=cfg.fmin,
            fmax=cfg.effective_fmax, htk=cfg.mel_scale == "htk", norm=cfg.mel_norm, dtype=self.dtype,
        )
        db = power_to_db_numpy(mel, ref=cfg.ref, amin=cfg.amin, top_db=cfg.top_db, scope=cfg.top_db_scope)
        mfcc = librosa.feature.mfcc(S=db, n_mfcc=cfg.n_mfcc, dct_type=cfg.dct_type, norm=cfg.dct_norm,
                                    lifter=cfg.lifter)
        return mfcc.astype(self.dtype, copy=False)

    def __call__(self, batch) -> torch.Tensor:
        return torch.from_numpy(self.compute_numpy(batch))

    def __repr__(self) -> str:
        return f"LibrosaMFCC(cfg={self.cfg.hash()}, device='cpu')"
