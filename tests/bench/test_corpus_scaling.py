"""The corpus scaling measurement on a tiny run (Ray started locally by the measurement)."""
from __future__ import annotations

import pytest
import soundfile as sf

from bench.grid import Sizes
from bench.measurements import Context, corpus_scaling
from bench.results import serialised
from features import MFCCConfig
from model.datasets import load_splits
from reports.schema import RECORD_LISTS

FIELDS = set(RECORD_LISTS["corpus_scaling"])      # every field the schema declares, and no other


@pytest.fixture(scope="module")
def result(fsdd_dir):
    pytest.importorskip("ray")
    mp = pytest.MonkeyPatch()
    mp.setattr(corpus_scaling, "N_FILES", Sizes(small=12, full=corpus_scaling.N_FILES.full))
    mp.setattr(corpus_scaling, "WORK_S", Sizes(small=0.0, full=0.0))   # each file once (sized() is tested apart)
    ctx = Context(cfg=MFCCConfig.preset("matched"), backends=("librosa",), devices=("cpu",), small=True, grid=None,
                  splits=load_splits("fsdd", data_dir=fsdd_dir, limit=40), progress=lambda m: None)
    try:
        out = serialised(corpus_scaling.run(ctx))
    finally:
        mp.undo()
    return out, ctx


@pytest.mark.slow
def test_scaling_records_have_the_schema_fields_and_consistent_values(result):
    out, ctx = result
    rows = out["corpus_scaling"]
    assert all(set(r) == FIELDS for r in rows)
    assert [(r["engine"], r["workers"]) for r in rows] == [("single_process", 1), ("ray", 1), ("ray", 2)]
    with corpus_scaling.train_files(ctx.splits, 12) as items:
        hours = sum(sf.info(p).duration for p, _ in items) / 3600
    single, one, two = rows
    for r in rows:
        assert r["backend"] == "librosa" and r["device"] == "cpu" and r["files"] == 12
        assert r["audio_hours"] == pytest.approx(hours, rel=1e-3)          # every file's audio, once
        assert r["audio_hours_per_hour"] == pytest.approx(r["audio_hours"] * 3600 / r["wall_s"])
        assert r["audio_hours_per_hour_per_worker"] == pytest.approx(r["audio_hours_per_hour"] / r["workers"])
    assert single["speedup_vs_one_worker"] is None and single["engine_start_s"] is None
    assert one["speedup_vs_one_worker"] == 1.0 and one["efficiency"] == 1.0
    assert one["overhead_vs_single_process"] == pytest.approx(one["wall_s"] / single["wall_s"] - 1)
    assert two["speedup_vs_one_worker"] == pytest.approx(one["wall_s"] / two["wall_s"])
    assert two["efficiency"] == pytest.approx(two["speedup_vs_one_worker"] / 2)
    assert two["overhead_vs_single_process"] is None and two["engine_start_s"] > 0


@pytest.mark.slow
def test_projection_is_labelled_and_derived_from_the_measured_rate(result):
    out, _ = result
    one, two = out["corpus_scaling"][1:]
    proj = out["projection"]
    assert {(p["count"], p["corpus_hours"]) for p in proj} == {(k, h) for k in corpus_scaling.CPU_COUNTS
                                                              for h in corpus_scaling.CORPUS_HOURS}
    for p in proj:
        assert p["label"] == "projection" and p["resource"] == "cpu_workers" and "efficiency" in p["basis"]
        eff = 1.0 if p["count"] == 1 else min(1.0, two["efficiency"])
        assert p["projected_wall_h"] == pytest.approx(p["corpus_hours"] / (one["audio_hours_per_hour"] * p["count"] * eff))


def test_worker_counts():
    assert corpus_scaling.worker_counts(2, small=True) == [1, 2]
    assert corpus_scaling.worker_counts(1, small=True) == [1]
    assert corpus_scaling.worker_counts(4, small=False) == [1, 2, 3, 4]


def test_each_rate_rests_on_the_asked_work_not_on_the_file_count():
    items = [(f"f{i}.wav", "a") for i in range(10)]
    assert corpus_scaling.sized(items, 0.001, 20.0) == [items[i % 10] for i in range(20000)]   # cycled to 20 s
    assert corpus_scaling.sized(items, 1.0, 3.0) == items[:3]                                 # a slow backend: fewer
    assert corpus_scaling.sized(items, 0.5, 0.0) == items                                     # no target: one pass
    assert max(corpus_scaling.CPU_COUNTS) <= 16          # the projection stops where a 2-core run can still speak


def test_a_projection_never_assumes_more_than_full_scaling_efficiency():
    """The committed AMD run measured librosa 2.54x faster on two Ray workers than on one (efficiency 1.27,
    its one-worker run the slow one); the projection used 1.27 up to 16 workers."""
    from reports.records import CorpusScaling

    def rec(workers, rate, efficiency):
        return CorpusScaling(backend="librosa", device="cpu", engine="ray", workers=workers, files=7509,
                             audio_hours_per_hour=rate, efficiency=efficiency)

    above = corpus_scaling.project([rec(1, 328.0, 1.0), rec(2, 834.6, 1.27)])
    below = corpus_scaling.project([rec(1, 328.0, 1.0), rec(2, 590.4, 0.9)])
    for proj, eff in ((above, 1.0), (below, 0.9)):
        for p in proj:
            assert p.projected_wall_h == pytest.approx(p.corpus_hours / (328.0 * p.count * (1.0 if p.count == 1 else eff)))
    at_16 = next(p for p in above if p.count == 16 and p.corpus_hours == 1000)
    assert "efficiency 1.00 (measured 1.27 at 2 workers, capped at 1.00" in at_16.basis
    assert "capped" not in next(p for p in below if p.count == 16).basis
