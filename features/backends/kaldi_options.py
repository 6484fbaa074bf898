"""The Kaldi MFCC definition shared by the two Kaldi backends: which MFCCConfig fields map onto Kaldi's
options, which are refused, and the options the config has no field for.

Kaldi's MFCC (compute-mfcc-feats) is not librosa's: frames start at sample 0 (snip_edges), each frame
has its mean removed and is pre-emphasised on its own, windows are symmetric (povey = hann ** 0.85),
the mel triangles are linear in mel, the log is natural and floored at FLT_EPSILON, and the lifter
counts coefficients from 0. So `definition = "kaldi"`: agreement is measured between the two Kaldi
implementations, not against librosa.

    MFCCConfig field          Kaldi option
    sample_rate               samp_freq / sample_frequency
    n_mfcc                    num_ceps
    win_length                frame_length (ms) = win_length * 1000 / sample_rate
    hop_length                frame_shift (ms)  = hop_length * 1000 / sample_rate
    n_fft                     round_to_power_of_two: n_fft must be the padded window, i.e. the next
                              power of two >= win_length (True) or win_length itself (False)
    n_mels                    num_bins / num_mel_bins
    fmin, fmax                low_freq, high_freq (fmax None -> 0, Kaldi's "Nyquist")
    window                    window_type: povey, hann -> hanning, hamming, blackman, boxcar -> rectangular
    preemphasis               preemph_coeff (None -> 0)
    lifter                    cepstral_lifter
    center=False              snip_edges=True
"""
from __future__ import annotations

import numpy as np

from .base import Backend

FLT_EPSILON = float(np.finfo(np.float32).eps)   # Kaldi's floor on mel energies before the log
KALDI_WINDOWS = {"povey": "povey", "hann": "hanning", "hamming": "hamming", "blackman": "blackman",
                 "boxcar": "rectangular"}

KALDI_REQUIRES = {
    "center": (lambda v: v is False, "Kaldi frames start at sample 0 (snip_edges=True); its snip_edges=False "
                                     "reflects the edges to round(T / hop) frames, not librosa's centring; "
                                     "use center=False"),
    "power": (lambda v: v == 2.0, "Kaldi's MFCC takes the power spectrum; use power=2.0"),
    "mel_scale": (lambda v: v == "htk", "Kaldi's mel scale is HTK's, 1127 ln(1 + f/700); use mel_scale='htk'"),
    "mel_norm": (lambda v: v is None, "Kaldi's mel triangles peak at 1 (no area norm); use mel_norm=None"),
    "dct_type": (lambda v: v == 2, "Kaldi's DCT is type II; use dct_type=2"),
    "dct_norm": (lambda v: v == "ortho", "Kaldi's DCT-II is orthonormal; use dct_norm='ortho'"),
    "ref": (lambda v: v == 1.0, "Kaldi takes log(mel energy) with no reference; use ref=1.0"),
    "amin": (lambda v: v == FLT_EPSILON, f"Kaldi floors mel energies at FLT_EPSILON; use amin={FLT_EPSILON!r}"),
    "top_db_scope": (lambda v: v == "off", "Kaldi has no floor below the peak; use top_db_scope='off'"),
    "dtype": (lambda v: v == "float32", "the Kaldi implementations compute in float32; use dtype='float32'"),
}


def padded_window(win_length: int) -> int:
    """Kaldi's FFT size with round_to_power_of_two: the smallest power of two >= win_length."""
    return 1 << (win_length - 1).bit_length()


def empty_mel_bins(cfg) -> list:
    """Indices of Kaldi mel bins (MelBanks in mel-computations.cc) that no FFT bin falls inside:
    kaldi-native-fbank refuses such options, torchaudio.compliance.kaldi returns log(FLT_EPSILON) there."""
    mel = lambda f: 1127.0 * np.log1p(np.asarray(f, dtype=np.float64) / 700.0)  # noqa: E731
    edges = np.linspace(mel(cfg.fmin), mel(cfg.effective_fmax), cfg.n_mels + 2)
    fft_mel = mel(np.arange(cfg.n_fft // 2) * cfg.sample_rate / cfg.n_fft)     # Kaldi skips the Nyquist bin
    inside = (fft_mel > edges[:-2, None]) & (fft_mel < edges[2:, None])
    return np.flatnonzero(~inside.any(axis=1)).tolist()


class KaldiDefinition(Backend):
    """What both Kaldi backends share: the refusals, the field mapping (`kaldi_options`) and the fixed
    options the config has no field for. Subclasses set name, devices, library, distribution,
    description and implement `forward` and `direct_call`."""

    definition = "kaldi"
    defaults_preset = "kaldi_defaults"
    requires = KALDI_REQUIRES
    frontend_preemphasis = False   # Kaldi pre-emphasises each frame itself (preemphasis_coefficient)
    # Fixed choices with no MFCCConfig field (Kaldi's option names):
    dither = 0.0               # Kaldi adds Gaussian noise (its default 1.0, knf's 3e-5): off, so features are
    #                            deterministic and the two implementations comparable
    remove_dc_offset = True    # Kaldi's default: subtract each frame's mean before pre-emphasis and window
    use_energy = False         # c0 stays the DCT's 0th coefficient, as in every other backend (Kaldi's
    #                            compute-mfcc-feats replaces it by log frame energy by default)
    energy_floor = 0.0         # Kaldi's default (used only with use_energy)
    raw_energy = True          # Kaldi's default (used only with use_energy)
    htk_compat = False         # Kaldi's default: c0 first, not last
    blackman_coeff = 0.42      # Kaldi's default (window="blackman" only)

    @classmethod
    def check_config(cls, cfg) -> None:
        """The `requires` refusals, then the fields checked together: n_fft against win_length, and
        mel bins that no FFT bin falls in."""
        super().check_config(cfg)
        win = cfg.effective_win_length
        if cfg.n_fft not in (win, padded_window(win)):
            raise ValueError(f"n_fft={cfg.n_fft}: Kaldi's FFT is the window ({win}) or, with "
                             f"round_to_power_of_two, {padded_window(win)}; use one of these ({cls.name} backend)")
        empty = empty_mel_bins(cfg)
        if empty:
            raise ValueError(f"n_mels={cfg.n_mels}: Kaldi mel bins {empty[:5]} hold no FFT bin at "
                             f"n_fft={cfg.n_fft} between fmin and fmax; use fewer mels or a larger n_fft "
                             f"({cls.name} backend)")

    @classmethod
    def kaldi_options(cls, cfg) -> dict:
        """The options `cfg` maps onto, under torchaudio.compliance.kaldi.mfcc's argument names (the
        fixed ones included); kaldi-native-fbank's names differ only in spelling."""
        return dict(
            sample_frequency=float(cfg.sample_rate), num_ceps=cfg.n_mfcc,
            frame_length=cfg.effective_win_length * 1000.0 / cfg.sample_rate,
            frame_shift=cfg.hop_length * 1000.0 / cfg.sample_rate,
            round_to_power_of_two=cfg.n_fft != cfg.effective_win_length, num_mel_bins=cfg.n_mels,
            low_freq=float(cfg.fmin), high_freq=float(cfg.fmax) if cfg.fmax is not None else 0.0,
            window_type=KALDI_WINDOWS[cfg.window], preemphasis_coefficient=float(cfg.preemphasis or 0.0),
            cepstral_lifter=float(cfg.lifter), snip_edges=not cfg.center,
            dither=cls.dither, remove_dc_offset=cls.remove_dc_offset, use_energy=cls.use_energy,
            energy_floor=cls.energy_floor, raw_energy=cls.raw_energy, htk_compat=cls.htk_compat,
            blackman_coeff=cls.blackman_coeff,
        )

    def frames_of(self, n_samples: int) -> int:
        """Frames Kaldi makes of `n_samples` with snip_edges: 1 + (n - win_length) // hop_length; a
        clip shorter than one window raises ValueError."""
        win = self.cfg.effective_win_length
        if n_samples < win:
            raise ValueError(f"waveform of {n_samples} samples: shorter than one Kaldi frame "
                             f"(win_length={win}) ({self.name} backend)")
        return 1 + (n_samples - win) // self.cfg.hop_length
