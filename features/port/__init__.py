"""Port a librosa MFCC / log-mel call to torchaudio and back, verified against the library it came from.

    from features import port
    p = port.librosa_to_torchaudio(sr=22050, n_mfcc=20, hop_length=256)   # librosa.feature.mfcc keywords
    p.module    # torch.nn.Module: (T,) or (B, T) tensor -> (n_mfcc, n_frames) or (B, n_mfcc, n_frames)
    p.code      # self-contained Python; exec defines `module` (p.module was built by exec'ing it)
    p.notes     # list[str]: what torchaudio/librosa cannot express directly, how the port does it, and the
                # residual measured against the source library on seeded synthetic clips
    p.check(waveforms)   # max relative error vs librosa itself on (T,), (B, T) or a list of clips

    q = port.torchaudio_to_librosa(sample_rate=16000, n_mfcc=40, melkwargs={"n_fft": 400})
    q.fn        # y (T,) np.ndarray -> (n_mfcc, n_frames), librosa + NumPy only; q.code, q.notes, q.check

    port.librosa_logmel_to_torchaudio(**melspectrogram keywords, ref=, amin=, top_db=)   # power_to_db's
    port.torchaudio_logmel_to_librosa(**MelSpectrogram arguments, stype=, top_db=)       # AmplitudeToDB's

Relative error is max |port - source| / max |source| per clip, the worst clip reported. Arguments neither
side can reproduce raise a one-line ValueError naming the argument (see recipe.py for the list).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from .recipe import Recipe, from_librosa, from_torchaudio
from .reference import (as_clips, librosa_reference, relative_error, run_module, synthetic_clips,
                        torchaudio_transform)
from .to_librosa import librosa_code
from .to_torch import torch_code
from .to_torch_file import min_samples

__all__ = ["LibrosaPort", "TorchaudioPort", "librosa_logmel_to_torchaudio", "librosa_to_torchaudio", "measure",
           "torchaudio_logmel_to_librosa", "torchaudio_to_librosa", "TOLERANCE"]

TOLERANCE = {"float64": 1e-5, "float32": 1e-4}   # relative; above it a port's note says so
SYNTHETIC_SECONDS = 0.25


def _grouped(clips: list[np.ndarray]) -> list[tuple[list[int], np.ndarray]]:
    """Clips of one length stacked into (B, T) batches, so a check also exercises batching, each with the
    clips' indices."""
    by_len: dict[int, list[int]] = {}
    for i, c in enumerate(clips):
        by_len.setdefault(c.size, []).append(i)
    return [(index, np.stack([clips[i] for i in index])) for index in by_len.values()]


@dataclass
class TorchaudioPort:
    """A librosa call ported to torchaudio.

    Attributes:
        kind (str): "mfcc" or "logmel"; source (dict): the librosa keywords as given; recipe (Recipe): them resolved.
        code (str): self-contained torchaudio code; exec defines the module class and `module`.
        module (torch.nn.Module): built by exec'ing `code`; (T,) or (B, T) float tensor -> (n_out, frames) or
            (B, n_out, frames), n_out = n_mfcc or n_mels; float32 buffers (its class takes a dtype:
            `type(p.module)(torch.float64)` for float64).
        notes (list[str]): what torchaudio cannot express directly and how the port does it; the measured residual.
        residual (dict): {"float32": x, "float64": y}, max relative error against librosa on the synthetic clips.
    """
    kind: str
    source: dict
    recipe: Recipe
    code: str
    module: object
    notes: list = field(default_factory=list)
    residual: dict = field(default_factory=dict)
    measured_notes: list = field(default_factory=list)   # the notes `measure` wrote (replaced on a re-measure)

    def check(self, waveforms: Sequence, *, dtype: str = "float64") -> float:
        """Max relative error of `module` against librosa on `waveforms` ((T,), (B, T) or a list of (T,)),
        computed in `dtype` ("float64" or "float32") on both sides."""
        return max(self.errors(waveforms, dtype=dtype))

    def errors(self, waveforms: Sequence, *, dtype: str = "float64") -> list[float]:
        """`check`'s figure for each clip, in the order given."""
        ref = librosa_reference(self.kind, self.source)
        # the module's class takes the dtype its window, filterbank and DCT are built in
        module = type(self.module)(getattr(torch, dtype))
        clips = as_clips(waveforms, dtype, min_samples=min_samples(self.recipe))
        errors: dict[int, float] = {}
        for index, batch in _grouped(clips):
            got = run_module(module, batch)
            errors.update((i, relative_error(g, ref(y))) for i, g, y in zip(index, got, batch))
        return [errors[i] for i in range(len(clips))]


@dataclass
class LibrosaPort:
    """A torchaudio transform ported to librosa + NumPy.

    Attributes:
        kind (str), source (dict: the torchaudio arguments as given), recipe (Recipe), notes, residual: as in
            TorchaudioPort (residual against the torchaudio transform, clip by clip).
        code (str): self-contained librosa + NumPy code; exec defines `features(y)`.
        fn (callable): `features` from exec'ing `code`: y (T,) float array -> np.ndarray (n_out, frames) in y's dtype.
    """
    kind: str
    source: dict
    recipe: Recipe
    code: str
    fn: Callable[[np.ndarray], np.ndarray]
    notes: list = field(default_factory=list)
    residual: dict = field(default_factory=dict)
    measured_notes: list = field(default_factory=list)   # the notes `measure` wrote (replaced on a re-measure)

    def check(self, waveforms: Sequence, *, dtype: str = "float64") -> float:
        """Max relative error of `fn` against the torchaudio transform on `waveforms`, clip by clip, in `dtype`."""
        return max(self.errors(waveforms, dtype=dtype))

    def errors(self, waveforms: Sequence, *, dtype: str = "float64") -> list[float]:
        """`check`'s figure for each clip, in the order given."""
        transform = torchaudio_transform(self.kind, self.source)
        clips = as_clips(waveforms, dtype, min_samples=min_samples(self.recipe))
        return [relative_error(self.fn(y), run_module(transform, y[None])[0]) for y in clips]


def _args(source: dict) -> str:
    """The user's keywords as they would type them (np.max and torch window functions by name)."""
    def lit(v):
        if isinstance(v, np.ndarray):
            return f"<array of {v.size} samples>"
        if v is np.max or v is np.amax:
            return "np.max"
        if callable(v):
            return f"{getattr(v, '__module__', '') or ''}.{getattr(v, '__name__', v)}".lstrip(".")
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k!r}: {lit(x)}" for k, x in v.items()) + "}"
        return repr(v)
    return ", ".join(f"{k}={lit(v)}" for k, v in source.items())


def _exec(code: str, name: str):
    namespace: dict = {}
    exec(compile(code, f"<port:{name}>", "exec"), namespace)   # the printed code is what builds the port
    return namespace[name]


def measure(p, clips=None, where: str = "") -> None:
    """Measure the port against its source in both dtypes, on `clips` (described by `where`, e.g. "40 files
    from clips/") or, without them, on seeded synthetic clips; set `p.residual` and replace the notes an
    earlier measurement wrote with ones on these clips, explaining what exceeds TOLERANCE (float rounding)."""
    r = p.recipe
    if clips is None:
        n = max(int(SYNTHETIC_SECONDS * r.sr), r.n_fft + 4 * r.hop_length)
        clips, where = synthetic_clips(r.sr, n), f"2 seeded synthetic clips ({n} samples at {r.sr:g} Hz)"
    old = set(p.measured_notes)
    before = [n for n in p.notes if n not in old]
    p.residual = {dt: p.check(clips, dtype=dt) for dt in TOLERANCE}
    p.notes = before
    _dtype_notes(p, r, where)
    p.measured_notes = p.notes[len(before):]



def _dtype_notes(p, r: Recipe, where: str) -> None:
    f64, f32 = p.residual["float64"], p.residual["float32"]
    p.notes.append(f"measured on {where}: max relative error {f64:.1e} in float64, {f32:.1e} in float32")
    depth = "no floor" if r.log == "ln" or r.top_db is None else f"top_db={r.top_db:g} below the peak"
    if f64 > TOLERANCE["float64"]:
        cause = ("torchaudio computes its window and mel filterbank in float32 (torch window functions, "
                 "melscale_fbanks' float32 linspace) and a transform cast with .double() keeps those rounded "
                 "values; librosa computes them in float64 and cannot reproduce torch's float32 rounding"
                 if isinstance(p, LibrosaPort) else "not explained by float rounding: please report it")
        p.notes.append(f"float64 residual {f64:.1e} is above {TOLERANCE['float64']:g}: {cause}; it shows in the "
                       f"quietest bins (the dB values reach {depth})")
    if f32 > TOLERANCE["float32"]:
        p.notes.append(f"float32 residual {f32:.1e} is above {TOLERANCE['float32']:g}: the dB values reach "
                       f"{depth} (power={r.power:g}), where float32 rounding of the FFT and filterbank in either "
                       "library dominates the quietest bins; compute in float64 for exact agreement")


def _floor_note(r: Recipe, transform, who: str) -> str:
    """Measure what a (B, T) batch does to a quiet clip's features beside a loud one, through `transform`."""
    n = max(int(SYNTHETIC_SECONDS * r.sr), r.n_fft + 4 * r.hop_length)
    clips = synthetic_clips(r.sr, n).astype(np.float32)
    loud, quiet = clips[0], 1e-3 * clips[1]
    alone = run_module(transform, quiet[None])[0]
    beside = run_module(transform, np.stack([loud, quiet]))[1]
    return f"{who} (measured here on a quiet clip beside a loud one: {np.max(np.abs(beside - alone)):.3g} units)"


def _finish_torch(kind: str, source: dict, r: Recipe) -> TorchaudioPort:
    call = "librosa.feature.mfcc" if kind == "mfcc" else "power_to_db(librosa.feature.melspectrogram(...))"
    args = _args(source)
    doc = (f"{call} with {args or 'its defaults'}, in torchaudio: (T,) or (B, T) -> "
           f"({'n_mfcc' if kind == 'mfcc' else 'n_mels'}, frames) or (B, ..., frames).")
    code, notes = torch_code(r, doc=doc.replace('"""', "'''"))
    p = TorchaudioPort(kind, dict(source), r, code, _exec(code, "module"), list(notes))
    if r.top_db is not None and r.log == "db":
        p.notes.append(f"top_db={r.top_db:g} is taken per clip, as librosa does on one clip: torchaudio's "
                       "amplitude_to_DB on a (B, n_mels, frames) batch would take it across the whole batch, so "
                       "the module floors each clip on its own (tested: a quiet clip beside a loud one gets the "
                       "features it gets alone)")
    measure(p)
    return p


def _finish_librosa(kind: str, source: dict, r: Recipe) -> LibrosaPort:
    call = "torchaudio.transforms.MFCC" if kind == "mfcc" else "MelSpectrogram + AmplitudeToDB"
    args = _args(source)
    doc = (f"{call}({args}) on one clip, in librosa + NumPy: y (T,) -> "
           f"({'n_mfcc' if kind == 'mfcc' else 'n_mels'}, frames).")
    code, notes = librosa_code(r, doc=doc.replace('"""', "'''"))
    p = LibrosaPort(kind, dict(source), r, code, _exec(code, "features"), list(notes))
    if r.top_db is not None and r.log == "db":
        p.notes.append(_floor_note(r, torchaudio_transform(kind, source),
                                   f"top_db={r.top_db:g}: `fn` equals the transform on one clip or on a (B, 1, T) "
                                   "batch; on a (B, T) batch torchaudio floors across the whole batch, which no "
                                   "per-clip function can reproduce"))
    measure(p)
    return p


def librosa_to_torchaudio(**kwargs) -> TorchaudioPort:
    """Port `librosa.feature.mfcc(y=..., **kwargs)` (defaults librosa 0.11's: sr=22050, n_mfcc=20, n_fft=2048,
    hop_length=512, n_mels=128, pad_mode='constant', slaney mel scale and norm, DCT-II ortho, lifter=0)."""
    return _finish_torch("mfcc", kwargs, from_librosa("mfcc", kwargs))


def librosa_logmel_to_torchaudio(**kwargs) -> TorchaudioPort:
    """Port `librosa.power_to_db(librosa.feature.melspectrogram(y=..., **mel), ref=, amin=, top_db=)`; the
    keywords ref (number or np.max), amin and top_db go to power_to_db, the rest to melspectrogram."""
    return _finish_torch("logmel", kwargs, from_librosa("logmel", kwargs))


def torchaudio_to_librosa(**kwargs) -> LibrosaPort:
    """Port `torchaudio.transforms.MFCC(**kwargs)` (sample_rate=16000, n_mfcc=40, dct_type=2, norm='ortho',
    log_mels=False, melkwargs=None: n_fft=400, hop = win // 2, n_mels=128, htk scale, reflect padding)."""
    return _finish_librosa("mfcc", kwargs, from_torchaudio("mfcc", kwargs))


def torchaudio_logmel_to_librosa(**kwargs) -> LibrosaPort:
    """Port `AmplitudeToDB(stype, top_db)(MelSpectrogram(**mel)(y))`; stype ('power') and top_db (None) go to
    AmplitudeToDB, the rest to MelSpectrogram."""
    return _finish_librosa("logmel", kwargs, from_torchaudio("logmel", kwargs))
