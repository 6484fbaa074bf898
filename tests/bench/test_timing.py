import pytest

from bench import timing
from bench.timing import TimingStats, time_call


class StepClock:
    """Stands in for `time` in bench.timing: it moves only when a timed call says how long it took, so
    the timer's arithmetic is checked without reading a real clock (a shared machine's sleep overruns)."""

    def __init__(self):
        self.now = 1000.0

    def perf_counter(self) -> float:
        return self.now

    def take(self, seconds: float) -> None:
        self.now += seconds


def test_time_call_times_each_call_after_the_warmup(monkeypatch):
    clock = StepClock()
    monkeypatch.setattr(timing, "time", clock)
    durations = iter([9.0, 9.0] + [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07])   # two warm-up calls, untimed
    stats = time_call(lambda: clock.take(next(durations)), warmup=2, min_repeats=5, min_time_s=0.2)
    # 0.01 + ... + 0.05 = 0.15 < 0.2, so a sixth call (0.06) is timed; 0.21 >= 0.2 stops it there
    assert stats.samples == pytest.approx((0.01, 0.02, 0.03, 0.04, 0.05, 0.06))
    assert stats.median_s == pytest.approx(0.035) and stats.repeats == 6
    assert stats.q1_s == pytest.approx(0.0225) and stats.q3_s == pytest.approx(0.0475)
    assert stats.iqr_s == pytest.approx(stats.q3_s - stats.q1_s)


def test_repeats_until_min_time_and_bounded():
    calls = []
    stats = time_call(lambda: calls.append(1), warmup=3, min_repeats=4, max_repeats=50, min_time_s=10.0)
    assert stats.repeats == 50 and len(calls) == 53


def test_stats_from_samples():
    stats = TimingStats.from_samples([1.0, 2.0, 3.0, 4.0, 100.0])
    assert stats.median_s == 3.0 and stats.q1_s == 2.0 and stats.q3_s == 4.0 and stats.repeats == 5


def test_time_pairs_alternates_and_drops_the_warmup(monkeypatch):
    from bench.timing import time_pairs

    clock, calls = StepClock(), []
    monkeypatch.setattr(timing, "time", clock)

    def call(name, seconds):
        calls.append(name)
        clock.take(seconds)

    a, b = time_pairs(lambda: call("a", 0.5), lambda: call("b", 0.25), pairs=4, warmup=2)
    assert a == pytest.approx([0.5] * 4) and b == pytest.approx([0.25] * 4)
    assert calls == ["a", "b"] * 6          # A, B, A, B, ...: drift hits both alike
