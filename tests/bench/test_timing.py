import time

import pytest

from bench.timing import TimingStats, time_call


def test_time_call_measures_a_known_sleep():
    stats = time_call(lambda: time.sleep(0.02), warmup=1, min_repeats=5, min_time_s=0.1)
    assert 0.019 <= stats.median_s < 0.035
    assert stats.q1_s <= stats.median_s <= stats.q3_s
    assert stats.iqr_s == pytest.approx(stats.q3_s - stats.q1_s)
    assert stats.repeats >= 5


def test_repeats_until_min_time_and_bounded():
    calls = []
    stats = time_call(lambda: calls.append(1), warmup=3, min_repeats=4, max_repeats=50, min_time_s=10.0)
    assert stats.repeats == 50 and len(calls) == 53


def test_stats_from_samples():
    stats = TimingStats.from_samples([1.0, 2.0, 3.0, 4.0, 100.0])
    assert stats.median_s == 3.0 and stats.q1_s == 2.0 and stats.q3_s == 4.0 and stats.repeats == 5


def test_time_pairs_alternates_and_drops_the_warmup():
    from bench.timing import time_pairs

    calls = []
    a, b = time_pairs(lambda: calls.append("a"), lambda: calls.append("b"), pairs=4, warmup=2)
    assert len(a) == len(b) == 4 and all(t >= 0 for t in a + b)
    assert calls == ["a", "b"] * 6          # A, B, A, B, ...: drift hits both alike
