"""The accuracy studies' records (one frozen dataclass per table, as in :mod:`reports.records`, which lists them
in ``RECORDS``): the settings study on a speaker-held-out split and the leave-one-speaker-out study."""

from __future__ import annotations

import dataclasses
from typing import Optional

record = dataclasses.dataclass(frozen=True, kw_only=True)


@record
class Generalisation:
    """One training of the settings study: a setting (matched changed, or a whole preset) at one seed, scored on
    held-out speakers (bench.measurements.generalisation; phase "screen" or "confirm")."""
    phase: str
    setting: str
    group: str
    toward: Optional[str] = None
    changes: Optional[str] = None
    cmvn: Optional[bool] = None
    backend: Optional[str] = None
    preset: Optional[str] = None
    config: Optional[str] = None
    seed: int
    split: Optional[str] = None
    test_accuracy: float
    val_accuracy: Optional[float] = None
    epochs: Optional[int] = None
    best_epoch: Optional[int] = None
    n_train: Optional[int] = None
    n_test: Optional[int] = None
    train_seconds: Optional[float] = None
    rule: Optional[str] = None


@record
class Loso:
    """One training of the leave-one-speaker-out study: a setting, a classifier ("cnn" or "logreg"), a held-out
    speaker (`fold`) and a seed (bench.measurements.loso; group "baseline", "preset" or "revert")."""
    classifier: str
    setting: str
    group: str
    reverted: Optional[str] = None
    changes: Optional[str] = None
    backend: Optional[str] = None
    preset: Optional[str] = None
    config: Optional[str] = None
    fold: str
    seed: int
    split: Optional[str] = None
    test_accuracy: float
    val_accuracy: Optional[float] = None
    epochs: Optional[int] = None
    best_epoch: Optional[int] = None
    n_train: Optional[int] = None
    n_val: Optional[int] = None
    n_test: Optional[int] = None
    train_seconds: Optional[float] = None
