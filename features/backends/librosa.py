"""The librosa backend: librosa (NumPy, CPU) does every step, the dB floor is per `top_db_scope`.

A batch (B, T) goes through one vectorised librosa call per step; no Python loop over clips.
"""
from __future__ import annotations

import numpy as np
import torch

from ..db import power_to_db_numpy
from ..frontend import fix_length, preemphasis_numpy
from .base import Backend, check_waveform


class LibrosaMFCC(Backend):
    """MFCCs with librosa on the CPU; every MFCCConfig field is honoured.

    Args:
        cfg (MFCCConfig): every parameter.
        device (str | torch.device, "cpu"): must be the CPU; librosa runs on NumPy.

    Call with a waveform (T,) or batch (B, T) at `cfg.sample_rate` (NumPy array or CPU tensor);
    returns a torch.Tensor (n_mfcc, n_frames) or (B, n_mfcc, n_frames) of `cfg.dtype` on the CPU.
    `compute_numpy` returns the same values as a NumPy array.
    """

    name = "librosa"
    devices = ("cpu",)
    library = "librosa"
    distribution = "librosa"
    defaults_preset = "librosa_defaults"
    full_grid = True
    requires = {"window": (lambda v: v != "povey", "povey is Kaldi's window, not scipy's; use a Kaldi backend")}
    description = "librosa.feature.melspectrogram + power_to_db + mfcc (NumPy/SciPy, CPU)"

    def compute_numpy(self, batch) -> np.ndarray:
        """MFCCs of `batch` (..., T) as a NumPy array (..., n_mfcc, n_frames)."""
        import librosa

        cfg = self.cfg
        y = batch.detach().cpu().numpy() if isinstance(batch, torch.Tensor) else np.asarray(batch)
        y = np.ascontiguousarray(y, dtype=self.np_dtype)
        if cfg.sample_size is not None:
            y = fix_length(y, cfg.sample_size)
        if cfg.preemphasis is not None:
            y = preemphasis_numpy(y, cfg.preemphasis)
        mel = librosa.feature.melspectrogram(
            y=y, sr=cfg.sample_rate, n_fft=cfg.n_fft, hop_length=cfg.hop_length,
            win_length=cfg.effective_win_length, window=cfg.window, center=cfg.center,
            pad_mode=cfg.pad_mode, power=cfg.power, n_mels=cfg.n_mels, fmin=cfg.fmin,
            fmax=cfg.effective_fmax, htk=cfg.mel_scale == "htk", norm=cfg.mel_norm, dtype=self.np_dtype,
        )
        db = power_to_db_numpy(mel, ref=cfg.ref, amin=cfg.amin, top_db=cfg.top_db, scope=cfg.top_db_scope)
        mfcc = librosa.feature.mfcc(S=db, n_mfcc=cfg.n_mfcc, dct_type=cfg.dct_type, norm=cfg.dct_norm,
                                    lifter=cfg.lifter)
        return mfcc.astype(self.np_dtype, copy=False)

    def forward(self, waveform) -> torch.Tensor:
        return torch.from_numpy(self.compute_numpy(waveform))

    def stage_pipeline(self):
        """`forward` of a (B, T) batch as timed stages (see Backend.stage_pipeline), with librosa's
        melspectrogram and mfcc opened into the steps they take: librosa.stft, np.abs(S)**power,
        the mel basis (built per call, as melspectrogram does) and its einsum, the dB step,
        librosa's fftlib DCT, and the lifter (librosa multiplies in place; here a copy, so the
        stage can be timed again on the same input)."""
        import librosa

        cfg = self.cfg

        def prepare(batch):
            batch = check_waveform(batch)
            y = batch.detach().cpu().numpy() if isinstance(batch, torch.Tensor) else np.asarray(batch)
            y = np.ascontiguousarray(y, dtype=self.np_dtype)
            y = fix_length(y, cfg.sample_size) if cfg.sample_size is not None else y
            return preemphasis_numpy(y, cfg.preemphasis) if cfg.preemphasis is not None else y

        def mel(S):
            basis = librosa.filters.mel(sr=cfg.sample_rate, n_fft=cfg.n_fft, n_mels=cfg.n_mels, fmin=cfg.fmin,
                                        fmax=cfg.effective_fmax, htk=cfg.mel_scale == "htk", norm=cfg.mel_norm,
                                        dtype=self.np_dtype)
            return np.einsum("...ft,mf->...mt", S, basis, optimize=True)

        def dct(db):
            M = librosa.get_fftlib().dct(db, axis=-2, type=cfg.dct_type, norm=cfg.dct_norm)[..., :cfg.n_mfcc, :]
            return M if cfg.lifter > 0 else torch.from_numpy(M.astype(self.np_dtype, copy=False))

        def lifter(M):
            LI = np.sin(np.pi * np.arange(1, 1 + cfg.n_mfcc, dtype=M.dtype) / cfg.lifter)[:, None]
            return torch.from_numpy((M * (1 + (cfg.lifter / 2) * LI)).astype(self.np_dtype, copy=False))

        stages = [
            ("other", prepare),
            ("stft", lambda y: librosa.stft(y, n_fft=cfg.n_fft, hop_length=cfg.hop_length,
                                            win_length=cfg.effective_win_length, window=cfg.window,
                                            center=cfg.center, pad_mode=cfg.pad_mode)),
            ("power", lambda D: np.abs(D) ** cfg.power),
            ("mel", mel),
            ("db", lambda S: power_to_db_numpy(S, ref=cfg.ref, amin=cfg.amin, top_db=cfg.top_db,
                                               scope=cfg.top_db_scope)),
            ("dct", dct),
        ]
        return stages + [("lifter", lifter)] if cfg.lifter > 0 else stages

    @classmethod
    def direct_call(cls, cfg, device="cpu"):
        import librosa

        def call(x):
            return librosa.feature.mfcc(
                y=x, sr=cfg.sample_rate, n_mfcc=cfg.n_mfcc, dct_type=cfg.dct_type, norm=cfg.dct_norm,
                lifter=cfg.lifter, mel_norm=cfg.mel_norm, n_fft=cfg.n_fft, hop_length=cfg.hop_length,
                win_length=cfg.effective_win_length, window=cfg.window, center=cfg.center,
                pad_mode=cfg.pad_mode, power=cfg.power, n_mels=cfg.n_mels, fmin=cfg.fmin,
                fmax=cfg.effective_fmax, htk=cfg.mel_scale == "htk")
        return call
