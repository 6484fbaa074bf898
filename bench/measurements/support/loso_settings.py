"""The leave-one-speaker-out study's settings, declared as data: `matched`, the whole presets (each library's
defaults, Kaldi's in librosa's definition and in Kaldi's own) from bench.measurements.support.study_settings, and Kaldi's defaults
with one setting reverted to `matched`'s value at a time, to find which part of the preset carries its lead.

The reverted fields are not listed by hand: they are every MFCCConfig field where kaldi_defaults and
matched differ (sample rate and clip length are the run's), so a preset change shows up here by itself.
bench/measurements/loso.py trains each on every fold; reports/loso.py ranks them.
"""
from __future__ import annotations

from features import MFCCConfig

from .study_settings import BASE, BASELINE, PRESETS, STUDY_BACKEND, Setting

KALDI = "kaldi_defaults"
#: The revert-one study's reference: Kaldi's defaults in librosa's definition (computed by `librosa_torch`, which honours
#: every field; Kaldi's own definition cannot take matched's values, e.g. centred frames or a Slaney filterbank).
KALDI_REFERENCE = next(s for s in PRESETS if s.preset == KALDI and s.backend == STUDY_BACKEND)
RUN_FIELDS = ("sample_rate", "sample_size")


def reverted_fields() -> dict:
    """{field: matched's value} for every MFCCConfig field where kaldi_defaults differs from matched."""
    base, kaldi = MFCCConfig.preset(BASELINE).to_dict(), MFCCConfig.preset(KALDI).to_dict()
    return {f: base[f] for f in base if f not in RUN_FIELDS and base[f] != kaldi[f]}


def revert_one() -> tuple:
    """Kaldi's defaults (librosa's definition) with one field set back to matched's, one Setting per field
    (group "revert"; a field whose revert makes no valid config is left out)."""
    out = []
    for name, value in reverted_fields().items():
        try:
            MFCCConfig.preset(KALDI, **{name: value})
        except ValueError:
            continue
        out.append(Setting(f"{KALDI}, {name}={value}", "revert", ("kaldi",), {name: value}, preset=KALDI))
    return tuple(out)


REVERTS = revert_one()
#: Every setting the measurement trains, baseline first.
SETTINGS = (BASE,) + PRESETS + REVERTS
