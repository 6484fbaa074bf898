import dataclasses

import pytest

from bench.measurements.support.batches import make_batch
from bench.measurements import cold_start, io, overhead
from bench.results import serialised
from features import MFCCConfig


def test_io_records(tmp_path):
    paths = io.write_wavs(tmp_path, 5)
    rows = {(r["stage"], r["method"]): r for r in map(dataclasses.asdict, io.measure(paths, target_sr=16000, min_time_s=0.01))}
    assert set(rows) == {("decode", "soundfile"), ("resample", "soxr_hq"), ("resample", "torchaudio"),
                         ("resample", "torchaudio.functional")}
    assert rows[("decode", "soundfile")]["audio_s"] == pytest.approx(2.5)


def test_io_on_generated_files_leaves_no_litter(make_ctx, tmp_path, monkeypatch):
    import tempfile

    from model.datasets import load_splits

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    splits = load_splits("synthetic", seed=0, limit=20)
    out = serialised(io.run(make_ctx(splits=splits)))
    assert out["io"][0]["files"] == 100
    assert list(tmp_path.iterdir()) == []          # the generated WAV files are gone (they were left before)


@pytest.mark.slow
def test_cold_start_and_memory_in_a_fresh_process(make_ctx):
    out = serialised(cold_start.run(make_ctx(backends=("torchaudio",))))
    (cold,) = out["cold_start"]
    assert cold["import_s"] > 0.1 and cold["first_call_s"] > 0 and 0 < cold["steady_call_s"] < 1
    small, large = sorted(out["memory"], key=lambda r: r["batch_size"])
    # 256 one-second clips: 16 MB of input, ~53 MB of complex spectrum; a child's peak is its own
    assert large["above_baseline_bytes"] > 30e6 > small["above_baseline_bytes"]
    assert large["peak_bytes"] >= large["above_baseline_bytes"]


@pytest.mark.parametrize("backend", ["librosa", "torchaudio"])
def test_overhead_compares_with_the_library_itself(backend):
    row = dataclasses.asdict(overhead.measure(backend, MFCCConfig(), device="cpu", batch_size=4, duration_s=0.5,
                                              pairs=5, warmup=1))
    assert row["backend"] == backend and row["pairs"] == 5
    assert row["overhead_q1"] <= row["overhead"] <= row["overhead_q3"]
    assert -0.9 < row["overhead"] < 10


@pytest.mark.parametrize("backend", ["librosa", "torchaudio"])
def test_direct_call_computes_the_same_mfcc_under_a_batch_floor(backend):
    """The direct call is the same library with the same settings (not another library's call)."""
    from features import create_extractor
    from features.backends import get

    cfg = MFCCConfig(top_db_scope="batch", sample_size=8000)
    x = make_batch(3, 0.5, 16000)
    ours = create_extractor(backend, cfg)(x).numpy()
    direct = get(backend).direct_call(cfg, "cpu")(x)
    direct = direct.numpy() if hasattr(direct, "numpy") else direct
    assert abs(ours - direct).max() / abs(ours).max() < 1e-4
