"""Accuracy over training seeds: a mean with its 95% interval, and comparisons made on paired differences.

A seed sets the weight initialisation, the batch order and the augmentation; the splits stay fixed. One
training is one draw: on FSDD's speaker-held-out split two seeds of the same features have landed 17
points apart, so an accuracy, or a difference between two, is only stated with its interval:

    iv = mean_interval([0.63, 0.80, 0.71])             # Interval(mean, low, high, n)
    d = paired({0: .70, 1: .81}, {0: .63, 1: .80})    # a - b on the seeds both have
    verdict(d, "better", "worse")                      # Verdict(Kind.GAIN, "better 4.0 pp (95% CI ...)") or WITHIN_NOISE

The interval is Student's t on the mean (n - 1 degrees of freedom), stated as METHOD wherever it is shown.
A comparison pairs the same seeds on both sides (the same initialisation, order and augmentation), and it
counts when its interval excludes zero. Below :data:`MIN_SEEDS` seeds a comparison gives no verdict word: it
reads "inconclusive at 2 seeds (per-seed change -30.6, -8.8 pp)" (Kind.FEW_SEEDS; one seed: Kind.ONE_SEED).
An accuracy's interval is clipped to what an accuracy can be (``bounds=ACCURACY``: 0-100 %), a difference's
to -100..+100 pp (``DIFFERENCE``); a t interval over two seeds reaches far past both.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable, Mapping, Optional

CONFIDENCE = 0.95
METHOD = "95% Student-t interval over training seeds"
#: fewer seeds than this: a comparison is "inconclusive", never a gain, a cost or "within noise"
MIN_SEEDS = 3
#: what an accuracy (a fraction) and a difference of two can be: intervals are clipped to these
ACCURACY = (0.0, 1.0)
DIFFERENCE = (-1.0, 1.0)


@dataclass(frozen=True)
class Interval:
    """A mean over n seeds with its 95% interval (low, high None where n < 2); ``values``: the n values it is
    the mean of, in seed order (empty where built by hand)."""

    mean: float
    low: Optional[float]
    high: Optional[float]
    n: int
    values: tuple[float, ...] = ()

    def excludes_zero(self) -> bool:
        return self.low is not None and (self.low > 0 or self.high < 0)

    def above_zero(self) -> bool:
        """The whole interval is above zero: a gain that counts."""
        return self.low is not None and self.low > 0

    def below_zero(self) -> bool:
        """The whole interval is below zero: a loss that counts."""
        return self.high is not None and self.high < 0


def t_quantile(df: int) -> float:
    """The two-sided 95% quantile of Student's t with `df` degrees of freedom."""
    from scipy.stats import t

    return float(t.ppf(0.5 + CONFIDENCE / 2, df))


def mean_interval(values: Iterable[float], bounds: Optional[tuple[float, float]] = None) -> Interval:
    """The mean of `values` (one per seed) and its 95% Student-t interval, clipped to `bounds` where given
    (ACCURACY for accuracies: an interval never leaves 0-100 %). ValueError when empty."""
    xs = [float(v) for v in values]
    if not xs:
        raise ValueError("mean_interval: no values")
    n, mean = len(xs), sum(xs) / len(xs)
    if n < 2:
        return Interval(mean, None, None, n, tuple(xs))
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    half = t_quantile(n - 1) * sd / math.sqrt(n)
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return Interval(mean, low, high, n, tuple(xs))


def paired(a: Mapping[int, float], b: Mapping[int, float]) -> Optional[Interval]:
    """`a - b` over the seeds both have ({seed: accuracy} each), with its interval (clipped to DIFFERENCE);
    None where they share none."""
    common = sorted(set(a) & set(b))
    return mean_interval((a[s] - b[s] for s in common), DIFFERENCE) if common else None


class Kind(StrEnum):
    """What a paired comparison decided. Only GAIN and COST count as a change; ONE_SEED has a direction
    (``Verdict.direction``) but no interval, so it never counts."""

    GAIN = "gain"
    COST = "cost"
    WITHIN_NOISE = "within noise"
    NO_DIFFERENCE = "no difference"
    ONE_SEED = "one seed"
    FEW_SEEDS = "inconclusive"          # 2 .. MIN_SEEDS - 1 seeds: an interval too wide to decide anything
    NOT_PAIRED = "no paired seeds"
    NOT_COMPARED = "not compared"       # no comparison made: the reference itself, or no baseline


@dataclass(frozen=True)
class Verdict:
    """A paired comparison decided: its ``kind`` (what code reads), its ``text`` (what a reader reads) and,
    for one seed, the ``direction`` of the single difference (+1, -1 or 0)."""

    kind: Kind
    text: str
    direction: int = 0

    @property
    def counts(self) -> bool:
        """A gain or a cost whose interval excludes zero."""
        return self.kind in (Kind.GAIN, Kind.COST)

    @property
    def quiet(self) -> bool:
        """No change found: no difference at all, or within noise."""
        return self.kind in (Kind.NO_DIFFERENCE, Kind.WITHIN_NOISE)

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)


def not_compared(text: str) -> Verdict:
    """A row with no comparison (the reference itself, no baseline), saying why in ``text``."""
    return Verdict(Kind.NOT_COMPARED, text)


def verdict(diff: Optional[Interval], up: str, down: str, *, scale: float = 100, unit: str = "pp") -> Verdict:
    """The comparison decided and worded: `up`/`down` by the mean where the interval excludes zero (GAIN,
    COST), "no difference" where every seed gave exactly the same number, "within noise" otherwise; with
    the interval. Below MIN_SEEDS seeds no verdict word: "inconclusive at 2 seeds (per-seed change -30.6,
    -8.8 pp)", kind FEW_SEEDS (ONE_SEED for one seed), never a gain or a cost; ``direction`` keeps the
    mean's sign."""
    if diff is None:
        return Verdict(Kind.NOT_PAIRED, "no paired seeds")
    if diff.mean == 0 and (diff.low is None or diff.low == diff.high == 0):
        return Verdict(Kind.NO_DIFFERENCE, f"no difference (0.0 {unit} on each of {diff.n} seed{'s' if diff.n > 1 else ''})")
    direction = 1 if diff.mean > 0 else -1
    word = up if direction > 0 else down
    if diff.n < MIN_SEEDS:
        return Verdict(Kind.ONE_SEED if diff.n == 1 else Kind.FEW_SEEDS,
                       inconclusive_text(diff, scale=scale, unit=unit), direction)
    ci = f"95% CI {diff.low * scale:+.1f} to {diff.high * scale:+.1f} {unit}, {diff.n} seeds"
    if not diff.excludes_zero():
        return Verdict(Kind.WITHIN_NOISE, f"within noise ({ci})")
    return Verdict(Kind.GAIN if direction > 0 else Kind.COST, f"{word} {abs(diff.mean) * scale:.1f} {unit} ({ci})",
                   direction)


def inconclusive_text(diff: Interval, *, scale: float = 100, unit: str = "pp") -> str:
    """"inconclusive at 2 seeds (per-seed change -30.6, -8.8 pp)"; one seed: "inconclusive at 1 seed (change
    -20.0 pp)". Without per-seed values (an Interval built by hand), the mean."""
    values = diff.values or (diff.mean,)
    changes = ", ".join(f"{v * scale:+.1f}".replace("+0.0", "0.0") for v in values)
    if diff.n == 1:
        return f"inconclusive at 1 seed (change {changes} {unit})"
    what = "per-seed change" if diff.values else "mean change"
    return f"inconclusive at {diff.n} seeds ({what} {changes} {unit})"


def accuracy_text(interval: Interval) -> str:
    """An accuracy in words: "62.4 % (95% CI 55.0–69.8 %, 5 seeds)", or "62.4 % (1 seed, no interval)"; the
    interval shown never leaves 0-100 %."""
    if interval.low is None or interval.high is None:
        return f"{interval.mean * 100:.1f} % (1 seed, no interval)"
    low, high = max(interval.low, ACCURACY[0]), min(interval.high, ACCURACY[1])
    return f"{interval.mean * 100:.1f} % (95% CI {low * 100:.1f}–{high * 100:.1f} %, {interval.n} seeds)"
