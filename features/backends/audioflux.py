"""The audioFlux backend: audioFlux's C library (ctypes, CPU) as a user who wants speed calls it, its
`MelSpectrogram` and `XXCC` objects built once at construction, then called on every batch.

audioFlux's MFCC is its own definition, not librosa's `matched` one. Against librosa, step by step
(audioFlux 0.1.9, read from its C source and checked in tests/features/test_audioflux.py):
- mel scale: HTK's formula, 2595*log10(1 + f/700), for every filter style (its "SLANEY" style names the
  triangle's shape, not Slaney's mel scale); librosa's `matched` uses Slaney's scale. No setting changes it.
- framing: no centring; frame t starts at t*hop (librosa's center=False). The FFT length is 2**radix2_exp
  and the window (periodic, as scipy's) spans all of it.
- filter norm: none (MelSpectrogram's default); its BAND_WIDTH norm is librosa's Slaney area norm.
- log: XXCC takes log10(max(S, 1e-8)): bels, one tenth of librosa's dB, floored at 1e-8 of the reference
  power with no top_db floor (librosa: 10*log10(max(S, 1e-10)), floored 80 dB below each clip's peak).
- DCT: orthonormal DCT-II, first n_mfcc coefficients, no lifter (as librosa's).

audioFlux's C library links its own MKL, threaded with LLVM's OpenMP (libomp). Where torch was imported
first (always, in this project), that MKL's OpenMP queries (omp_get_thread_num, ...) bind to torch's GNU
libgomp, every MKL thread believes it is thread 0 of 1, and the threaded mel product comes out exactly
twice the true power (measured on 2 cores; correct with OMP_NUM_THREADS=1 or with audioflux imported
before torch). `sequential_mkl` makes audioFlux's own MKL sequential (MKL_Set_Num_Threads(1), its copy
only: torch's threads are untouched): correct, and faster here too (its threaded product of a
(frames, 257) by (257, n_mels) matrix costs more than it saves). audioFlux's STFT keeps its own OpenMP
split (cores // 2 threads, one on 2 cores).

So under a config with those choices (`MFCCConfig.preset("audioflux_defaults")`), librosa's MFCCs are 10x
audioFlux's to float32 rounding; under `matched` they differ in the mel scale, the framing, the floor and
the unit, and the agreement measurement reports the distance.
"""
from __future__ import annotations

import ctypes
import functools
import os

import numpy as np
import torch

from ..frontend import fix_length, preemphasis_numpy
from .base import Backend

AMIN = 1e-8      # XXCC's fixed floor before log10 (xxcc_algorithm.c)
WINDOWS = {"hann": "HANN", "hamming": "HAMM", "blackman": "BLACKMAN", "boxcar": "RECT"}
AUDIOFLUX_REQUIRES = {
    "n_fft": (lambda v: v >= 2 and v & (v - 1) == 0, "audioFlux's FFT length is 2**radix2_exp; use a power of two"),
    "win_length": (lambda v: v is None, "audioFlux's window spans the whole FFT frame; use win_length=None"),
    "window": (lambda v: v in WINDOWS, f"audioFlux's windows here are {tuple(WINDOWS)}"),
    "mel_scale": (lambda v: v == "htk", "audioFlux's mel scale is HTK's, 2595*log10(1+f/700); use mel_scale='htk'"),
    "dct_type": (lambda v: v == 2, "audioFlux's XXCC is DCT-II only"),
    "dct_norm": (lambda v: v == "ortho", "audioFlux's XXCC is the orthonormal DCT only"),
    "lifter": (lambda v: v == 0, "audioFlux's XXCC has no lifter"),
    "ref": (lambda v: v == 1.0, "audioFlux's XXCC takes log10 of the power itself (ref 1)"),
    "amin": (lambda v: v == AMIN, f"audioFlux's XXCC floors the power at {AMIN:g} before the log; use amin={AMIN:g}"),
    "top_db_scope": (lambda v: v == "off", "audioFlux's XXCC has no top_db floor; use top_db_scope='off'"),
    "dtype": (lambda v: v == "float32", "audioFlux computes in float32 only"),
}


@functools.lru_cache(maxsize=None)
def sequential_mkl() -> None:
    """Make the MKL bundled in audioFlux's wheel sequential, once per process and for every audioFlux call
    in it (see the module docstring); torch's own MKL and threads are not touched."""
    import audioflux

    lib = os.path.join(os.path.dirname(audioflux.__file__), "lib", "lib", "libmkl_intel_lp64.so.2")
    if os.path.exists(lib):          # the Linux wheel; other platforms ship other builds
        ctypes.CDLL(lib).MKL_Set_Num_Threads(1)


def mel_spectrogram_object(cfg):
    """audioflux.MelSpectrogram for `cfg`: power or magnitude, HTK mel triangles, no filter norm or
    BAND_WIDTH (librosa's Slaney area norm), the window over the whole 2**radix2_exp frame. Makes
    audioFlux's MKL sequential first (`sequential_mkl`)."""
    from audioflux import MelSpectrogram
    from audioflux.type import SpectralDataType, SpectralFilterBankNormalType, SpectralFilterBankStyleType, WindowType

    sequential_mkl()
    return MelSpectrogram(
        num=cfg.n_mels, samplate=cfg.sample_rate, low_fre=cfg.fmin, high_fre=cfg.effective_fmax,
        radix2_exp=cfg.n_fft.bit_length() - 1, window_type=getattr(WindowType, WINDOWS[cfg.window]),
        slide_length=cfg.hop_length,
        data_type=SpectralDataType.POWER if cfg.power == 2.0 else SpectralDataType.MAG,
        style_type=SpectralFilterBankStyleType.SLANEY,
        normal_type=SpectralFilterBankNormalType.BAND_WIDTH if cfg.mel_norm == "slaney"
        else SpectralFilterBankNormalType.NONE)


class AudioFluxMFCC(Backend):
    """MFCCs with audioFlux's MelSpectrogram and XXCC (C, CPU), in audioFlux's definition (module docstring).

    Args:
        cfg (MFCCConfig): n_fft a power of two, win_length None, window hann/hamming/blackman/boxcar,
            mel_scale "htk", DCT-II ortho, lifter 0, ref 1, amin 1e-8, top_db_scope "off", float32;
            anything else raises ValueError naming the field. `MFCCConfig.preset("audioflux_defaults")`
            is audioFlux's definition at the project's speech geometry. Honoured around audioFlux:
            sample_size (fix_length), preemphasis, center (zero or reflect padding of n_fft // 2 each
            side, done here in NumPy: audioFlux does not centre), mel_norm (None or "slaney"), power
            (1 or 2), fmin, fmax.
        device (str | torch.device, "cpu"): must be the CPU.

    Calling: (T,) or (B, T) NumPy array or tensor at `cfg.sample_rate` -> torch.Tensor float32 on the
    CPU, (n_mfcc, n_frames) or (B, n_mfcc, n_frames), n_frames = cfg.n_frames(T), in bels (log10).
    The mel spectrogram is one C call per clip (audioFlux's own loop over the batch, in Python); the
    cepstrum of the whole batch is one XXCC call over all its frames. An instance holds audioFlux's
    scratch buffers: do not call one instance from two threads at once.
    """

    name = "audioflux"
    devices = ("cpu",)
    batch_independent = True   # no dB floor
    library = "audioflux"
    distribution = "audioflux"
    defaults_preset = "audioflux_defaults"
    definition = "audioflux"
    requires = AUDIOFLUX_REQUIRES
    description = "audioFlux MelSpectrogram + XXCC, objects built once (C via ctypes, CPU, its own MFCC definition)"
    # audioFlux loops over the clips in Python, but each is one C call doing the whole clip, so the loop
    # costs little next to the work: timed on the peers' thin grid (up to batch 256 and 10 s clips), not
    # per_clip's thinner one (batch 1 and 64 of 1 s), so it meets every scenario of the verdict
    per_clip = False

    def __init__(self, cfg, device="cpu"):
        from audioflux import XXCC

        super().__init__(cfg, device)
        self.melspec = mel_spectrogram_object(cfg)
        self.xxcc = XXCC(cfg.n_mels)

    def prepare(self, waveform) -> np.ndarray:
        """A checked waveform as a C-contiguous float32 (B, T') array: cut or padded to sample_size,
        pre-emphasised, centred where cfg says so; ValueError where T' < n_fft (no whole frame)."""
        cfg = self.cfg
        x = waveform.detach().cpu().numpy() if isinstance(waveform, torch.Tensor) else np.asarray(waveform)
        x = x.astype(np.float32, copy=False).reshape(-1, x.shape[-1])
        if cfg.sample_size is not None:
            x = fix_length(x, cfg.sample_size)
        if cfg.preemphasis is not None:
            x = preemphasis_numpy(x, cfg.preemphasis)
        if cfg.center:
            x = np.pad(x, ((0, 0), (cfg.n_fft // 2, cfg.n_fft // 2)), mode=cfg.pad_mode)
        if x.shape[-1] < cfg.n_fft:
            raise ValueError(f"waveform of {x.shape[-1]} samples: shorter than n_fft={cfg.n_fft} with "
                             f"center=False, no whole frame (audioflux backend)")
        return np.ascontiguousarray(x, dtype=np.float32)

    def cepstrum(self, mel: np.ndarray) -> np.ndarray:
        """XXCC of a (B, n_mels, frames) mel spectrogram in one call over all B*frames frames
        -> (B, n_mfcc, frames): log10(max(mel, 1e-8)), orthonormal DCT-II, first n_mfcc."""
        n_clips, n_mels, n_frames = mel.shape
        frames = np.ascontiguousarray(mel.transpose(0, 2, 1)).reshape(n_clips * n_frames, n_mels)
        self.xxcc.set_time_length(n_clips * n_frames)
        cc = self.xxcc.xxcc(frames.T, cc_num=self.cfg.n_mfcc)                     # (n_mfcc, B*frames)
        return cc.reshape(-1, n_clips, n_frames).transpose(1, 0, 2)

    def forward(self, waveform) -> torch.Tensor:
        x = self.prepare(waveform)
        mfcc = torch.from_numpy(np.ascontiguousarray(self.cepstrum(self.melspec.spectrogram(x))))
        return mfcc[0] if waveform.ndim == 1 else mfcc

    @classmethod
    def direct_call(cls, cfg, device="cpu"):
        """MelSpectrogram and XXCC built once, called as audioFlux's documentation shows on a (B, T)
        batch: both loop over the clips in Python (no padding, pre-emphasis or input check). Its MKL
        made sequential as in the backend: without that, in a process that imported torch first, the
        call is slower and wrong (module docstring)."""
        from audioflux import XXCC

        melspec, xxcc = mel_spectrogram_object(cfg), XXCC(cfg.n_mels)

        def call(x):
            mel = melspec.spectrogram(np.asarray(x, dtype=np.float32))
            xxcc.set_time_length(mel.shape[-1])
            return xxcc.xxcc(mel, cc_num=cfg.n_mfcc)
        return call
