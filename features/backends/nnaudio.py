"""The nnAudio backend: nnAudio's MelSpectrogram (its STFT is a 1-D convolution with Fourier kernels)
for the spectrum, then the project's dB step with the floor per `top_db_scope`, and the DCT and lifter
the torchaudio backend uses. An nn.Module whose kernels and matrices are buffers, on any torch device.

nnAudio's own MFCC floors each clip alone too, but always uses the orthonormal DCT and cannot take a mel
filter norm (its `norm` argument is the DCT's, and ignored); building from MelSpectrogram honours both.
"""
from __future__ import annotations

import torch

from ..db import power_to_db_torch
from .base import Backend
from .torchaudio import matched_matrices

# nnAudio's windows come from scipy.signal.get_window (periodic, as librosa's); the DCT is torchaudio's
NNAUDIO_REQUIRES = {
    "dct_type": (lambda v: v == 2, "the DCT here is torchaudio's create_dct, DCT-II only (nnAudio's own MFCC "
                                   "is DCT-II only too); use dct_type=2 or the librosa backend"),
    "window": (lambda v: v != "povey", "povey is Kaldi's window, not scipy's; use a Kaldi backend"),
}


def _melspectrogram_kwargs(cfg) -> dict:
    """nnAudio.features.MelSpectrogram's arguments for `cfg` (its mel `norm` is 1 for Slaney, else None)."""
    return dict(sr=cfg.sample_rate, n_fft=cfg.n_fft, win_length=cfg.effective_win_length, n_mels=cfg.n_mels,
                hop_length=cfg.hop_length, window=cfg.window, center=cfg.center, pad_mode=cfg.pad_mode,
                power=cfg.power, htk=cfg.mel_scale == "htk", fmin=cfg.fmin, fmax=cfg.effective_fmax,
                norm=1 if cfg.mel_norm == "slaney" else None, verbose=False)


class NnAudioMFCC(Backend, torch.nn.Module):
    """MFCCs with nnAudio's convolutional STFT and mel filter bank, on any torch device.

    Args:
        cfg (MFCCConfig): every parameter. `dct_type` must be 2 and `window` not "povey"; anything else
            raises ValueError here. dtype="float64" computes in float64, but nnAudio builds its
            Fourier kernels and window in float32 (create_fourier_kernels), cast up here: agreement
            with librosa then stops near 1e-8 relative (7e-7 with power=1), not at float64 rounding.
        device (str | torch.device, "cpu"): where the buffers live and the work runs.

    Buffers: melspec.stft.wsin / wcos (n_fft//2+1, 1, n_fft), melspec.stft.window_mask,
    melspec.mel_basis (n_mels, n_fft//2+1), dct (n_mels, n_mfcc), lifter (n_mfcc, 1).

    Calling: (T,) or (B, T) NumPy array or tensor at `cfg.sample_rate` -> torch.Tensor
    (n_mfcc, n_frames) or (B, n_mfcc, n_frames), `cfg.dtype`, on `device`.
    """

    name = "nnaudio"
    devices = ("cpu", "cuda")
    library = "nnAudio"
    distribution = "nnAudio"
    defaults_preset = "nnaudio_defaults"
    requires = NNAUDIO_REQUIRES
    uses_torch_threads = True
    differentiable = True
    torch_pin = "any"
    description = "nnAudio.features.MelSpectrogram (conv1d STFT) + power_to_db + DCT (torch)"

    def __init__(self, cfg, device="cpu"):
        from nnAudio.features import MelSpectrogram

        torch.nn.Module.__init__(self)
        Backend.__init__(self, cfg, device)
        self.melspec = MelSpectrogram(**_melspectrogram_kwargs(cfg))
        matrices = matched_matrices(cfg)
        self.register_buffer("dct", matrices["dct"])
        self.register_buffer("lifter", matrices["lifter"])
        self.to(device=self.device, dtype=self.torch_dtype)

    __call__ = Backend.__call__

    def stages(self, *, repeatable=False):
        """nnAudio's MelSpectrogram.forward as its steps (the conv1d STFT to magnitude, ** power, the mel
        product), then the dB step, the DCT product and librosa's lifter. No step writes into its input,
        so `repeatable` changes nothing here."""
        cfg, melspec = self.cfg, self.melspec

        def prepare(x):
            x = self.waveform_tensor(x)
            if cfg.center and cfg.pad_mode == "reflect" and x.shape[-1] <= cfg.n_fft // 2:
                raise ValueError(f"waveform of {x.shape[-1]} samples: pad_mode='reflect' needs more than "
                                 f"n_fft // 2 = {cfg.n_fft // 2} (nnAudio backend)")
            return x

        stages = [
            ("h2d" if self.device.type == "cuda" else "other", prepare),
            ("stft", lambda x: melspec.stft(x, output_format="Magnitude")),          # (B, freq, frames)
            ("power", lambda mag: mag ** melspec.power),
            ("mel", lambda spec: torch.matmul(melspec.mel_basis, spec)),             # (B, n_mels, frames)
            ("db", lambda mel: power_to_db_torch(mel, ref=cfg.ref, amin=cfg.amin, top_db=cfg.top_db,
                                                 scope=cfg.top_db_scope)),
            ("dct", lambda db: torch.matmul(db.transpose(-1, -2), self.dct).transpose(-1, -2)),
        ]
        return stages + [("lifter", lambda mfcc: mfcc * self.lifter)] if cfg.lifter > 0 else stages

    @classmethod
    def direct_call(cls, cfg, device="cpu"):
        from nnAudio.features import MFCC

        kwargs = _melspectrogram_kwargs(cfg)
        del kwargs["norm"]            # MFCC's `norm` is the DCT's; its mel filters keep Slaney norm
        module = MFCC(n_mfcc=cfg.n_mfcc, norm=cfg.dct_norm, ref=cfg.ref, amin=cfg.amin, top_db=cfg.top_db,
                      **kwargs).to(device)
        return lambda x: module(torch.as_tensor(x, device=device))

    def extra_repr(self) -> str:
        return f"cfg={self.cfg.hash()}, device='{self.device}'"

    __repr__ = torch.nn.Module.__repr__
