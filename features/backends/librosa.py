"""The librosa backend: librosa (NumPy, CPU) does every step, the dB floor is per `top_db_scope`.

A batch (B, T) goes through one vectorised librosa call per step; no Python loop over clips.
"""
from __future__ import annotations

import numpy as np
import torch

from ..db import power_to_db_numpy
from .base import Backend


class LibrosaMFCC(Backend):
    """MFCCs with librosa on the CPU; every MFCCConfig field is honoured.

    Args:
        cfg (MFCCConfig): every parameter.
        device (str | torch.device, "cpu"): must be the CPU; librosa runs on NumPy.

    Call with a waveform (T,) or batch (B, T) at `cfg.sample_rate` (NumPy array or CPU tensor);
    returns a torch.Tensor (n_mfcc, n_frames) or (B, n_mfcc, n_frames) of `cfg.dtype` on the CPU.
    """

    name = "librosa"
    devices = ("cpu",)
    library = "librosa"
    distribution = "librosa"
    defaults_preset = "librosa_defaults"
    full_grid = True
    requires = {"window": (lambda v: v != "povey", "povey is Kaldi's window, not scipy's; use a Kaldi backend")}
    description = "librosa.feature.melspectrogram + power_to_db + mfcc (NumPy/SciPy, CPU)"

    def stages(self, *, repeatable=False):
        """librosa.feature.mfcc (with melspectrogram and power_to_db) as the steps it takes: librosa.stft,
        np.abs(S) ** power, the mel basis (built per call, as melspectrogram does) and its einsum, the
        dB step with the floor per top_db_scope, the DCT librosa's mfcc uses and its lifter (librosa multiplies
        in place; here into a new array, so no step writes into its input and `repeatable` changes
        nothing). The last step returns a tensor."""
        import librosa
        import scipy.fft

        cfg = self.cfg
        # the DCT librosa.feature.mfcc uses: librosa 0.11's fftlib (scipy.fft unless set_fftlib chose another),
        # scipy.fft in librosa 1.0, which removed get_fftlib (the version matrix found the AttributeError)
        fftlib = librosa.get_fftlib() if hasattr(librosa, "get_fftlib") else scipy.fft

        def mel(S):
            basis = librosa.filters.mel(sr=cfg.sample_rate, n_fft=cfg.n_fft, n_mels=cfg.n_mels, fmin=cfg.fmin,
                                        fmax=cfg.effective_fmax, htk=cfg.mel_scale == "htk", norm=cfg.mel_norm,
                                        dtype=self.np_dtype)
            return np.einsum("...ft,mf->...mt", S, basis, optimize=True)

        def dct(db):
            M = fftlib.dct(db, axis=-2, type=cfg.dct_type, norm=cfg.dct_norm)[..., :cfg.n_mfcc, :]
            return M if cfg.lifter > 0 else torch.from_numpy(M.astype(self.np_dtype, copy=False))

        def lifter(M):
            LI = np.sin(np.pi * np.arange(1, 1 + cfg.n_mfcc, dtype=M.dtype) / cfg.lifter)[:, None]
            return torch.from_numpy((M * (1 + (cfg.lifter / 2) * LI)).astype(self.np_dtype, copy=False))

        stages = [
            ("other", self.waveform_array),
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
    def library_kwargs(cls, cfg) -> dict:
        """The keywords of `librosa.feature.mfcc` (all but `y`) that compute `cfg`."""
        return dict(sr=cfg.sample_rate, n_mfcc=cfg.n_mfcc, dct_type=cfg.dct_type, norm=cfg.dct_norm,
                    lifter=cfg.lifter, mel_norm=cfg.mel_norm, n_fft=cfg.n_fft, hop_length=cfg.hop_length,
                    win_length=cfg.effective_win_length, window=cfg.window, center=cfg.center,
                    pad_mode=cfg.pad_mode, power=cfg.power, n_mels=cfg.n_mels, fmin=cfg.fmin,
                    fmax=cfg.effective_fmax, htk=cfg.mel_scale == "htk")

    @classmethod
    def direct_call(cls, cfg, device="cpu"):
        import librosa

        kwargs = cls.library_kwargs(cfg)

        def call(x):
            return librosa.feature.mfcc(y=x, **kwargs)
        return call
