"""The generalisation study's settings, declared as data: `matched` changed one setting at a time toward
each library's defaults and toward Kaldi's, and the whole presets beside them.

Each `Setting` names what it changes (MFCCConfig fields, or the classifier's per-utterance CMVN), which
group it belongs to (one value per group goes into the best combination), and whose default it moves
toward. bench/measurements/generalisation.py trains every one on the same seeds; reports/generalisation.py
ranks them. A setting is added here and nowhere else.

Not trained, because the answer follows from the arithmetic: natural log against dB. The dB MFCC is
10 / ln 10 times the natural-log MFCC (the DCT is linear, and amin and top_db scale with it), and the
classifier standardises every coefficient by the training split's mean and standard deviation, which
removes any constant factor: the network sees the same numbers (tests/model/test_net.py checks it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from features import MFCCConfig

BASELINE = "matched"
#: The backend every setting is computed with: librosa's definition in torch, and it honours every field
#: below (Kaldi's povey window included), so only the named setting changes.
STUDY_BACKEND = "librosa_torch"


@dataclass(frozen=True)
class Setting:
    """One configuration of the study.

    Attributes:
        name (str): what it is called in the results and the report, e.g. "n_mfcc=20".
        group (str): what it changes ("n_mfcc", "window", ...; "preset" for a whole preset).
        toward (tuple[str]): whose default it moves toward: "librosa", "torchaudio", "kaldi" (or none).
        changes (dict): MFCCConfig fields changed from `matched` (or the preset's fields, see `preset`).
        cmvn (bool): the classifier normalises each clip's coefficients over its frames (Kaldi recipes' CMVN).
        preset (str | None): a whole preset instead of `matched` plus `changes`.
        backend (str): the backend that computes it.
    """

    name: str
    group: str
    toward: tuple = ()
    changes: dict = field(default_factory=dict)
    cmvn: bool = False
    preset: Optional[str] = None
    backend: str = STUDY_BACKEND

    def config(self, **keep) -> MFCCConfig:
        """The MFCCConfig it trains on (`keep`: sample_rate and sample_size of the run)."""
        return MFCCConfig.preset(self.preset or BASELINE, **keep, **self.changes)


def _one(field_name: str, value, *toward: str) -> Setting:
    return Setting(f"{field_name}={value}", field_name, tuple(toward), {field_name: value})


#: The baseline: `matched` (13 MFCCs, 40 Slaney mels with Slaney norm, dB with an 80 dB floor per clip, no
#: lifter, no pre-emphasis, hann, n_fft = win_length = 512, hop 160, centred frames).
BASE = Setting(BASELINE, "baseline")

#: One setting at a time, each toward the library whose default it is.
SINGLE = (
    _one("n_mfcc", 20, "librosa"),
    _one("n_mfcc", 40, "torchaudio"),
    _one("n_mels", 23, "kaldi"),
    _one("n_mels", 64),
    _one("n_mels", 128, "librosa", "torchaudio"),
    _one("mel_scale", "htk", "torchaudio", "kaldi"),
    _one("mel_norm", None, "torchaudio", "kaldi"),
    _one("fmin", 20.0, "kaldi"),
    _one("top_db_scope", "off", "kaldi"),
    _one("lifter", 22, "kaldi"),
    _one("preemphasis", 0.97, "kaldi"),
    _one("window", "hamming"),
    _one("window", "povey", "kaldi"),
    Setting("n_fft=400", "frame", ("torchaudio",), {"n_fft": 400}),
    Setting("win_length=400", "frame", ("kaldi",), {"win_length": 400}),
    Setting("n_fft=2048", "frame", ("librosa",), {"n_fft": 2048}),
    Setting("hop_length=200", "hop_length", ("torchaudio",), {"hop_length": 200}),
    Setting("cmvn", "cmvn", ("kaldi",), cmvn=True),
)

#: Whole presets: each library's own defaults (computed by `librosa_torch` in its definition), and Kaldi's settings
#: both in librosa's definition (`librosa_torch`) and in Kaldi's own (torchaudio.compliance.kaldi: per-frame DC
#: removal and pre-emphasis, snip_edges framing, Kaldi's lifter), so the Kaldi lead splits into settings
#: and definition.
PRESETS = (
    Setting("librosa_defaults", "preset", ("librosa",), preset="librosa_defaults"),
    Setting("torchaudio_defaults", "preset", ("torchaudio",), preset="torchaudio_defaults"),
    Setting("kaldi_defaults (librosa's definition)", "preset", ("kaldi",), preset="kaldi_defaults"),
    Setting("kaldi_defaults (Kaldi's definition)", "preset", ("kaldi",), preset="kaldi_defaults",
            backend="torchaudio_kaldi"),
)

SETTINGS = (BASE,) + SINGLE + PRESETS


def combine(chosen: list[Setting]) -> Setting:
    """One setting with the changes of every one in `chosen`, in order; a later setting that would change a
    field an earlier one set, or make the config invalid, is left out (ValueError if nothing is left)."""
    changes, cmvn, names = {}, False, []
    for s in chosen:
        if s.preset is not None or s.backend != STUDY_BACKEND or set(s.changes) & set(changes):
            continue
        try:
            MFCCConfig.preset(BASELINE, **changes, **s.changes)
        except ValueError:
            continue
        changes.update(s.changes)
        cmvn = cmvn or s.cmvn
        names.append(s.name)
    if not names:
        raise ValueError("combine: no setting could be combined")
    return Setting(" + ".join(names), "combination", (), changes, cmvn)
