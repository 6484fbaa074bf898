import numpy as np
import pytest

from bench.agreement import Clips, compare, naive_port, run_agreement
from features import MFCCConfig


@pytest.fixture(scope="module")
def agreement(fsdd_dir):
    from features import fix_length, load_audio

    files = sorted((fsdd_dir / "recordings").glob("*.wav"))[::200][:12]
    waves = np.stack([fix_length(load_audio(f, 16000), 16000) for f in files])
    return run_agreement(Clips(waves, [str(f) for f in files]), MFCCConfig())


def test_matched_is_tiny_and_mel_scale_is_large(agreement):
    rows = {r["preset"]: r for r in agreement["agreement"]}
    assert rows["matched"]["rel_error"] < 1e-5 and rows["matched"]["correlation"] > 0.999999
    assert rows["matched"]["shapes_match"]
    ablation = {r["parameter"]: r for r in agreement["ablation"]}
    assert ablation["mel_scale"]["rel_error"] > 1e-2 > 1e3 * rows["matched"]["rel_error"]
    assert ablation["dtype"]["rel_error"] < 1e-5
    assert [r["rank"] for r in agreement["ablation"]] == list(range(1, len(agreement["ablation"]) + 1))
    assert agreement["ablation"][0]["rel_error"] >= agreement["ablation"][-1]["rel_error"]
    assert "resampler" in ablation        # real files: the resampler is ablated too


def test_presets_and_shape_mismatch(agreement):
    rows = {r["preset"]: r for r in agreement["agreement"]}
    for name in ("librosa_defaults", "torchaudio_defaults"):
        assert rows[name]["rel_error"] < 1e-4     # the interface honours each library's defaults
    swap = rows["defaults_swap"]
    assert not swap["shapes_match"] and swap["shape_librosa"] == [20, 32] and swap["shape_torchaudio"] == [40, 81]
    assert swap["compared_shape"] == [20, 32] and swap["rel_error"] > 0.1
    assert rows["naive_port"]["shapes_match"] and rows["naive_port"]["rel_error"] > 0.1


def test_batch_invariance_rows(agreement):
    rows = {(r["backend"], r["scope"]): r for r in agreement["batch_invariance"]}
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
    lib = MFCCConfig.preset("librosa_defaults")
    port = naive_port(lib, "torchaudio_defaults")
    assert (port.n_mfcc, port.n_fft, port.hop_length, port.n_mels) == (20, 2048, 512, 128)
    assert (port.mel_scale, port.mel_norm, port.pad_mode) == ("htk", None, "reflect")
