import numpy as np
import pytest

from bench.measurements.support.mfcc_agreement import compare, naive_port
from bench.measurements import ablation, agreement, batch_invariance
from bench.results import serialised
from features import MFCCConfig


class _Splits:
    """Just enough of model.datasets.Splits for agreement_clips: test items (waveform, label, path)."""

    def __init__(self, waves, files):
        self.test = [(w, 0, f) for w, f in zip(waves, files)]
        self.train = []


@pytest.fixture(scope="module")
def fsdd_splits(fsdd_dir):
    from features import fix_length, load_audio

    files = sorted((fsdd_dir / "recordings").glob("*.wav"))[::200][:12]
    return _Splits([fix_length(load_audio(f, 16000), 16000) for f in files], [str(f) for f in files])


@pytest.fixture
def ctx(make_ctx, fsdd_splits):
    return make_ctx(splits=fsdd_splits)


def test_matched_is_tiny_and_presets_honoured(ctx):
    out = serialised(agreement.run(ctx))
    rows = {(r["backend"], r["preset"]): r for r in out["agreement"]}
    matched = rows[("torchaudio", "matched")]
    assert matched["reference"] == "librosa" and matched["rel_error"] < 1e-5 and matched["correlation"] > 0.999999
    assert matched["shapes_match"]
    for name in ("librosa_defaults", "torchaudio_defaults"):
        assert rows[("torchaudio", name)]["rel_error"] < 1e-4     # the interface honours each library's defaults
    swap = rows[("torchaudio", "defaults_swap")]
    assert not swap["shapes_match"] and swap["reference_shape"] == [20, 32] and swap["shape"] == [40, 81]
    assert swap["compared_shape"] == [20, 32] and swap["rel_error"] > 0.1
    assert rows[("torchaudio", "naive_port")]["shapes_match"] and rows[("torchaudio", "naive_port")]["rel_error"] > 0.1
    assert set(out["example_clip"]) == {"file", "preset", "librosa", "torchaudio"}


def test_ablation_ranks_mel_scale_far_above_float64(ctx):
    rows = serialised(ablation.run(ctx))["ablation"]
    by = {r["parameter"]: r for r in rows}
    assert by["mel_scale"]["rel_error"] > 1e-2 and by["dtype"]["rel_error"] < 1e-5
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["rel_error"] >= rows[-1]["rel_error"] and rows[0]["backend"] == "torchaudio"
    assert "resampler" in by        # real files: the resampler is ablated too


def test_batch_invariance_rows(ctx):
    rows = {(r["backend"], r["scope"]): r for r in serialised(batch_invariance.run(ctx))["batch_invariance"]}
    for backend in ("librosa", "torchaudio"):
        assert rows[(backend, "clip")]["rel_error"] < 1e-5
        assert rows[(backend, "batch")]["rel_error"] > 1e-2


def test_compare_overlap_and_identity(rng):
    a = rng.standard_normal((2, 13, 50))
    same = compare(a, a)
    assert same["max_abs_error"] == 0 and same["rel_error"] == 0 and same["correlation"] == pytest.approx(1)
    wider = np.concatenate([a, rng.standard_normal((2, 7, 50))], axis=1)
    row = compare(a, wider)
    assert row["compared_shape"] == [13, 50] and not row["shapes_match"] and row["max_abs_error"] == 0


def test_naive_port_copies_shape_fields_only():
    port = naive_port(MFCCConfig.preset("librosa_defaults"), "torchaudio_defaults")
    assert (port.n_mfcc, port.n_fft, port.hop_length, port.n_mels) == (20, 2048, 512, 128)
    assert (port.mel_scale, port.mel_norm, port.pad_mode) == ("htk", None, "reflect")


def test_comparisons_per_pair():
    names = [c[0] for c in agreement.comparisons("librosa", "torchaudio")]
    assert names == ["matched", "librosa_defaults", "torchaudio_defaults", "defaults_swap", "naive_port"]
