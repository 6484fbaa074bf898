import json

import pytest

from bench.grid import FULL
from bench.measurements import Options
from bench.results import serialised
from bench.measurements import throughput
from features import MFCCConfig


def test_full_grid_covers_the_required_points():
    grid = type(FULL)(**{**FULL.__dict__, "backends": ("librosa", "torchaudio")})
    points = grid.points(("cpu",))
    assert {p["batch_size"] for p in points} >= {1, 8, 64, 256}
    assert {p["duration_s"] for p in points} >= {0.5, 1.0, 4.0, 10.0}
    assert {p["backend"] for p in points} == {"librosa", "torchaudio"}
    assert any(p["threads"] == 1 for p in points)
    gpu = grid.points(("cpu", "cuda"))
    assert not any(p["backend"] == "librosa" and p["device"] == "cuda" for p in gpu)   # declared CPU-only
    assert any(p["backend"] == "torchaudio" and p["device"] == "cuda" for p in gpu)
    assert grid.thinned() == []


@pytest.mark.parametrize("backend", ["librosa", "torchaudio"])
def test_point_record(backend):
    point = dict(backend=backend, device="cpu", batch_size=4, duration_s=0.5, threads=None)
    ((keys, stats),) = throughput.time_point(point, MFCCConfig(), min_time_s=0.01)
    row = throughput.rates(keys, stats)
    assert row["realtime_factor"] == pytest.approx(4 * 0.5 / row["median_s"])
    assert row["clips_per_s"] == pytest.approx(4 / row["median_s"])
    assert row["realtime_factor_q1"] <= row["realtime_factor"] <= row["realtime_factor_q3"]
    assert row["threads"] >= 1 and row["thread_sweep"] is False and row["includes_transfer"] is False


def test_ceiling_record():
    row = throughput.measure_ceiling(MFCCConfig(), device="cpu", batch_size=4, duration_s=1.0, min_time_s=0.01)
    assert row["total_s"] == pytest.approx(row["fft_s"] + row["mel_s"])
    assert row["realtime_factor"] == pytest.approx(4.0 / row["total_s"])
    assert row["whole_batch_s"] == row["total_s"] and row["chunked_s"] is None     # one chunk: whole only


def test_ceiling_keeps_the_faster_of_whole_and_chunked(monkeypatch):
    monkeypatch.setattr(throughput, "CEILING_CHUNK", 2)
    row = throughput.measure_ceiling(MFCCConfig(), device="cpu", batch_size=4, duration_s=1.0, min_time_s=0.01)
    assert row["chunked_s"] is not None and row["total_s"] == min(row["whole_batch_s"], row["chunked_s"])
    assert row["chunk_clips"] == (4 if row["total_s"] == row["whole_batch_s"] else 2)


def test_a_pass_that_would_outlast_the_deadline_is_not_started(make_ctx):
    import time

    out = serialised(throughput.run(make_ctx(options=Options(deadline=time.monotonic() + 0.001))))
    assert out["throughput"] and all(r["passes"] == 1 and len(r["pass_medians_s"]) == 1 for r in out["throughput"])
    assert all(c["passes"] == 1 for c in out["ceiling"])


def test_scaling_exponent_recovers_a_power_law():
    rows = [dict(backend="b", device="cpu", batch_size=8, duration_s=d, median_s=0.01 * d ** 1.3,
                 thread_sweep=False, includes_transfer=False) for d in (0.5, 1, 4, 10)]
    (fit,) = throughput.scaling_exponents(rows)
    assert fit.exponent == pytest.approx(1.3)


def test_grid_passes_pool_their_samples(make_ctx):
    out = serialised(throughput.run(make_ctx()))
    json.dumps(out)                                                   # nothing internal left in the records
    assert len(out["throughput"]) == 2 * 2 + 2                        # backends x durations + thread sweep
    for row in out["throughput"]:
        assert row["passes"] == 2 and len(row["pass_medians_s"]) == 2 and row["config"] == "matched"
        assert row["repeats"] >= 10                                   # min_repeats 5 per pass, pooled
        # the pooled median lies between the passes' own medians
        assert min(row["pass_medians_s"]) * 0.999 <= row["median_s"] <= max(row["pass_medians_s"]) * 1.001
        assert (row["ceiling_fraction"] is None) == row["thread_sweep"]
    assert {(c["batch_size"], c["duration_s"]) for c in out["ceiling"]} == {(2, 0.5), (2, 1.0)}
    assert all(c["passes"] == 2 for c in out["ceiling"])
    assert {(s["backend"], s["batch_size"]) for s in out["scaling"]} == {("librosa", 2), ("torchaudio", 2)}


def test_every_torch_backend_and_the_reference_are_swept_at_each_answer_workload():
    """`librosa_torch` (then `fast`) was not in the thread sweep, and the sweep stood at 64 x 1 s only: now the reference and every
    backend that computes on torch's threads are timed at one thread at each workload the answer names
    where the grid times them (the DataLoader-worker case), in the full run and in `make bench`'s."""
    from bench.grid import THREE_WORKLOADS
    from features.backends import names

    workloads = {(1, 1.0), (64, 1.0), (64, 10.0)}
    for grid in (FULL, THREE_WORKLOADS):
        grid = type(grid)(**{**grid.__dict__, "backends": names()})
        swept = {(p["backend"], p["batch_size"], p["duration_s"]) for p in grid.points(("cpu",)) if p["threads"] == 1}
        assert {b for b, _, _ in swept} == {"librosa", "torchaudio", "nnaudio", "librosa_torch", "torchaudio_kaldi"}
        for backend in ("librosa", "torchaudio", "nnaudio", "librosa_torch"):
            assert {(b, d) for s, b, d in swept if s == backend} == workloads, backend
        assert {(b, d) for s, b, d in swept if s == "torchaudio_kaldi"} == {(1, 1.0), (64, 1.0)}   # per clip: 1 s only


def test_a_thread_sweep_point_runs_every_library_on_that_many_threads():
    """torch.set_num_threads alone left NumPy's OpenBLAS (librosa's mel product) on every core, so librosa's
    'one thread' row was not one thread; the record says the count it ran with."""
    import torch
    from threadpoolctl import threadpool_info

    from bench.measurements.support.batches import torch_threads

    before = (torch.get_num_threads(), [p["num_threads"] for p in threadpool_info()])
    with torch_threads(1):
        assert torch.get_num_threads() == 1 and all(p["num_threads"] == 1 for p in threadpool_info())
    assert (torch.get_num_threads(), [p["num_threads"] for p in threadpool_info()]) == before
    point = dict(backend="librosa", device="cpu", batch_size=2, duration_s=0.5, threads=1)
    ((keys, _),) = throughput.time_point(point, MFCCConfig(), min_time_s=0.01)
    assert keys["threads"] == 1 and keys["thread_sweep"] is True
