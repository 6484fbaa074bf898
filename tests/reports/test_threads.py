"""reports.threads: per workload, every CPU backend at each thread count against the reference at the same count."""
from __future__ import annotations

import pytest

from reports.threads import WORKLOADS, ThreadRow, thread_rows


def _rec(backend, batch, duration, threads, passes_ms, sweep=False, device="cpu"):
    med = sorted(passes_ms)[len(passes_ms) // 2] / 1e3
    return dict(backend=backend, device=device, batch_size=batch, duration_s=duration, threads=threads,
                thread_sweep=sweep, includes_transfer=False, median_s=med, realtime_factor=batch * duration / med,
                pass_medians_s=[p / 1e3 for p in passes_ms], passes=len(passes_ms))


def _run():
    """The committed Intel run's figures at a training batch (64 x 1 s): at one thread torchaudio 22.1 ms
    against librosa 32.6 ms, 1.5x; at both cores 11.3 against 27.2 ms."""
    return {"backends": ["librosa", "torchaudio"], "reference": "librosa", "throughput": [
        _rec("torchaudio", 64, 1.0, 2, [11.0, 11.3, 12.0]),
        _rec("librosa", 64, 1.0, 2, [26.0, 27.2, 28.0]),
        _rec("librosa", 64, 1.0, 1, [32.0, 32.6, 33.0], sweep=True),
        _rec("torchaudio", 64, 1.0, 1, [21.0, 22.1, 23.0], sweep=True),
        _rec("torchaudio", 64, 1.0, 2, [40.0, 41.0, 42.0], sweep=True),     # the main grid's row stands
        _rec("torchaudio", 64, 1.0, None, [1.0, 1.0], device="cuda"),      # not a thread count: left out
        _rec("torchaudio", 64, 10.0, 1, [200.0, 210.0], sweep=True),        # no librosa at one thread here
        _rec("librosa", 8, 1.0, 1, [5.0, 5.0], sweep=True),                 # not a workload the answer names
    ]}


def test_each_workload_gives_all_cores_then_one_thread_with_the_ratio_at_the_same_count():
    rows = thread_rows(_run())
    batch = [r for r in rows if r.workload == WORKLOADS[1][0]]
    assert [(r.backend, r.threads, r.all_cores) for r in batch] == [
        ("librosa", 2, True), ("librosa", 1, False), ("torchaudio", 2, True), ("torchaudio", 1, False)]
    ta_all, ta_one = batch[2], batch[3]
    assert ta_one == ThreadRow(workload="a training batch", batch_size=64, duration_s=1.0, backend="torchaudio",
                               threads=1, all_cores=False, median_ms=pytest.approx(22.1), lo_ms=pytest.approx(21.0),
                               hi_ms=pytest.approx(23.0), is_reference=False, ratio=pytest.approx(32.6 / 22.1),
                               ratio_lo=pytest.approx(32.0 / 23.0), ratio_hi=pytest.approx(33.0 / 21.0),
                               verdict="faster")
    assert ta_all.ratio == pytest.approx(27.2 / 11.3) and ta_all.median_ms == pytest.approx(11.3)
    assert batch[0].is_reference and batch[0].ratio is None and batch[0].verdict is None


def test_a_row_without_the_reference_at_its_thread_count_has_no_ratio():
    rows = thread_rows(_run())
    (long,) = [r for r in rows if r.workload == WORKLOADS[2][0]]
    assert (long.backend, long.threads, long.ratio, long.verdict) == ("torchaudio", 1, None, None)
    assert not [r for r in rows if r.workload == WORKLOADS[0][0]]          # nothing timed at one clip
    assert thread_rows({"backends": [], "reference": "librosa"}) == []
