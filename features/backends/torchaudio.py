"""The torchaudio backend: an nn.Module whose matrices are buffers, on any torch device.

Built from torchaudio's own pieces (functional.spectrogram, melscale_fbanks, create_dct,
amplitude_to_DB, preemphasis), with the dB floor per `top_db_scope` and librosa's lifter added.
"""
from __future__ import annotations

import contextlib
import math
from typing import Callable

import torch
import torchaudio.functional as F

from ..db import power_to_db_torch
from .base import Backend

# MFCCConfig.window -> the torch window function (called as fn(n) by torchaudio's transforms, fn(n, dtype=)
# here): the one window table of the torch-based backends, their direct calls and the "ported" rows
WINDOWS: dict[str, Callable[..., torch.Tensor]] = {
    "hann": torch.hann_window,
    "hamming": torch.hamming_window,
    "blackman": torch.blackman_window,
    "boxcar": torch.ones,
}


def povey_window(n: int, dtype: torch.dtype) -> torch.Tensor:
    """Kaldi's window: a symmetric hann raised to 0.85 (only `librosa_torch` honours it; torchaudio's backend refuses it)."""
    return torch.hann_window(n, periodic=False, dtype=dtype) ** 0.85
# what torch-based backends cannot honour: torchaudio's DCT is type II only, and its mel grid ends at
# sample_rate // 2, which is not the Nyquist frequency for odd rates
TORCH_REQUIRES = {
    "dct_type": (lambda v: v == 2, "torchaudio.functional.create_dct computes DCT-II only; use dct_type=2 "
                                   "or the librosa backend"),
    "sample_rate": (lambda v: v % 2 == 0, "torchaudio.functional.melscale_fbanks places its frequency grid "
                                          "up to sample_rate // 2, which differs from the true Nyquist for "
                                          "odd rates; resample to an even rate"),
    "window": (lambda v: v != "povey", "Kaldi's povey window is not among torch's windows; use a Kaldi backend"),
}


@contextlib.contextmanager
def default_dtype(dtype: torch.dtype):
    """torchaudio builds its filter and DCT matrices in the default dtype; float64 needs them in float64."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def matched_matrices(cfg) -> dict:
    """window (win_length,), mel_fb (n_fft//2+1, n_mels), dct (n_mels, n_mfcc) and lifter (n_mfcc, 1),
    in cfg.dtype, built with torchaudio's functions exactly as the torchaudio backend uses them."""
    dtype = {"float32": torch.float32, "float64": torch.float64}[cfg.dtype]
    with default_dtype(dtype):
        window = (povey_window if cfg.window == "povey" else WINDOWS[cfg.window])(cfg.effective_win_length, dtype=dtype)
        mel_fb = F.melscale_fbanks(cfg.n_fft // 2 + 1, f_min=float(cfg.fmin), f_max=cfg.effective_fmax,
                                   n_mels=cfg.n_mels, sample_rate=cfg.sample_rate,
                                   norm=cfg.mel_norm, mel_scale=cfg.mel_scale)
        dct = F.create_dct(cfg.n_mfcc, cfg.n_mels, norm=cfg.dct_norm)
        if cfg.lifter > 0:  # librosa's sinusoidal lifter: 1 + (L/2) sin(pi k / L), k = 1..n_mfcc
            k = torch.arange(1, cfg.n_mfcc + 1, dtype=dtype)
            lifter = 1 + (cfg.lifter / 2) * torch.sin(math.pi * k / cfg.lifter)
        else:
            lifter = torch.ones(cfg.n_mfcc, dtype=dtype)
    return dict(window=window, mel_fb=mel_fb, dct=dct, lifter=lifter.unsqueeze(-1))


class TorchaudioMFCC(Backend, torch.nn.Module):
    """MFCCs with torchaudio on any torch device.

    Args:
        cfg (MFCCConfig): every parameter. `dct_type` must be 2 (torchaudio's create_dct is DCT-II
            only) and `sample_rate` even (melscale_fbanks spaces its grid up to sample_rate // 2);
            anything else raises ValueError here.
        device (str | torch.device, "cpu"): where the buffers live and the work runs.

    Buffers: window (win_length,), mel_fb (n_fft//2+1, n_mels), dct (n_mels, n_mfcc), lifter (n_mfcc, 1).

    Calling: (T,) or (B, T) NumPy array or tensor at `cfg.sample_rate` -> torch.Tensor
    (n_mfcc, n_frames) or (B, n_mfcc, n_frames), `cfg.dtype`, on `device`.
    """

    name = "torchaudio"
    devices = ("cpu", "cuda")
    library = "torchaudio"
    distribution = "torchaudio"
    defaults_preset = "torchaudio_defaults"
    requires = TORCH_REQUIRES
    full_grid = True
    uses_torch_threads = True
    differentiable = True
    exports = ("TorchScript",)
    torch_pin = "exact"
    description = "torchaudio.functional.spectrogram + melscale_fbanks + amplitude_to_DB + create_dct (torch)"

    def __init__(self, cfg, device="cpu"):
        torch.nn.Module.__init__(self)
        Backend.__init__(self, cfg, device)
        for name, matrix in matched_matrices(cfg).items():
            self.register_buffer(name, matrix)
        self.to(self.device)

    __call__ = Backend.__call__

    def stages(self, *, repeatable=False):
        """torchaudio.functional.spectrogram as its two steps (itself with power=None, the complex
        STFT; then its own abs().pow(power)), the mel product, the dB step, the DCT product and
        librosa's lifter: what torchaudio.transforms.MFCC chains, with the floor per top_db_scope.
        No step writes into its input, so `repeatable` changes nothing here."""
        cfg = self.cfg

        def stft(x):
            return F.spectrogram(x, pad=0, window=self.window, n_fft=cfg.n_fft, hop_length=cfg.hop_length,
                                 win_length=cfg.effective_win_length, power=None, normalized=False,
                                 center=cfg.center, pad_mode=cfg.pad_mode)            # (B, freq, frames) complex

        stages = [
            ("h2d" if self.device.type == "cuda" else "other", self.waveform_tensor),
            ("stft", stft),
            ("power", lambda spec: spec.abs() if cfg.power == 1.0 else spec.abs().pow(cfg.power)),
            ("mel", lambda spec: torch.matmul(spec.transpose(-1, -2), self.mel_fb).transpose(-1, -2)),
            ("db", lambda mel: power_to_db_torch(mel, ref=cfg.ref, amin=cfg.amin, top_db=cfg.top_db,
                                                 scope=cfg.top_db_scope)),
            ("dct", lambda db: torch.matmul(db.transpose(-1, -2), self.dct).transpose(-1, -2)),
        ]
        return stages + [("lifter", lambda mfcc: mfcc * self.lifter)] if cfg.lifter > 0 else stages

    @classmethod
    def library_kwargs(cls, cfg) -> dict:
        """The arguments of `torchaudio.transforms.MFCC` that compute `cfg`. f_max is sample_rate / 2 where
        cfg.fmax is None (torchaudio's own default, sample_rate // 2, differs at odd rates)."""
        return dict(sample_rate=cfg.sample_rate, n_mfcc=cfg.n_mfcc, dct_type=cfg.dct_type, norm=cfg.dct_norm,
                    log_mels=False,
                    melkwargs=dict(n_fft=cfg.n_fft, win_length=cfg.effective_win_length, hop_length=cfg.hop_length,
                                   f_min=cfg.fmin, f_max=cfg.effective_fmax, n_mels=cfg.n_mels,
                                   window_fn=WINDOWS[cfg.window], power=cfg.power, center=cfg.center,
                                   pad_mode=cfg.pad_mode, norm=cfg.mel_norm, mel_scale=cfg.mel_scale))

    @classmethod
    def direct_call(cls, cfg, device="cpu"):
        import torchaudio

        module = torchaudio.transforms.MFCC(**cls.library_kwargs(cfg)).to(device)
        return lambda x: module(torch.as_tensor(x, device=device))

    def extra_repr(self) -> str:
        return f"cfg={self.cfg.hash()}, device='{self.device}'"

    __repr__ = torch.nn.Module.__repr__
