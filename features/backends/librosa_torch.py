"""The librosa_torch backend: librosa's MFCC numbers computed in torch (CPU or CUDA), with the cheapest
correct torch ops. (Called `fast` until the name said how it performs instead of what it computes;
the old name still works for one release, features.backends.RENAMED.)

The same matrices as the torchaudio backend (`matched_matrices`) and the same dB step (features/db.py);
what differs is how the work is laid out:

- power as re^2 + im^2 on the real view of `torch.stft`'s output, squared in place, not
  `abs().pow(2)` (which takes a square root and squares it again, through complex kernels);
- `torch.stft` returns (B, freq, frames) as a transposed view of (B, frames, freq) memory, so the
  power and the mel product work on that layout with no transpose copy: one (B*frames, freq) @
  (freq, n_mels) product;
- on the CPU the clips go through STFT, power and mel product a chunk at a time, so a chunk's
  intermediates (about `chunk_bytes`) stay in cache; the dB step and the DCT then run once over the
  small (B, frames, n_mels) array (the floor per clip or per batch, as `top_db_scope` says);
- the DCT and librosa's lifter are one (n_mels, n_mfcc) matrix.
No torch.compile (not tried): the time is in library kernels a compiler would not fuse (the FFT, the
GEMM), and compiling would add seconds to the cold start.
"""
from __future__ import annotations

from typing import ClassVar

import torch

from ..db import power_to_db_torch
from .base import Backend, Chunks
from .torchaudio import TORCH_REQUIRES, matched_matrices


class LibrosaTorchMFCC(Backend, torch.nn.Module):
    """librosa's MFCC numbers computed in torch: plain torch ops, on any torch device.

    Args:
        cfg (MFCCConfig): every parameter; refuses what torchaudio's functions cannot build (`dct_type`
            must be 2, `sample_rate` even), with a ValueError naming the field. Unlike the torchaudio
            backend it honours `window="povey"` (Kaldi's symmetric hann ** 0.85) with librosa's framing,
            so one Kaldi setting at a time can be tried in librosa's definition (bench/measurements/support/study_settings.py).
        device (str | torch.device, "cpu"): where the buffers live and the work runs.

    Attributes:
        chunk_bytes (int): on the CPU, the working set (framed input, complex spectrum, squares) of
            one chunk of clips per torch thread, in bytes; the batch is cut into chunks of
            max(1, chunk_bytes * threads // bytes per clip) clips. Chosen by measurement (2-core EPYC,
            1 and 2 threads, 1 s clips, interleaved runs: 4 to 16 clips per thread within about 10% of
            each other; whole batches of 64 and 256 1.2-2x and 3-4x slower). Ignored on CUDA, where
            the whole batch goes at once. Set it on an instance to try another value.
            Each chunk is a few parallel ops: on a machine whose cores are oversubscribed, every
            parallel op can wait a scheduler time slice for its other thread, so many chunks cost
            more there than their arithmetic; use one torch thread on such a machine.

    Buffers: window (win_length,), mel_fb (n_fft//2+1, n_mels), cepstrum (n_mels, n_mfcc): the DCT
    with the lifter folded in.

    Calling: (T,) or (B, T) NumPy array or tensor at `cfg.sample_rate` -> torch.Tensor
    (n_mfcc, n_frames) or (B, n_mfcc, n_frames), `cfg.dtype`, on `device`. Inference only: the
    in-place square and the chunks written into one array with `out=` are not differentiable.
    """

    name = "librosa_torch"
    devices = ("cpu", "cuda")
    library = "torch"
    distribution = "torch"
    defaults_preset = None
    uses_torch_threads = True
    differentiable = False     # its mel and DCT products write into out= buffers, which autograd refuses
    batch_independent = True   # the floor per clip where top_db_scope="clip"
    standalone = False         # this project's own path
    torch_pin = "any"
    # Kaldi's povey window is a tensor like any other here (its window sits centred in the n_fft frame, where
    # Kaldi puts it at the frame's start: a circular shift, so |STFT| is the same for the same samples)
    requires = {field: rule for field, rule in TORCH_REQUIRES.items() if field != "window"}
    description = ("torch.stft + re^2+im^2 + one mel GEMM on the STFT's own layout, in cache-sized chunks, "
                   "+ per-clip dB + DCT with lifter folded (torch, our own)")
    chunk_bytes: ClassVar[int] = 5 * 2 ** 20

    def __init__(self, cfg, device="cpu"):
        torch.nn.Module.__init__(self)
        Backend.__init__(self, cfg, device)
        m = matched_matrices(cfg)
        self.register_buffer("window", m["window"])
        self.register_buffer("mel_fb", m["mel_fb"])
        self.register_buffer("cepstrum", m["dct"] * m["lifter"].T)
        self.to(self.device)

    # ------------------------------------------------------------------ the steps
    def stft(self, x: torch.Tensor) -> torch.Tensor:
        """Complex STFT (B, freq, frames) of (B, T); its memory is (B, frames, freq)."""
        cfg = self.cfg
        return torch.stft(x, n_fft=cfg.n_fft, hop_length=cfg.hop_length, win_length=cfg.effective_win_length,
                          window=self.window, center=cfg.center, pad_mode=cfg.pad_mode, normalized=False,
                          onesided=True, return_complex=True)

    def power(self, spec: torch.Tensor, *, in_place: bool = True) -> torch.Tensor:
        """(B, frames, freq) power re^2 + im^2 (its square root for power 1) of a spectrum from `stft`.

        Read through the real view in the (B, frames, freq) memory order: no transpose copy, no
        complex kernel, no reduction over the (re, im) axis (a slow one on the CPU). `in_place`
        squares the spectrum's own memory first (the forward's choice: measured fastest, ahead of
        re.square() + im.square() and of squaring the pairs for a (2*freq, n_mels) bank)."""
        pairs = torch.view_as_real(spec.mT)                             # (B, frames, freq, 2)
        squares = pairs.square_() if in_place else pairs.square()
        power = squares[..., 0] + squares[..., 1]
        return power.sqrt_() if self.cfg.power == 1.0 else power

    def mel(self, power: torch.Tensor, out=None) -> torch.Tensor:
        """(B, frames, n_mels): `power` times the filter bank, one (B*frames, freq) @ (freq, n_mels) GEMM."""
        return torch.matmul(power, self.mel_fb, out=out)

    def db(self, mel: torch.Tensor) -> torch.Tensor:
        """dB of (B, frames, n_mels), floored per `top_db_scope` (features/db.py: the floor's maximum
        over the last two axes is the same whichever way round they are)."""
        cfg = self.cfg
        return power_to_db_torch(mel, ref=cfg.ref, amin=cfg.amin, top_db=cfg.top_db, scope=cfg.top_db_scope)

    def dct(self, db: torch.Tensor) -> torch.Tensor:
        """(B, n_mfcc, frames): DCT and lifter of (B, frames, n_mels) in one product."""
        return torch.matmul(db, self.cepstrum).mT

    def bytes_per_clip(self, x: torch.Tensor) -> int:
        """The CPU working set of one clip of (B, T) input: framed input, complex spectrum, squares."""
        cfg = self.cfg
        return cfg.n_frames(x.shape[-1]) * (cfg.n_fft + 4 * (cfg.n_fft // 2 + 1)) * x.element_size()

    def chunk_clips(self, x: torch.Tensor) -> int:
        """Clips per chunk for (B, T) input: the whole batch on CUDA; on the CPU what fits `chunk_bytes`
        per torch thread (the ops split a chunk between the threads)."""
        if self.device.type != "cpu":
            return x.shape[0]
        return max(1, self.chunk_bytes * torch.get_num_threads() // self.bytes_per_clip(x))

    def chunks(self, waveform) -> Chunks:
        """A checked (B, T) waveform as a tensor on the device in cfg.dtype, cut or padded, pre-emphasised
        (`waveform_tensor`), and cut into chunks of `chunk_clips` clips."""
        x = self.waveform_tensor(waveform)
        return Chunks(x.shape[0], x.split(self.chunk_clips(x)))

    def mel_into_one(self, powers: Chunks) -> torch.Tensor:
        """(B, frames, n_mels): the mel products of chunk powers (consumed one part at a time), written
        into one array."""
        out, start = None, 0
        for power in powers.parts:
            if out is None:
                out = power.new_empty(powers.n_clips, power.shape[1], self.cfg.n_mels)
            self.mel(power, out=out[start:start + power.shape[0]])
            start += power.shape[0]
        return out

    # ------------------------------------------------------------------ the call
    __call__ = Backend.__call__

    def stages(self, *, repeatable=False):
        """Prepare and chunk, then STFT, power and mel product a chunk at a time (the chunks handed on
        lazily, so in `forward` one chunk's intermediates stay in cache from STFT to mel), then the dB
        step and the DCT with the lifter folded in, over the whole (B, frames, n_mels) array.
        `repeatable=True` squares a copy of the spectrum in the power step instead of its own memory
        (same numbers). Timed stage by stage (`stage_pipeline`), a chunk's intermediates no longer stay
        in cache between steps, so the sum of the stages exceeds the whole call."""
        return [
            ("h2d" if self.device.type == "cuda" else "other", self.chunks),
            ("stft", lambda chunks: chunks.map(self.stft)),
            ("power", lambda specs: specs.map(lambda spec: self.power(spec, in_place=not repeatable))),
            ("mel", self.mel_into_one),
            ("db", self.db),
            ("dct", self.dct),
        ]

    @classmethod
    def direct_call(cls, cfg, device="cpu"):
        """No library is wrapped: the direct call is this backend's own forward, without the input check."""
        return cls(cfg, device=device).forward

    def extra_repr(self) -> str:
        return f"cfg={self.cfg.hash()}, device='{self.device}', chunk_bytes={self.chunk_bytes}"

    __repr__ = torch.nn.Module.__repr__
