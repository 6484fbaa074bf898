"""One neutral description of an MFCC or log-mel call (`Recipe`), read from either library's arguments.

`from_librosa(kind, kwargs)` reads the keywords of `librosa.feature.mfcc` (kind "mfcc") or of
`librosa.feature.melspectrogram` + `librosa.power_to_db` (kind "logmel"); `from_torchaudio(kind, kwargs)`
reads the arguments of `torchaudio.transforms.MFCC` or of `MelSpectrogram` + `AmplitudeToDB`. Both resolve
every default the way the installed library does (librosa 0.11, torchaudio 2.11; read from their source),
so the emitters (to_torch.py, to_librosa.py) never guess. Anything neither emitter can reproduce raises a
one-line ValueError naming the argument.

What is handled (librosa name / torchaudio name: how):
- sr / sample_rate; n_fft; hop_length (torchaudio default win_length // 2); win_length < n_fft (both
  centre the window in the frame); window / window_fn: hann, hamming, blackman, bartlett, boxcar (torch.ones),
  periodic only; center; pad_mode: constant, reflect, edge / replicate, symmetric (no torch mode: the
  torch code mirrors by hand), circular (librosa.stft refuses np.pad's wrap: the librosa code pads by hand);
  torchaudio pad (zeros before the STFT: np.pad); power (any > 0); torchaudio normalized (True/"window",
  "frame_length": a scale on the magnitude).
- n_mels; fmin / f_min; fmax / f_max incl. None (librosa sr / 2, torchaudio float(sr // 2)); htk / mel_scale;
  mel norm (librosa mel_norm for mfcc, norm for melspectrogram: None, "slaney", a p-norm order incl. np.inf;
  torchaudio norm: None, "slaney"); the FFT-bin grid of the filterbank (torchaudio's ends at sr // 2, so
  odd rates such as 11025 differ; each side's code builds the other's grid); librosa's filterbank dtype.
- the log: librosa power_to_db ref (number or np.max), amin, top_db (None allowed); torchaudio AmplitudeToDB
  stype power / magnitude and top_db; MFCC log_mels=True (natural log of mel + 1e-6); the top_db floor per
  clip (torchaudio takes it across a (B, n_mels, frames) batch; the torch code floors each clip).
- n_mfcc; dct_type 1-4 (torchaudio has only II: the torch code builds the matrix) and norm None / "ortho";
  librosa's lifter (folded into the DCT matrix).
A window given as an array (scipy.signal.get_window('hamming', 160)) is read as the named window it equals.
Refused with a one-line ValueError naming the argument: windows other than the named ones (tuples, arrays
equal to none of them, callables, kaiser), non-periodic torch windows (wkwargs), librosa pad modes librosa.stft refuses or torch
cannot mirror (wrap, linear_ramp, maximum, mean, median, minimum, empty), a DCT norm other than None or
"ortho", dct_type outside 1-4 (torchaudio: other than 2, as torchaudio itself), ref callables other than
np.max, power=None (complex spectra), onesided=False, n_mfcc > n_mels, fmin >= fmax, win_length > n_fft,
unknown keywords, and y= / S= (the port takes a call's settings, not its input).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

KINDS = ("mfcc", "logmel")
# window name -> the torch window function that computes the same periodic window as scipy's get_window
WINDOWS = {"hann": "hann_window", "hamming": "hamming_window", "blackman": "blackman_window",
           "bartlett": "bartlett_window", "boxcar": "ones"}
_WINDOW_ALIASES = {"boxcar": "boxcar", "rect": "boxcar", "rectangular": "boxcar", "ones": "boxcar"}
# np.pad mode <-> torch.stft pad_mode. librosa.stft refuses "wrap" (the librosa code pads it by hand);
# torch has no "symmetric" (the torch code pads it by hand)
PAD_MODES = {"constant": "constant", "reflect": "reflect", "edge": "replicate", "wrap": "circular",
             "symmetric": None}
LIBROSA_PAD_MODES = ("constant", "reflect", "edge", "symmetric")
DCT_NORMS = (None, "ortho")


@dataclass(frozen=True)
class Recipe:
    """Every choice that decides the features, in one vocabulary.

    sr: sample rate (Hz); grid_top: the frequency (Hz) the filterbank's FFT-bin grid ends at (librosa sr/2,
    torchaudio sr // 2); pre_pad: zeros added to each side before the STFT (torchaudio `pad`);
    pad_mode: np.pad name; spec_scale: factor on the STFT magnitude before `power` (torchaudio `normalized`);
    mel_norm: None, "slaney" or a p-norm order; log: "db" or "ln" (log(mel + 1e-6)); db_mult: 10 (power)
    or 20 (magnitude); ref: a number or "max" (the clip's peak); dct_type 1-4; lifter 0 = none.
    """
    kind: str
    sr: float
    n_fft: int
    hop_length: int
    win_length: int
    window: str
    center: bool
    pad_mode: str
    pre_pad: int
    power: float
    spec_scale: str          # "none" | "window" | "frame_length"
    n_mels: int
    fmin: float
    fmax: float
    grid_top: float
    htk: bool
    mel_norm: Union[None, str, float]
    log: str                 # "db" | "ln"
    db_mult: float
    amin: float
    ref: Union[float, str]
    top_db: Optional[float]
    n_mfcc: int = 0
    dct_type: int = 2
    dct_norm: Optional[str] = "ortho"
    lifter: float = 0.0

    @property
    def n_freqs(self) -> int:
        return self.n_fft // 2 + 1


def _bad(name: str, value: Any, why: str) -> ValueError:
    return ValueError(f"{name}={value!r}: {why}")


def _int(kw: dict, name: str, default: Optional[int], *, minimum: int = 1) -> Optional[int]:
    value = kw.pop(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise _bad(name, value, f"must be an integer >= {minimum}")
    return int(value)


def _num(kw: dict, name: str, default: Optional[float], *, positive: bool = False,
         allow_none: bool = False) -> Optional[float]:
    value = kw.pop(name, default)
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) \
            or (positive and value <= 0) or value < 0:
        raise _bad(name, value, "must be a finite number" + (" > 0" if positive else " >= 0"))
    return float(value)


def _bool(kw: dict, name: str, default: bool) -> bool:
    value = kw.pop(name, default)
    if not isinstance(value, (bool, np.bool_)):
        raise _bad(name, value, "must be True or False")
    return bool(value)


def _no_leftovers(kw: dict, where: str) -> None:
    if kw:
        name = sorted(kw)[0]
        raise _bad(name, kw[name], f"not an argument the port knows for {where}")


def _check_frames(r: Recipe) -> Recipe:
    if r.win_length > r.n_fft:
        raise _bad("win_length", r.win_length, f"must be <= n_fft={r.n_fft}")
    if r.fmin >= r.fmax:
        raise _bad("fmin", r.fmin, f"must be below fmax={r.fmax}")
    if r.kind == "mfcc" and r.n_mfcc > r.n_mels:
        raise _bad("n_mfcc", r.n_mfcc, f"must be <= n_mels={r.n_mels} (librosa silently returns n_mels "
                                        "coefficients, torchaudio refuses)")
    if r.kind == "mfcc" and r.dct_type == 1 and r.n_mels < 2:
        raise _bad("n_mels", r.n_mels, "DCT-I needs at least 2 mel bands")
    return r


def named_window(array: np.ndarray, win_length: int) -> str:
    """The name of the periodic window `array` equals (to 1e-12 of its peak), as librosa would use it with
    win_length samples; ValueError naming `window` otherwise."""
    import scipy.signal

    array = np.asarray(array, dtype=np.float64)
    what = f"an array of {array.size} samples"
    if array.ndim != 1 or array.size != win_length:
        raise _bad("window", what, f"an array window must have win_length={win_length} samples (librosa's rule)")
    for name in WINDOWS:
        reference = scipy.signal.get_window(name, win_length, fftbins=True)
        if np.max(np.abs(array - reference)) <= 1e-12 * max(1.0, np.max(np.abs(reference))):
            return name
    raise _bad("window", what, f"equals none of the periodic windows {sorted(WINDOWS)}, the ones the port translates")


def _librosa_window(value: Any, win_length: int) -> str:
    if isinstance(value, np.ndarray):
        return named_window(value, win_length)
    if not isinstance(value, str) or _WINDOW_ALIASES.get(value, value) not in WINDOWS:
        raise _bad("window", value if isinstance(value, (str, tuple, numbers.Number)) else type(value).__name__,
                   f"the port translates the named windows {sorted(WINDOWS)} only")
    return _WINDOW_ALIASES.get(value, value)


def from_librosa(kind: str, kwargs: dict) -> Recipe:
    """Read librosa keywords: feature.mfcc's (kind "mfcc") or feature.melspectrogram's plus power_to_db's
    ref, amin, top_db (kind "logmel"). Defaults are librosa 0.11's."""
    if kind not in KINDS:
        raise _bad("kind", kind, f"must be one of {KINDS}")
    kw = dict(kwargs)
    for name in ("y", "S"):
        if name in kw:
            raise _bad(name, "...", "pass the call's settings only; the port runs on waveforms later")
    sr = _num(kw, "sr", 22050, positive=True)
    n_fft = _int(kw, "n_fft", 2048)
    win_length = _int(kw, "win_length", None) or n_fft
    hop_length = _int(kw, "hop_length", 512) or win_length // 4   # None: librosa.stft's win_length // 4
    window = _librosa_window(kw.pop("window", "hann"), win_length)
    center = _bool(kw, "center", True)
    pad_mode = kw.pop("pad_mode", "constant")
    if pad_mode not in LIBROSA_PAD_MODES:
        raise _bad("pad_mode", pad_mode, f"the port translates {list(LIBROSA_PAD_MODES)} only "
                   "(librosa.stft itself refuses wrap, maximum, mean, median, minimum)")
    power = _num(kw, "power", 2.0, positive=True)
    n_mels = _int(kw, "n_mels", 128)
    fmin = _num(kw, "fmin", 0.0)
    fmax = _num(kw, "fmax", None, allow_none=True)
    htk = _bool(kw, "htk", False)
    kw.pop("dtype", None)   # the filterbank's dtype: float32 by default; within float32 rounding of float64
    norm_name = "mel_norm" if kind == "mfcc" else "norm"
    mel_norm = kw.pop(norm_name, "slaney")
    if not (mel_norm is None or mel_norm == "slaney"
            or (isinstance(mel_norm, numbers.Real) and not isinstance(mel_norm, bool)
                and (mel_norm > 0 or mel_norm == np.inf))):
        raise _bad(norm_name, mel_norm, "must be None, 'slaney' or a p-norm order > 0 (np.inf allowed)")
    common = dict(kind=kind, sr=sr, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                  window=window, center=center, pad_mode=pad_mode, pre_pad=0, power=power,
                  spec_scale="none", n_mels=n_mels, fmin=fmin, fmax=sr / 2 if fmax is None else fmax,
                  grid_top=sr / 2, htk=htk, mel_norm=mel_norm if mel_norm in (None, "slaney") else float(mel_norm),
                  log="db", db_mult=10.0)
    if kind == "mfcc":
        n_mfcc = _int(kw, "n_mfcc", 20)
        dct_type = kw.pop("dct_type", 2)
        if dct_type not in (1, 2, 3, 4):
            raise _bad("dct_type", dct_type, "must be 1, 2, 3 or 4 (scipy's DCT types)")
        dct_norm = kw.pop("norm", "ortho")
        if dct_norm not in DCT_NORMS:
            raise _bad("norm", dct_norm, f"the port translates the DCT norms {DCT_NORMS} only")
        lifter = _num(kw, "lifter", 0.0)
        _no_leftovers(kw, "librosa.feature.mfcc")
        return _check_frames(Recipe(**common, amin=1e-10, ref=1.0, top_db=80.0, n_mfcc=n_mfcc,
                                    dct_type=int(dct_type), dct_norm=dct_norm, lifter=lifter))
    ref = kw.pop("ref", 1.0)
    if ref is np.max or ref is np.amax:
        ref = "max"
    elif isinstance(ref, bool) or not isinstance(ref, numbers.Real) or not ref > 0:
        raise _bad("ref", ref, "must be a number > 0 or np.max (other callables cannot be translated)")
    amin = _num(kw, "amin", 1e-10, positive=True)
    top_db = _num(kw, "top_db", 80.0, allow_none=True)
    _no_leftovers(kw, "librosa.feature.melspectrogram + librosa.power_to_db")
    return _check_frames(Recipe(**common, amin=amin, ref=ref if ref == "max" else float(ref), top_db=top_db))


def _torch_window(window_fn: Any, wkwargs: Optional[dict]) -> str:
    import torch
    names = {getattr(torch, fn): name for name, fn in WINDOWS.items()}
    window_fn = torch.hann_window if window_fn is None else window_fn   # MelSpectrogram's default
    if window_fn not in names:
        raise _bad("window_fn", getattr(window_fn, "__name__", window_fn),
                   f"the port translates torch.{', torch.'.join(WINDOWS.values())} only")
    if wkwargs not in (None, {}, {"periodic": True}):
        raise _bad("wkwargs", wkwargs, "only periodic windows (librosa's only kind) can be translated")
    return names[window_fn]


def from_torchaudio(kind: str, kwargs: dict) -> Recipe:
    """Read torchaudio arguments: transforms.MFCC's (kind "mfcc": sample_rate, n_mfcc, dct_type, norm,
    log_mels, melkwargs) or transforms.MelSpectrogram's plus AmplitudeToDB's stype and top_db (kind
    "logmel"). Defaults are torchaudio 2.11's."""
    if kind not in KINDS:
        raise _bad("kind", kind, f"must be one of {KINDS}")
    kw = dict(kwargs)
    if kind == "mfcc":
        top = kw
        kw = dict(top.pop("melkwargs", None) or {})
        if "sample_rate" in kw and "sample_rate" in top:
            raise _bad("melkwargs", {"sample_rate": kw["sample_rate"]}, "sample_rate given twice")
        kw.setdefault("sample_rate", top.pop("sample_rate", 16000))
    sr = _int(kw, "sample_rate", 16000)
    n_fft = _int(kw, "n_fft", 400)
    win_length = _int(kw, "win_length", None) or n_fft
    hop_length = _int(kw, "hop_length", None) or win_length // 2
    if hop_length < 1:
        raise _bad("hop_length", hop_length, "win_length // 2 is 0; give hop_length")
    fmin = _num(kw, "f_min", 0.0)
    fmax = _num(kw, "f_max", None, allow_none=True)
    pre_pad = _int(kw, "pad", 0, minimum=0)
    n_mels = _int(kw, "n_mels", 128)
    window = _torch_window(kw.pop("window_fn", None), kw.pop("wkwargs", None))
    power = kw.pop("power", 2.0)
    if power is None:
        raise _bad("power", None, "a complex spectrogram has no mel features to port")
    power = _num({"power": power}, "power", None, positive=True)
    normalized = kw.pop("normalized", False)
    spec_scale = {False: "none", True: "window", "window": "window", "frame_length": "frame_length"}.get(normalized)
    if spec_scale is None:
        raise _bad("normalized", normalized, "must be False, True, 'window' or 'frame_length'")
    center = _bool(kw, "center", True)
    pad_mode = kw.pop("pad_mode", "reflect")
    np_modes = {t: n for n, t in PAD_MODES.items() if t}
    if pad_mode not in np_modes:
        raise _bad("pad_mode", pad_mode, f"must be one of {sorted(np_modes)}")
    if kw.pop("onesided", None) is False:
        raise _bad("onesided", False, "mel features need the one-sided spectrum")
    mel_norm = kw.pop("norm", None)
    if mel_norm not in (None, "slaney"):
        raise _bad("norm", mel_norm, "must be None or 'slaney'")
    mel_scale = kw.pop("mel_scale", "htk")
    if mel_scale not in ("htk", "slaney"):
        raise _bad("mel_scale", mel_scale, "must be 'htk' or 'slaney'")
    common = dict(kind=kind, sr=float(sr), n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                  window=window, center=center, pad_mode=np_modes[pad_mode], pre_pad=pre_pad, power=power,
                  spec_scale=spec_scale, n_mels=n_mels, fmin=fmin,
                  fmax=float(sr // 2) if fmax is None else fmax, grid_top=float(sr // 2),
                  htk=mel_scale == "htk", mel_norm=mel_norm)
    if kind == "mfcc":
        _no_leftovers(kw, "torchaudio.transforms.MelSpectrogram (melkwargs)")
        kw = top
        n_mfcc = _int(kw, "n_mfcc", 40)
        dct_type = kw.pop("dct_type", 2)
        if dct_type != 2:
            raise _bad("dct_type", dct_type, "torchaudio.transforms.MFCC supports only DCT type 2")
        dct_norm = kw.pop("norm", "ortho")
        if dct_norm not in DCT_NORMS:
            raise _bad("norm", dct_norm, f"must be one of {DCT_NORMS}")
        log_mels = _bool(kw, "log_mels", False)
        _no_leftovers(kw, "torchaudio.transforms.MFCC")
        return _check_frames(Recipe(**common, log="ln" if log_mels else "db", db_mult=10.0, amin=1e-10,
                                    ref=1.0, top_db=80.0, n_mfcc=n_mfcc, dct_type=2, dct_norm=dct_norm))
    stype = kw.pop("stype", "power")
    if stype not in ("power", "magnitude"):
        raise _bad("stype", stype, "must be 'power' or 'magnitude'")
    top_db = _num(kw, "top_db", None, allow_none=True)
    _no_leftovers(kw, "torchaudio.transforms.MelSpectrogram + AmplitudeToDB")
    return _check_frames(Recipe(**common, log="db", db_mult=10.0 if stype == "power" else 20.0, amin=1e-10,
                                ref=1.0, top_db=top_db))
