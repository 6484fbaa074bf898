"""Accuracy and train/serve skew as verdicts: what each backend's features reach, and what a library
swap costs with and without a shared (matched) config, each over the run's training seeds.

Every accuracy is the mean over the seeds a run trained (records carry `seed`; a record without one is
seed 0) with its 95% interval, and every delta is the paired difference over the seeds both sides share
(reports/intervals.py): a model trained at seed s and served another backend's features against the same
model served its own; one backend's own accuracy against the reference's at the same seeds. Every "pp"
delta names its baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from reports import intervals as iv
from reports.data import definition, num, records, reference
from reports.records import Accuracy

NOISE_RULE = (f"Each accuracy is the mean over the run's training seeds with its {iv.METHOD}; each difference "
              "is paired (the same seeds on both sides: the same initialisation, batch order and augmentation) "
              "and counts only where its interval excludes zero, else it reads \"within noise\". A run trained "
              "on one seed has no interval and says so.")


def seed_of(rec: Accuracy) -> int:
    """The record's training seed (0 for records written before seeds were recorded)."""
    seed = num(rec.seed)
    return int(seed) if seed is not None else 0


def by_seed(recs: list[Accuracy]) -> dict[int, float]:
    """{seed: test accuracy} of records that differ only by seed."""
    return {seed_of(r): r.test_accuracy for r in recs}


def _groups(run: dict) -> dict[tuple, list[Accuracy]]:
    """Accuracy records grouped by (train backend, test backend, preset, split)."""
    out: dict[tuple, list[Accuracy]] = {}
    for r in records(run, "accuracy"):
        out.setdefault((r.train_backend, r.test_backend, r.preset, r.split), []).append(r)
    return out


def n_seeds(run: dict) -> int:
    """The most seeds any accuracy figure of the run comes from (0 without accuracy records)."""
    return max((len({seed_of(r) for r in v}) for v in _groups(run).values()), default=0)


def seeds_text(run: dict) -> str:
    """"5 training seeds" / "1 training seed (no interval)": how many seeds the run's accuracy figures use."""
    return seeds_phrase(n_seeds(run))


def seeds_phrase(n: int) -> str:
    """"5 training seeds" / "1 training seed (no interval)" for ``n`` seeds."""
    return f"{n} training seeds" if n > 1 else "1 training seed (no interval)"


class OverSeeds:
    """What an accuracy row over seeds reads as plain numbers: `accuracy` (the mean) and `delta_pp` (the mean
    paired difference, in pp); subclasses hold `interval` and `diff`."""

    interval: iv.Interval
    diff: Optional[iv.Interval]

    @property
    def accuracy(self) -> float:
        return self.interval.mean

    @property
    def delta_pp(self) -> float | None:
        return None if self.diff is None else self.diff.mean * 100


@dataclass
class AccuracyRow(OverSeeds):
    """One backend's own accuracy over seeds and its paired delta from the reference's."""

    backend: str
    preset: str
    split: str
    interval: iv.Interval
    n_test: float | None
    diff: Optional[iv.Interval]   # against the reference's own accuracy at the same seeds
    baseline: str                 # e.g. "librosa→librosa, matched"
    verdict: iv.Verdict
    definition: str | None = None


def own_groups(run: dict) -> dict[tuple, list[Accuracy]]:
    """(backend, split) -> its own records (train = test backend): at `matched` where recorded, else at the
    backend's own preset (a Kaldi backend's kaldi_defaults); library_defaults never stands for a backend."""
    out: dict[tuple, tuple] = {}
    for (train, test, preset, split), recs in _groups(run).items():
        if train != test or preset in ("library_defaults", "ported"):
            continue
        key, rank = (train, split), preset != "matched"
        if key not in out or rank < out[key][0]:
            out[key] = (rank, preset, recs)
    return {k: v[2] for k, v in out.items()}


def accuracy_rows(run: dict, order: list[str]) -> list[AccuracyRow]:
    """Each backend's own accuracy (train = test backend), reference first, then ``order``."""
    own = own_groups(run)
    ref = reference(run)
    rows = []
    for (backend, split), recs in sorted(own.items(), key=lambda kv: (kv[0][0] != ref, _pos(order, kv[0][0]))):
        base = own.get((ref, split))
        interval = iv.mean_interval((r.test_accuracy for r in recs), iv.ACCURACY)
        if base is None or backend == ref:
            diff, baseline = None, ""
            verdict = iv.not_compared("the reference" if backend == ref else "no reference run")
        else:
            diff = iv.paired(by_seed(recs), by_seed(base))
            baseline = f"{ref}→{ref}, {base[0].preset}"
            verdict = iv.verdict(diff, "better by", "worse by")
        rows.append(AccuracyRow(backend, recs[0].preset, str(split or "—"), interval, num(recs[0].n_test),
                                diff, baseline, verdict, definition(run, backend)))
    return rows


@dataclass
class SwapRow(OverSeeds):
    """A classifier trained on one backend's features, served another's, over seeds."""

    preset: str
    train: str
    test: str
    interval: iv.Interval
    diff: Optional[iv.Interval]   # against train→train at the same preset and seeds
    baseline: str
    verdict: iv.Verdict


# a preset whose model was trained at another preset: "ported" serves the library_defaults model the other
# library's features built by features.port, so its baseline (and its place in the table) is library_defaults'
TRAINED_AT = {"ported": "library_defaults"}


def swap_rows(run: dict, order: list[str]) -> list[SwapRow]:
    """Every (train ≠ test) pair, matched preset first; paired delta against train→train at the preset the
    model was trained at (TRAINED_AT; the record's own preset otherwise)."""
    groups = _groups(run)
    rows = []
    swaps = [k for k in groups if k[0] != k[1]]
    for train, test, preset, split in sorted(swaps, key=lambda k: (
            k[2] != "matched", TRAINED_AT.get(k[2], k[2]), _pos(order, k[0]), k[2], _pos(order, k[1]))):
        recs = groups[(train, test, preset, split)]
        trained_at = TRAINED_AT.get(preset, preset)
        base = groups.get((train, train, trained_at, split))
        interval = iv.mean_interval((r.test_accuracy for r in recs), iv.ACCURACY)
        if base is None:
            rows.append(SwapRow(preset, train, test, interval, None, "", iv.not_compared("no train→train baseline")))
            continue
        diff = iv.paired(by_seed(recs), by_seed(base))
        rows.append(SwapRow(preset, train, test, interval, diff, f"{train}→{train}, {trained_at}",
                            iv.verdict(diff, "gains", "costs")))
    return rows


def _pos(order: list[str], backend: str) -> int:
    return order.index(backend) if backend in order else len(order)
