"""Accuracy over seeds: the Student-t interval, paired differences, and the verdict words built on them."""
from __future__ import annotations

import math

import pytest

from reports import intervals as iv
from reports.skew import accuracy_rows, swap_rows


def test_mean_interval_is_student_t():
    # mean 2, sample sd 1, n 3: half width t(0.975, 2) / sqrt(3) = 4.302653 / 1.732051
    i = iv.mean_interval([1.0, 2.0, 3.0])
    assert i.n == 3 and i.mean == pytest.approx(2.0)
    assert i.high - i.mean == pytest.approx(4.302652729911275 / math.sqrt(3), rel=1e-9)
    assert i.low == pytest.approx(2 * i.mean - i.high)


def test_one_value_has_no_interval_and_says_so():
    i = iv.mean_interval([0.7])
    assert (i.low, i.high, i.n) == (None, None, 1)
    assert iv.accuracy_text(i) == "70.0 % (1 seed, no interval)"
    one = iv.verdict(iv.paired({0: 0.5}, {0: 0.7}), "gains", "costs")
    assert one == iv.Verdict(iv.Kind.ONE_SEED, "inconclusive at 1 seed (change -20.0 pp)", -1)
    assert not one.counts and not one.quiet          # a direction, never a cost: no interval to exclude zero
    with pytest.raises(ValueError, match="no values"):
        iv.mean_interval([])


def test_below_three_seeds_a_comparison_has_no_verdict_word():
    """Before: two seeds that dropped 30.6 and 8.8 points read "within noise" (a t interval over 2 seeds is
    12.7 times their spread); below MIN_SEEDS a comparison is inconclusive and gives its per-seed changes."""
    two = iv.verdict(iv.paired({0: 0.594, 1: 0.712}, {0: 0.90, 1: 0.80}), "gains", "costs")
    assert two == iv.Verdict(iv.Kind.FEW_SEEDS, "inconclusive at 2 seeds (per-seed change -30.6, -8.8 pp)", -1)
    assert not two.counts and not two.quiet and iv.MIN_SEEDS == 3
    same = iv.verdict(iv.paired({0: 0.9, 1: 0.8}, {0: 0.9, 1: 0.8}), "gains", "costs")
    assert same.kind is iv.Kind.NO_DIFFERENCE            # the same predictions on every seed is no statistic


def test_intervals_stay_inside_what_an_accuracy_can_be():
    """Before: the quick run's report showed "57.8 % (95% CI -57.3-173.0 %)" and a whisker reached 105.7 %."""
    wide = iv.mean_interval([0.3, 0.856], iv.ACCURACY)
    assert wide.low == 0.0 and wide.high == 1.0 and wide.mean == pytest.approx(0.578)
    assert iv.accuracy_text(wide) == "57.8 % (95% CI 0.0–100.0 %, 2 seeds)"
    assert iv.accuracy_text(iv.Interval(0.578, -0.573, 1.73, 2)) == "57.8 % (95% CI 0.0–100.0 %, 2 seeds)"
    near = iv.mean_interval([0.987, 0.783, 0.99, 0.983, 0.987], iv.ACCURACY)     # the committed kaldi seeds
    assert near.high == 1.0 and 0 < near.low < near.mean
    diff = iv.paired({0: 0.0, 1: 0.9, 2: 0.1}, {0: 1.0, 1: 0.95, 2: 0.9})
    assert diff is not None and diff.low == -1.0 and diff.values == pytest.approx((-1.0, -0.05, -0.8))
    rows = accuracy_rows({"accuracy": [_acc("librosa", "librosa", "matched", s, a) for s, a in ((0, .3), (1, .856))],
                          "reference": "librosa"}, ["librosa"])
    assert (rows[0].interval.low, rows[0].interval.high) == (0.0, 1.0)


def test_paired_uses_only_shared_seeds():
    d = iv.paired({0: 0.8, 1: 0.9, 7: 0.1}, {0: 0.7, 1: 0.7, 2: 0.0})
    assert d.n == 2 and d.mean == pytest.approx(0.15)
    assert iv.paired({0: 0.8}, {1: 0.7}) is None


@pytest.mark.parametrize("a, b, kind, start", [
    ({0: .70, 1: .71, 2: .72}, {0: .60, 1: .61, 2: .62}, iv.Kind.GAIN, "gains 10.0 pp (95% CI +10.0 to +10.0 pp, 3 seeds)"),
    ({0: .50, 1: .90, 2: .55}, {0: .60, 1: .61, 2: .62}, iv.Kind.WITHIN_NOISE, "within noise (95% CI"),
    ({0: .60, 1: .61, 2: .62}, {0: .60, 1: .61, 2: .62}, iv.Kind.NO_DIFFERENCE, "no difference (0.0 pp on each of 3 seeds)"),
    ({0: .40, 1: .45, 2: .41}, {0: .60, 1: .61, 2: .62}, iv.Kind.COST, "costs 19.0 pp"),
])
def test_verdict_kind_and_words(a, b, kind, start):
    v = iv.verdict(iv.paired(a, b), "gains", "costs")
    assert v.kind is kind and v.text.startswith(start) and str(v) == v.text


def _acc(train, test, preset, seed, acc):
    return dict(train_backend=train, test_backend=test, preset=preset, split="speakers", seed=seed,
                test_accuracy=acc, n_test=1000)


def test_swap_verdict_pairs_seeds_not_the_spread_between_them():
    # seed noise of 20 points, but serving with torchaudio costs exactly 5 points on every seed: paired, that
    # is a cost with a zero-width interval; unpaired (means and their spread) it would read as noise
    own = [_acc("librosa", "librosa", "matched", s, a) for s, a in enumerate((0.60, 0.80, 0.70))]
    served = [_acc("librosa", "torchaudio", "matched", s, a - 0.05) for s, a in enumerate((0.60, 0.80, 0.70))]
    run = {"accuracy": own + served, "reference": "librosa"}
    (row,) = swap_rows(run, ["librosa", "torchaudio"])
    assert row.verdict.kind is iv.Kind.COST
    assert row.verdict.text.startswith("costs 5.0 pp (95% CI -5.0 to -5.0 pp, 3 seeds)"), row.verdict
    assert row.interval.n == 3 and row.accuracy == pytest.approx(0.65)


def test_own_accuracy_is_a_mean_with_an_interval_and_a_paired_delta():
    recs = [_acc("librosa", "librosa", "matched", s, a) for s, a in enumerate((0.60, 0.80, 0.70))]
    recs += [_acc("torchaudio", "torchaudio", "matched", s, a) for s, a in enumerate((0.50, 0.95, 0.70))]
    rows = accuracy_rows({"accuracy": recs, "reference": "librosa"}, ["librosa", "torchaudio"])
    assert [r.backend for r in rows] == ["librosa", "torchaudio"]
    assert rows[0].verdict == iv.not_compared("the reference") and rows[0].interval.n == 3
    assert rows[1].verdict.kind is iv.Kind.WITHIN_NOISE and rows[1].delta_pp == pytest.approx(1.6666, abs=1e-3)
