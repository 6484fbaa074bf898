"""Seeds an accuracy mean should not take in without a word: a training that stopped early, or a seed far
below its siblings (the same training and serving at the run's other seeds).

The rule (:data:`RULE`), applied per accuracy record:

* **stopped early**: the training ran fewer epochs than its limit (the record's ``stopped_early``, else
  ``epochs < max_epochs``): early stopping ended it after model.fit.PATIENCE epochs without a better
  validation score, so its learning-rate schedule never finished;
* **far below its siblings**: its accuracy lies more than max(:data:`FLOOR_PP` pp, :data:`MADS` x the
  siblings' median absolute deviation) below the siblings' median, where it has at least
  :data:`MIN_SIBLINGS` siblings (with one sibling there is no telling which of two seeds is the odd one).

    from reports.seed_flags import seed_flags
    for flag in seed_flags(records(run, "accuracy")):     # list[SeedFlag], flagged seeds only
        flag.seed, flag.stopped_early, flag.far_below, flag.below_pp

Values only, no sentences: the answer and the page word them.
"""
from __future__ import annotations

import dataclasses
import statistics
from dataclasses import dataclass
from typing import Iterable, Optional

FLOOR_PP = 10.0
MADS = 3.0
MIN_SIBLINGS = 2
RULE = (f"a seed is flagged where its training stopped early (fewer epochs than its limit), or where its "
        f"accuracy lies more than max({FLOOR_PP:g} pp, {MADS:g} x the median absolute deviation of its siblings) "
        f"below its siblings' median (the same training and serving at the other seeds; at least "
        f"{MIN_SIBLINGS} of them)")


@dataclass(frozen=True)
class SeedFlag:
    """One accuracy record the rule flags.

    Attributes:
        preset (str), train_backend (str), test_backend (str), seed (int | None): which record.
        test_accuracy (float): its accuracy (0-1).
        epochs (int | None), max_epochs (int | None): epochs run and the limit.
        stopped_early (bool): its training ended before the limit (False where the record cannot say).
        siblings (int): how many other seeds the same training and serving has.
        below_pp (float | None): the siblings' median minus this accuracy, in percentage points (None
            with fewer than MIN_SIBLINGS siblings).
        far_below (bool): below_pp exceeds max(FLOOR_PP, MADS x the siblings' MAD).
    """

    preset: str
    train_backend: str
    test_backend: str
    seed: Optional[int]
    test_accuracy: float
    epochs: Optional[int]
    max_epochs: Optional[int]
    stopped_early: bool
    siblings: int
    below_pp: Optional[float]
    far_below: bool


def far_below(value: float, siblings: list[float]) -> tuple[Optional[float], bool]:
    """(how far `value` lies below the median of `siblings`, in the same unit; whether that is far below
    them by :data:`RULE`: more than max(FLOOR_PP, MADS x their median absolute deviation)). Units: pp.
    With fewer than MIN_SIBLINGS siblings: (None, False)."""
    if len(siblings) < MIN_SIBLINGS:
        return None, False
    middle = statistics.median(siblings)
    mad = statistics.median(abs(s - middle) for s in siblings)
    below = middle - value
    return below, below > max(FLOOR_PP, MADS * mad)


def _stopped_early(rec: dict) -> bool:
    if isinstance(rec.get("stopped_early"), bool):
        return rec["stopped_early"]
    epochs, limit = rec.get("epochs"), rec.get("max_epochs")
    return isinstance(epochs, int) and isinstance(limit, int) and epochs < limit


def seed_flags(records: Iterable) -> list[SeedFlag]:
    """The accuracy records :data:`RULE` flags, in the order given.

    Args:
        records: accuracy records (dicts as results.json holds them, or reports.records.Accuracy).
    Returns:
        list[SeedFlag]: one per flagged record (stopped early, far below its siblings, or both).
    """
    rows = [dataclasses.asdict(r) if dataclasses.is_dataclass(r) and not isinstance(r, type) else dict(r)
            for r in records]
    groups: dict[tuple, list[dict]] = {}
    for rec in rows:
        groups.setdefault((rec.get("preset"), rec.get("train_backend"), rec.get("test_backend")), []).append(rec)
    out = []
    for rec in rows:
        group = groups[(rec.get("preset"), rec.get("train_backend"), rec.get("test_backend"))]
        siblings = [100 * r["test_accuracy"] for r in group if r is not rec]
        below, far = far_below(100 * rec["test_accuracy"], siblings)
        stopped = _stopped_early(rec)
        if stopped or far:
            out.append(SeedFlag(preset=str(rec.get("preset")), train_backend=str(rec.get("train_backend")),
                                test_backend=str(rec.get("test_backend")), seed=rec.get("seed"),
                                test_accuracy=rec["test_accuracy"], epochs=rec.get("epochs"),
                                max_epochs=rec.get("max_epochs"), stopped_early=stopped, siblings=len(siblings),
                                below_pp=below, far_below=far))
    return out
