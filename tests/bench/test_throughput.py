import numpy as np
import pytest

from bench.grid import FULL, QUICK, ThroughputGrid
from bench.throughput import make_batch, measure_ceiling, measure_point, run_io, scaling_exponents
from features import MFCCConfig


def test_full_grid_covers_the_required_points():
    points = FULL.points(("cpu",))
    assert {p["batch_size"] for p in points} >= {1, 8, 64, 256}
    assert {p["duration_s"] for p in points} >= {0.5, 1.0, 4.0, 10.0}
    assert {p["backend"] for p in points} == {"librosa", "torchaudio"}
    assert any(p["threads"] == 1 for p in points)
    gpu = FULL.points(("cpu", "cuda"))
    assert not any(p["backend"] == "librosa" and p["device"] == "cuda" for p in gpu)
    assert any(p["backend"] == "torchaudio" and p["device"] == "cuda" for p in gpu)


@pytest.mark.parametrize("backend", ["librosa", "torchaudio"])
def test_measure_point_record(backend):
    point = dict(backend=backend, device="cpu", batch_size=4, duration_s=0.5, threads=None)
    (row,) = measure_point(point, MFCCConfig(), min_time_s=0.01)
    assert row["realtime_factor"] == pytest.approx(4 * 0.5 / row["median_s"])
    assert row["clips_per_s"] == pytest.approx(4 / row["median_s"])
    assert row["realtime_factor_q1"] <= row["realtime_factor"] <= row["realtime_factor_q3"]
    assert row["threads"] >= 1 and row["thread_sweep"] is False and row["includes_transfer"] is False


def test_ceiling_record():
    row = measure_ceiling(MFCCConfig(), device="cpu", batch_size=4, duration_s=1.0, min_time_s=0.01)
    assert row["total_s"] == pytest.approx(row["fft_s"] + row["mel_s"])
    assert row["realtime_factor"] == pytest.approx(4.0 / row["total_s"])


def test_scaling_exponent_recovers_a_power_law():
    rows = [dict(backend="b", device="cpu", batch_size=8, duration_s=d, median_s=0.01 * d ** 1.3,
                 thread_sweep=False, includes_transfer=False) for d in (0.5, 1, 4, 10)]
    (fit,) = scaling_exponents(rows)
    assert fit["exponent"] == pytest.approx(1.3)


def test_io_records(tmp_path):
    import soundfile as sf

    paths = []
    for i, clip in enumerate(make_batch(5, 0.5, 8000)):
        paths.append(tmp_path / f"{i}.wav")
        sf.write(paths[-1], clip, 8000)
    rows = {(r["stage"], r["method"]): r for r in run_io(paths, target_sr=16000, min_time_s=0.01)}
    assert set(rows) == {("decode", "soundfile"), ("resample", "soxr_hq"), ("resample", "torchaudio"),
                         ("resample", "torchaudio.functional")}
    assert rows[("decode", "soundfile")]["audio_s"] == pytest.approx(2.5)


def test_cold_start_and_memory_in_a_fresh_process():
    from bench.throughput import run_cold_start

    out = run_cold_start(MFCCConfig(), ("torchaudio",), ("cpu",), (1, 256))
    (cold,) = out["cold_start"]
    assert cold["import_s"] > 0 and cold["first_call_s"] > 0 and 0 < cold["steady_call_s"] < 1
    small, large = sorted(out["memory"], key=lambda r: r["batch_size"])
    # 256 one-second clips: 16 MB of input, ~53 MB of complex spectrum; a child's peak is its own
    assert large["above_baseline_bytes"] > 30e6 > small["above_baseline_bytes"]
    assert large["peak_bytes"] >= large["above_baseline_bytes"]


def test_grid_passes_pool_their_samples():
    import json

    from bench.throughput import run_throughput

    grid = ThroughputGrid(batch_sizes=(2,), durations_s=(0.5, 1.0), thread_sweep=(1,), thread_sweep_point=(2, 0.5),
                          min_time_s=0.01, passes=2)
    out = run_throughput(MFCCConfig(), grid, ("cpu",))
    json.dumps(out)                                                   # nothing internal left in the records
    assert len(out["throughput"]) == 2 * 2 + 2                        # backends x durations + thread sweep
    for row in out["throughput"]:
        assert row["passes"] == 2 and len(row["pass_medians_s"]) == 2
        assert row["repeats"] >= 10                                   # min_repeats 5 per pass, pooled
        # the pooled median lies between the passes' own medians
        assert min(row["pass_medians_s"]) * 0.999 <= row["median_s"] <= max(row["pass_medians_s"]) * 1.001
        assert (row["ceiling_fraction"] is None) == row["thread_sweep"]
    assert {(c["batch_size"], c["duration_s"]) for c in out["ceiling"]} == {(2, 0.5), (2, 1.0)}
    assert all(c["passes"] == 2 for c in out["ceiling"])
    assert {(s["backend"], s["batch_size"]) for s in out["scaling"]} == {("librosa", 2), ("torchaudio", 2)}
