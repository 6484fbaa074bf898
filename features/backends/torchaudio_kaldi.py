"""The torchaudio Kaldi backend: torchaudio.compliance.kaldi.mfcc, Kaldi's MFCC in torch on any device.
It takes one clip at a time (and rebuilds its mel banks on every call), so a batch is a loop over
clips. The config mapping and refusals are in kaldi_options.py, shared with the kaldi backend.
"""
from __future__ import annotations

import torch

from .kaldi_options import KaldiDefinition


class TorchaudioKaldiMFCC(KaldiDefinition):
    """Kaldi's MFCC with torchaudio.compliance.kaldi.mfcc, on the CPU or CUDA.

    Args:
        cfg (MFCCConfig): as for the kaldi backend (see kaldi_options.py); `MFCCConfig.preset(
            "kaldi_defaults")` is Kaldi's defaults at 16 kHz. Refused fields raise ValueError here.
        device (str | torch.device, "cpu"): where the work runs.

    Calling: (T,) or (B, T) NumPy array or tensor at `cfg.sample_rate` -> torch.Tensor float32 on
    `device`, (n_mfcc, n_frames) or (B, n_mfcc, n_frames) with n_frames = 1 + (T - win_length) //
    hop_length (Kaldi's snip_edges count, not `cfg.n_frames`).
    """

    name = "torchaudio_kaldi"
    per_clip = True   # one clip at a time: timed at fewer grid points
    uses_torch_threads = True
    differentiable = True
    batch_independent = True   # one clip at a time
    torch_pin = "exact"
    devices = ("cpu", "cuda")
    library = "torchaudio"
    distribution = "torchaudio"
    description = "torchaudio.compliance.kaldi.mfcc, Kaldi's MFCC definition (torch, per clip)"

    def __init__(self, cfg, device="cpu"):
        super().__init__(cfg, device)
        self.options = self.kaldi_options(cfg)

    def forward(self, waveform) -> torch.Tensor:
        from torchaudio.compliance.kaldi import mfcc

        x = self.waveform_tensor(waveform)          # float32 (required), pre-emphasis left to Kaldi
        self.frames_of(x.shape[-1])
        clips = x.reshape(-1, x.shape[-1])
        out = torch.stack([mfcc(clip[None], **self.options) for clip in clips]).transpose(-1, -2)
        return out.reshape(x.shape[:-1] + out.shape[-2:])                      # (..., n_mfcc, frames)

    @classmethod
    def direct_call(cls, cfg, device="cpu"):
        from torchaudio.compliance.kaldi import mfcc

        options = cls.kaldi_options(cfg)
        return lambda x: [mfcc(clip[None], **options) for clip in torch.as_tensor(x, device=device)]
