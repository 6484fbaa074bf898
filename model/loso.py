"""Leave-one-speaker-out folds: every speaker of a dataset held out once, the others trained on.

FSDD has six speakers of 500 recordings each; a claim about unseen speakers made on one held-out pair is
one draw of which speakers were held out. Six folds make the speaker the unit:

    data = join(splits.train, splits.val, splits.test)      # every decoded clip, whichever split loaded it
    for fold in loso_folds(data):                            # one per speaker, in name order
        fold.speaker, fold.train, fold.val, fold.test       # index lists into `data`
        fold.splits(data)                                    # the same as model.splits.Splits, for train_and_evaluate

The validation part is carved from the training speakers (stratified by label, fixed seed), as the
`speakers` split does: early stopping never sees the held-out speaker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from .splits import SkipLog, Splits, WaveformDataset, stratified_split

#: FSDD file names: <digit>_<speaker>_<index>.wav (model.datasets.FSDD_NAME).
SPEAKER_NAME = re.compile(r"^(\d)_([a-z]+)_(\d+)\.wav$")
SPLIT_NAME = "loso"


def speaker_of(path) -> str:
    """The speaker in an FSDD file name ("3_theo_12.wav" -> "theo"); ValueError naming the file otherwise."""
    m = SPEAKER_NAME.match(Path(str(path)).name)
    if not m:
        raise ValueError(f"{path}: leave-one-speaker-out needs FSDD file names <digit>_<speaker>_<index>.wav "
                         "to tell the speaker; this one is not")
    return m.group(2)


def join(*parts: WaveformDataset) -> WaveformDataset:
    """One dataset of every clip of `parts`, in order (same label names; ValueError where they differ)."""
    if not parts:
        raise ValueError("join: no datasets given")
    names = parts[0].label_names
    for p in parts[1:]:
        if p.label_names != names or p.sample_rate != parts[0].sample_rate:
            raise ValueError("join: the datasets differ in label names or sample rate")
    pick = lambda attr: [x for p in parts for x in getattr(p, attr)]  # noqa: E731
    return WaveformDataset(pick("waveforms"), pick("labels"), pick("paths"), names, pick("keys"),
                           sample_rate=parts[0].sample_rate, resampler=parts[0].resampler)


@dataclass(frozen=True)
class Fold:
    """One speaker held out.

    Attributes:
        speaker (str): the held-out speaker (the test part holds all their clips, and only theirs).
        train (tuple[int]), val (tuple[int]), test (tuple[int]): sorted indices into the joined dataset.
    """

    speaker: str
    train: tuple
    val: tuple
    test: tuple

    def splits(self, data: WaveformDataset) -> Splits:
        """The fold as model.splits.Splits over `data` (split named "loso:<speaker>")."""
        return Splits(data.subset(self.train), data.subset(self.val), data.subset(self.test), list(data.label_names),
                      SkipLog(), name="fsdd", split=f"{SPLIT_NAME}:{self.speaker}")


def loso_folds(data: WaveformDataset, *, val_fraction: float = 0.1, seed: int = 0,
               speakers: Optional[Sequence[str]] = None) -> list[Fold]:
    """One fold per speaker of `data`, in name order.

    Args:
        data (WaveformDataset): clips with FSDD file names (see `speaker_of`).
        val_fraction (float, 0.1): share of each digit of the training speakers kept for validation, in (0, 1).
        seed (int, 0): seeds the validation draw (the same for every fold's training speakers).
        speakers (Sequence[str] | None, None): hold out only these (each must be in `data`); None: every one.

    Raises:
        ValueError: a file name without a speaker, fewer than two speakers, an unknown speaker in `speakers`,
            or val_fraction outside (0, 1).
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction={val_fraction!r}: must be strictly between 0 and 1")
    who = [speaker_of(p) for p in data.paths]
    every = sorted(set(who))
    if len(every) < 2:
        raise ValueError(f"leave-one-speaker-out needs at least two speakers; the data has {every or 'none'}")
    held = every if speakers is None else list(speakers)
    unknown = [s for s in held if s not in every]
    if unknown:
        raise ValueError(f"speakers={unknown}: not in the data (it has {', '.join(every)})")
    folds = []
    for s in held:
        rest = [i for i, w in enumerate(who) if w != s]
        keep, take = stratified_split([data.labels[i] for i in rest], val_fraction, seed)
        folds.append(Fold(s, tuple(rest[i] for i in keep), tuple(rest[i] for i in take),
                          tuple(i for i, w in enumerate(who) if w == s)))
    return folds
