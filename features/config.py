"""`MFCCConfig`: every parameter of the MFCC pipeline, in one frozen, keyword-only object.

Every backend reads the same object, so one configuration gives the same numbers from librosa,
torchaudio and the other backends of librosa's definition (a backend refuses, naming the field, what it
cannot honour). Invalid values raise `ValueError` at construction, naming the field.

The pipeline, in order (every step is a field below):

    waveform (B, T) at `sample_rate`
      -> pre-emphasis y[n] - c*y[n-1], y[0] kept         (`preemphasis`, None = off)
      -> STFT (`n_fft`, `win_length`, `hop_length`, `window`, `center`, `pad_mode`)
      -> |X| ** `power`
      -> mel filter bank (`n_mels`, `fmin`, `fmax`, `mel_scale`, `mel_norm`)
      -> dB: 10*log10(max(amin, S)) - 10*log10(max(amin, ref)), floored at (max - top_db) where
         the max is taken per clip, over the whole batch, or not at all (`top_db_scope`)
      -> DCT (`dct_type`, `dct_norm`), first `n_mfcc` coefficients, optional `lifter`

librosa and torchaudio both use 10*log10 in their MFCC whatever `power` is, and so does this project.

Numbers are normalised at construction: every float field holds a Python float (so fmin=0 and
fmin=0.0 give equal configs with equal hashes) and every integer field a Python int (NumPy integers
are accepted); floats where an integer is needed (dct_type=2.0), bools where a number is needed,
and NaN or infinity anywhere are refused.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import numbers
from dataclasses import dataclass
from typing import Any, Optional

# "povey" is Kaldi's window (hann ** 0.85, symmetric); only the Kaldi-definition backends honour it
WINDOWS = ("hann", "hamming", "blackman", "boxcar", "povey")
PAD_MODES = ("constant", "reflect")
MEL_SCALES = ("htk", "slaney")
MEL_NORMS = (None, "slaney")
DCT_NORMS = (None, "ortho")
TOP_DB_SCOPES = ("clip", "batch", "off")
DTYPES = ("float32", "float64")
RESAMPLERS = ("soxr_hq", "torchaudio")


@dataclass(frozen=True, kw_only=True)
class MFCCConfig:
    """Every parameter of the MFCC pipeline (see the module docstring for the order of steps).

    Args (all keyword-only):
        sample_rate (int, 16000): rate the waveform is at, in Hz.
        n_mfcc (int, 13): cepstral coefficients kept.
        n_fft (int, 512): FFT size in samples.
        win_length (int | None, None): window length in samples, <= n_fft; None means n_fft.
        hop_length (int, 160): samples between frames.
        window (str, "hann"): one of "hann", "hamming", "blackman", "boxcar" (periodic windows), or
            "povey" (Kaldi's; the Kaldi-definition backends only, which use symmetric windows).
        center (bool, True): pad n_fft // 2 samples each side so frame t is centred on t*hop.
        pad_mode (str, "constant"): padding used when `center`: "constant" (zeros) or "reflect".
        power (float, 2.0): exponent of the magnitude spectrum, 1.0 or 2.0. With 1.0 an 80 dB range
            reaches 1e-8 of the peak magnitude, below float32 FFT precision: the backends then
            differ by about 5e-4 (relative) in float32; use float64 or a smaller top_db.
        n_mels (int, 40): mel bands.
        fmin (float, 0.0): lowest filter edge in Hz.
        fmax (float | None, None): highest filter edge in Hz; None means sample_rate / 2.
        mel_scale (str, "slaney"): "htk" or "slaney" mel formula.
        mel_norm (str | None, "slaney"): None or "slaney" (area normalisation of each filter).
        dct_type (int, 2): DCT type, 1, 2 or 3 (torchaudio can only do 2 and refuses the rest).
        dct_norm (str | None, "ortho"): None or "ortho".
        lifter (int, 0): cepstral liftering coefficient, 0 = off.
        ref (float, 1.0): reference power for 0 dB.
        amin (float, 1e-10): smallest power before the logarithm.
        top_db (float, 80.0): dynamic range kept below the maximum, in dB.
        top_db_scope (str, "clip"): where the maximum for the floor is taken: "clip" (each clip
            alone, so features never depend on batch-mates), "batch" (the whole array, what both
            libraries do when handed a batch) or "off" (no floor).
        preemphasis (float | None, None): pre-emphasis coefficient in [0, 1), None = off.
        sample_size (int | None, 16000): samples every clip is padded or cut to; None keeps lengths.
        dtype (str, "float32"): "float32" or "float64" for the whole computation.
        resampler (str, "soxr_hq"): resampler used when loading files: "soxr_hq" (librosa's
            default) or "torchaudio" (torchaudio.functional.resample, sinc_interp_hann).
    """

    sample_rate: int = 16000
    n_mfcc: int = 13
    n_fft: int = 512
    win_length: Optional[int] = None
    hop_length: int = 160
    window: str = "hann"
    center: bool = True
    pad_mode: str = "constant"
    power: float = 2.0
    n_mels: int = 40
    fmin: float = 0.0
    fmax: Optional[float] = None
    mel_scale: str = "slaney"
    mel_norm: Optional[str] = "slaney"
    dct_type: int = 2
    dct_norm: Optional[str] = "ortho"
    lifter: int = 0
    ref: float = 1.0
    amin: float = 1e-10
    top_db: float = 80.0
    top_db_scope: str = "clip"
    preemphasis: Optional[float] = None
    sample_size: Optional[int] = 16000
    dtype: str = "float32"
    resampler: str = "soxr_hq"

    def __post_init__(self) -> None:
        self._normalise_numbers()
        self._validate()

    def _normalise_numbers(self) -> None:
        """int fields -> int, float fields -> float (finite values only); others are left to _validate."""
        for name in INT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, numbers.Integral) and not isinstance(value, bool):
                object.__setattr__(self, name, int(value))
        for name in FLOAT_FIELDS:
            value = getattr(self, name)
            if _is_number(value):
                object.__setattr__(self, name, float(value))

    def _validate(self) -> None:
        def need(ok: bool, name: str, why: str) -> None:
            if not ok:
                raise ValueError(f"MFCCConfig.{name}={getattr(self, name)!r}: {why}")

        def positive_int(name: str) -> None:
            value = getattr(self, name)
            need(isinstance(value, int) and not isinstance(value, bool) and value > 0, name,
                 "must be a positive integer")

        def one_of(name: str, allowed: tuple) -> None:
            need(getattr(self, name) in allowed, name, f"must be one of {allowed}")

        for name in ("sample_rate", "n_mfcc", "n_fft", "hop_length", "n_mels"):
            positive_int(name)
        if self.win_length is not None:
            positive_int("win_length")
            need(self.win_length <= self.n_fft, "win_length", f"must be <= n_fft ({self.n_fft})")
        need(self.n_mfcc <= self.n_mels, "n_mfcc", f"must be <= n_mels ({self.n_mels})")
        one_of("window", WINDOWS)
        need(isinstance(self.center, bool), "center", "must be True or False")
        one_of("pad_mode", PAD_MODES)
        need(_is_number(self.power) and self.power in (1.0, 2.0), "power", "must be 1.0 (magnitude) or 2.0 (power)")
        need(_is_number(self.fmin) and self.fmin >= 0, "fmin", "must be a number >= 0")
        nyquist = self.sample_rate / 2
        if self.fmax is not None:
            need(_is_number(self.fmax) and self.fmin < self.fmax <= nyquist, "fmax",
                 f"must be None or a number in (fmin, sample_rate/2 = {nyquist}]")
        else:
            need(self.fmin < nyquist, "fmin", f"must be below sample_rate/2 = {nyquist}")
        one_of("mel_scale", MEL_SCALES)
        one_of("mel_norm", MEL_NORMS)
        need(isinstance(self.dct_type, int) and not isinstance(self.dct_type, bool) and self.dct_type in (1, 2, 3),
             "dct_type", "must be the integer 1, 2 or 3")
        one_of("dct_norm", DCT_NORMS)
        need(isinstance(self.lifter, int) and not isinstance(self.lifter, bool) and self.lifter >= 0,
             "lifter", "must be an integer >= 0")
        need(_is_number(self.ref) and self.ref > 0, "ref", "must be a finite number > 0")
        need(_is_number(self.amin) and self.amin > 0, "amin", "must be a finite number > 0")
        need(_is_number(self.top_db) and self.top_db > 0, "top_db",
             "must be a finite number > 0 (top_db_scope='off' removes the floor)")
        one_of("top_db_scope", TOP_DB_SCOPES)
        if self.preemphasis is not None:
            need(_is_number(self.preemphasis) and 0 <= self.preemphasis < 1, "preemphasis",
                 "must be None or a number in [0, 1)")
        if self.sample_size is not None:
            positive_int("sample_size")
        one_of("dtype", DTYPES)
        one_of("resampler", RESAMPLERS)
        if not self.center and self.sample_size is not None:
            need(self.sample_size >= self.n_fft, "sample_size",
                 f"must be >= n_fft ({self.n_fft}) when center=False")

    # ----------------------------------------------------------------- derived values
    @property
    def effective_win_length(self) -> int:
        """`win_length`, or `n_fft` where it is None."""
        return self.win_length if self.win_length is not None else self.n_fft

    @property
    def effective_fmax(self) -> float:
        """`fmax`, or sample_rate / 2 where it is None."""
        return float(self.fmax) if self.fmax is not None else self.sample_rate / 2

    def n_frames(self, n_samples: Optional[int] = None) -> int:
        """Frames produced for a clip of `n_samples` (default: `sample_size`).

        centre=True: 1 + n_samples // hop_length; centre=False: 1 + (n_samples - n_fft) // hop_length.
        """
        n = self.sample_size if n_samples is None else n_samples
        if n is None:
            raise ValueError("n_frames: give n_samples, this config has sample_size=None")
        if self.center:
            return 1 + n // self.hop_length
        if n < self.n_fft:
            raise ValueError(f"n_frames: {n} samples is shorter than n_fft={self.n_fft} with center=False")
        return 1 + (n - self.n_fft) // self.hop_length

    # ----------------------------------------------------------------- presets
    @classmethod
    def preset(cls, name: str, **overrides: Any) -> "MFCCConfig":
        """A named configuration, with any field overridden by keyword.

        - "matched": the project's comparison setting, every backend configured identically
          (16 kHz speech: n_fft 512, hop 160, 40 Slaney mels with Slaney norm, 13 MFCCs).
        - "librosa_defaults": what `librosa.feature.mfcc(y=y, sr=sr)` does, written out (librosa 0.11:
          a batch's dB floor over the whole batch).
        - "librosa1_defaults": the same in librosa 1.0, whose floor is per clip.
        - "torchaudio_defaults": what `torchaudio.transforms.MFCC(sample_rate=sr)` does, written out.
        - "nnaudio_defaults": what `nnAudio.features.MFCC(sr=sr)` does, written out.
        - "kaldi_defaults": Kaldi's `compute-mfcc-feats` defaults at 16 kHz in these fields (for the
          Kaldi-definition backends; options with no field here are fixed in features/backends/kaldi_options.py).
        - "audioflux_defaults": audioFlux's MFCC definition (MelSpectrogram then XXCC) at `matched`'s
          speech geometry (see features/backends/audioflux.py).
        """
        if name not in PRESETS:
            raise ValueError(f"preset={name!r}: must be one of {tuple(PRESETS)}")
        return dataclasses.replace(cls(**PRESETS[name]), **overrides)

    def replace(self, **changes: Any) -> "MFCCConfig":
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    # ----------------------------------------------------------------- serialisation
    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict) -> "MFCCConfig":
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"MFCCConfig: unknown field(s) {sorted(unknown)}")
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> "MFCCConfig":
        return cls.from_dict(json.loads(text))

    def hash(self) -> str:
        """A stable 12-character hex digest of every field (for caches and result files)."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:12]


INT_FIELDS = ("sample_rate", "n_mfcc", "n_fft", "win_length", "hop_length", "n_mels", "dct_type", "lifter", "sample_size")
FLOAT_FIELDS = ("power", "fmin", "fmax", "ref", "amin", "top_db", "preemphasis")


def _is_number(value: Any) -> bool:
    """A finite real number that is not a bool (NumPy scalars included)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


PRESETS: dict[str, dict] = {
    "matched": dict(),
    # librosa.feature.mfcc -> melspectrogram -> stft defaults, librosa 0.11. librosa's floor is over
    # whatever array it is given; "batch" reproduces that.
    "librosa_defaults": dict(
        n_mfcc=20, n_fft=2048, win_length=None, hop_length=512, window="hann", center=True,
        pad_mode="constant", power=2.0, n_mels=128, fmin=0.0, fmax=None, mel_scale="slaney",
        mel_norm="slaney", dct_type=2, dct_norm="ortho", lifter=0, ref=1.0, amin=1e-10,
        top_db=80.0, top_db_scope="batch", resampler="soxr_hq",
    ),
    # librosa 1.0's librosa.feature.mfcc defaults: 0.11's, but power_to_db takes its top_db floor over the
    # trailing (mel, frame) axes, so a (B, T) batch is floored per clip (librosa PR #2051). On librosa 0.11
    # this preset gives 1.0's batched numbers, and "librosa_defaults" gives 0.11's on either release
    # (the version matrix measured both: reports/results/*-versions/).
    "librosa1_defaults": dict(
        n_mfcc=20, n_fft=2048, win_length=None, hop_length=512, window="hann", center=True,
        pad_mode="constant", power=2.0, n_mels=128, fmin=0.0, fmax=None, mel_scale="slaney",
        mel_norm="slaney", dct_type=2, dct_norm="ortho", lifter=0, ref=1.0, amin=1e-10,
        top_db=80.0, top_db_scope="clip", resampler="soxr_hq",
    ),
    # torchaudio.transforms.MFCC(sample_rate) defaults, torchaudio 2.11: Spectrogram(n_fft=400,
    # hop=win//2=200), MelScale(n_mels=128, htk, norm=None), AmplitudeToDB("power", top_db=80).
    "torchaudio_defaults": dict(
        n_mfcc=40, n_fft=400, win_length=None, hop_length=200, window="hann", center=True,
        pad_mode="reflect", power=2.0, n_mels=128, fmin=0.0, fmax=None, mel_scale="htk",
        mel_norm=None, dct_type=2, dct_norm="ortho", lifter=0, ref=1.0, amin=1e-10,
        top_db=80.0, top_db_scope="batch", resampler="torchaudio",
    ),
    # nnAudio.features.MFCC(sr) defaults, nnAudio 0.3.4: MelSpectrogram(n_fft=2048, hop=512, n_mels=128,
    # pad_mode="reflect", htk=False, norm=1 i.e. Slaney), DCT-II ortho; its floor is per clip
    # (log_spec.flatten(1).max(1)).
    "nnaudio_defaults": dict(
        n_mfcc=20, n_fft=2048, win_length=None, hop_length=512, window="hann", center=True,
        pad_mode="reflect", power=2.0, n_mels=128, fmin=0.0, fmax=None, mel_scale="slaney",
        mel_norm="slaney", dct_type=2, dct_norm="ortho", lifter=0, ref=1.0, amin=1e-10,
        top_db=80.0, top_db_scope="clip", resampler="soxr_hq",
    ),
    # Kaldi's MfccOptions defaults at 16 kHz: 25 ms povey frames every 10 ms with snip_edges (center=False),
    # padded to 512 (round_to_power_of_two), pre-emphasis 0.97, 23 HTK mel bins from 20 Hz to Nyquist with
    # no area norm, log floored at FLT_EPSILON (amin) with no reference or top_db floor, orthonormal DCT-II,
    # 13 cepstra, lifter 22. Kaldi's windows, pre-emphasis (per frame) and lifter follow its own definitions.
    "kaldi_defaults": dict(
        sample_rate=16000, n_mfcc=13, n_fft=512, win_length=400, hop_length=160, window="povey",
        center=False, pad_mode="constant", power=2.0, n_mels=23, fmin=20.0, fmax=None, mel_scale="htk",
        mel_norm=None, dct_type=2, dct_norm="ortho", lifter=22, ref=1.0, amin=1.1920928955078125e-07,
        top_db=80.0, top_db_scope="off", preemphasis=0.97, dtype="float32", resampler="soxr_hq",
    ),
    # audioFlux 0.1.9's MelSpectrogram then XXCC, in the steps it fixes: HTK mel formula, no centring,
    # MelSpectrogram's default of no filter norm, power, log10 floored at 1e-8 with no top_db floor,
    # orthonormal DCT-II, no lifter (its unit, bels not dB, has no field: the Backend's `definition`
    # says it). The geometry is `matched`'s (n_fft 512, hop 160, 40 mels, 13 MFCCs), not audioflux.mfcc's
    # call defaults (n_fft 4096, hop 1024, 128 bands at 32 kHz, a music setting), so it is timed
    # beside the other backends on the same work.
    "audioflux_defaults": dict(
        n_mfcc=13, n_fft=512, win_length=None, hop_length=160, window="hann", center=False,
        pad_mode="constant", power=2.0, n_mels=40, fmin=0.0, fmax=None, mel_scale="htk", mel_norm=None,
        dct_type=2, dct_norm="ortho", lifter=0, ref=1.0, amin=1e-8, top_db=80.0, top_db_scope="off",
        preemphasis=None, dtype="float32", resampler="soxr_hq",
    ),
}
