"""The stage breakdown: declared stages are the real computation, and the records add up."""
import numpy as np
import pytest
import torch

from bench.grid import Sizes, ThroughputGrid
from bench.measurements import Context
from bench.measurements import stages
from bench.results import serialised
from bench.timing import TimingStats
from features import MFCCConfig, create_extractor
from features.backends import Backend, register, unregister
from reports.schema import RECORD_LISTS

STAGE_NAMES = {"h2d", "other", "stft", "power", "mel", "db", "dct", "lifter"}
FIELDS = set(RECORD_LISTS["stages"])      # every field the schema declares, and no other
CONFIGS = {
    "matched": dict(),
    "every-step-moved": dict(n_fft=400, win_length=320, hop_length=128, center=False, window="hamming", power=1.0,
                             lifter=22, preemphasis=0.97, top_db=50.0, top_db_scope="batch", dtype="float64"),
    "reflect-off": dict(pad_mode="reflect", top_db_scope="off", mel_scale="htk", mel_norm=None, dct_norm=None),
}


@pytest.mark.parametrize("name", CONFIGS)
@pytest.mark.parametrize("backend", ["librosa", "torchaudio", "nnaudio", "librosa_torch"])
def test_stages_chained_equal_the_forward(backend, name, rng):
    """Chained, the declared stages give exactly the backend's output: the breakdown times the real work."""
    cfg = MFCCConfig(**CONFIGS[name])
    ext = create_extractor(backend, cfg)
    batch = (0.1 * rng.standard_normal((10, 16000))).astype(np.float32)
    batch[3] *= 30.0        # a loud clip, so the batch and clip floors differ
    if backend == "librosa_torch":   # chunks of 3 clips or so: the chunked path, its last chunk short
        ext.chunk_bytes = 3 * ext.bytes_per_clip(torch.from_numpy(batch)) // torch.get_num_threads() + 1
    value = batch
    pipeline = ext.stage_pipeline()
    for _, fn in pipeline:
        value = fn(value)
    assert torch.equal(value, ext(batch))
    names = [stage for stage, _ in pipeline]
    assert names[0] == "other" and set(names) <= STAGE_NAMES and len(set(names)) == len(names)
    assert names[1:5] == ["stft", "power", "mel", "db"]
    # librosa_torch folds the lifter into its DCT matrix; the libraries apply it as a step of its own
    assert ("lifter" in names) == (cfg.lifter > 0 and backend != "librosa_torch")
    if backend == "librosa_torch":
        assert 1 < ext.chunk_clips(torch.from_numpy(batch)) < 10


class NoStages(Backend):
    name = "toy_no_stages"
    library = "numpy"
    distribution = "numpy"
    description = "a toy backend without a stage pipeline"

    def forward(self, waveform):
        return torch.zeros(np.shape(waveform)[0], self.cfg.n_mfcc, 3)


@pytest.fixture
def toy_backend():
    register(NoStages)
    yield NoStages.name
    unregister(NoStages.name)


def test_toy_run_on_a_tiny_point(monkeypatch, toy_backend):
    monkeypatch.setattr(stages, "POINTS", Sizes(small=((1, 0.25),), full=stages.POINTS.full))
    messages = []
    ctx = Context(cfg=MFCCConfig(), backends=("librosa", "torchaudio", "librosa_torch", toy_backend), devices=("cpu",),
                  small=True, grid=ThroughputGrid(usual_point=(3, 0.25), min_time_s=0.005), progress=messages.append)
    assert stages.points(ctx) == [(1, 0.25), (3, 0.25)]
    rows = serialised(stages.run(ctx))["stages"]
    assert {r["backend"] for r in rows} == {"librosa", "torchaudio", "librosa_torch"}
    assert any(toy_backend in m and "no stage" in m for m in messages)
    for r in rows:
        assert set(r) == FIELDS and r["device"] == "cpu" and r["duration_s"] == 0.25
        assert 0 < r["q1_s"] <= r["median_s"] <= r["q3_s"]
    groups = {}
    for r in rows:
        groups.setdefault((r["backend"], r["batch_size"]), []).append(r)
    assert set(groups) == {(b, n) for b in ("librosa", "torchaudio", "librosa_torch") for n in (1, 3)}
    for (backend, _), group in groups.items():
        assert [r["stage"] for r in group][:5] == ["other", "stft", "power", "mel", "db"]
        total = sum(r["median_s"] for r in group)
        assert sum(r["share"] for r in group) == pytest.approx(1.0)
        for r in group:
            assert r["stages_sum_s"] == pytest.approx(total)
            assert r["sum_ratio"] == pytest.approx(total / r["whole_s"])
            assert r["within_10pct"] == (abs(r["sum_ratio"] - 1) <= 0.10)
            assert (r["note"] == "") == r["within_10pct"]


@pytest.mark.parametrize("ratio, within, words", [(1.05, True, None), (0.95, True, None), (1.5, False, "1.50x"),
                                                 (0.5, False, "0.50x")])
def test_records_sum_ratio_and_note(ratio, within, words):
    parts = [("stft", TimingStats.from_samples([0.003] * 5)), ("mel", TimingStats.from_samples([0.001] * 5))]
    whole = TimingStats.from_samples([0.004 / ratio] * 5)
    rows = serialised({"stages": stages.records(dict(backend="b", device="cpu", batch_size=1, duration_s=1.0),
                                                parts, whole)})["stages"]
    assert [r["share"] for r in rows] == pytest.approx([0.75, 0.25])
    assert all(r["sum_ratio"] == pytest.approx(ratio) and r["within_10pct"] is within for r in rows)
    if words is None:
        assert rows[0]["note"] == ""
    else:
        assert words in rows[0]["note"]
        assert ("cache" in rows[0]["note"]) == (ratio > 1)
