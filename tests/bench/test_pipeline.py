"""The training input pipeline measurement on a tiny synthetic run."""
from __future__ import annotations

import os
import tempfile

import pytest
import torch

from bench.grid import Sizes
from bench.measurements import Context, pipeline
from bench.results import serialised
from features import MFCCConfig
from model.datasets import load_splits
from reports.schema import RECORD_LISTS

FIELDS = set(RECORD_LISTS["pipeline"])      # every field the schema declares, and no other


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pipeline")
    mp = pytest.MonkeyPatch()
    mp.setattr(pipeline, "N_CLIPS", Sizes(small=24, full=pipeline.N_CLIPS.full))
    mp.setattr(pipeline, "BATCH_SIZE", Sizes(small=8, full=pipeline.BATCH_SIZE.full))
    mp.setattr(tempfile, "tempdir", str(tmp))           # the generated WAVs go here, and must be gone after
    ctx = Context(cfg=MFCCConfig.preset("matched"), backends=("librosa", "torchaudio"), devices=("cpu",),
                  small=True, grid=None, splits=load_splits("synthetic", limit=30), progress=lambda m: None)
    try:
        out = serialised(pipeline.run(ctx))
    finally:
        mp.undo()
    return out, tmp


@pytest.mark.slow
def test_records_have_the_schema_fields_and_sane_values(records):
    out, tmp = records
    assert set(out) == {"pipeline"}
    rows = out["pipeline"]
    assert all(set(r) == FIELDS for r in rows)
    n_cpu = os.cpu_count()
    workers = sorted({0, n_cpu})
    key = [(r["backend"], r["mode"], r["workers"]) for r in rows]
    assert key == ([("librosa", "dataloader", w) for w in workers] + [("librosa", "on_device", w) for w in workers]
                   + [("torchaudio", "on_device", w) for w in workers] + [("librosa", "cache", 0)])
    for r in rows:
        assert r["device"] == "cpu" and r["batch_size"] == 8
        assert r["n_samples"] == 24                                       # the whole second pass (the first warms up)
        assert 0 < r["samples_per_s"] < 1e6 and 0 < r["features_s_per_sample"] < 1
        assert r["limiting_stage"] in ("decode", "features", "transfer", "model")
        if r["mode"] == "cache":
            assert r["decode_s_per_sample"] == 0.0 and r["limiting_stage"] == "features"
        else:
            assert 0 < r["decode_s_per_sample"] < 1
        if r["mode"] == "dataloader":                                    # decode and features share a worker
            stage = "decode" if r["decode_s_per_sample"] > r["features_s_per_sample"] else "features"
            assert r["limiting_stage"] == stage
    assert list(tmp.iterdir()) == []                                     # generated files deleted


def test_worker_counts():
    assert pipeline.worker_counts(2, small=False) == [0, 1, 2]
    assert pipeline.worker_counts(16, small=False) == [0, 1, 2, 4, 8, 16]
    assert pipeline.worker_counts(6, small=False) == [0, 1, 2, 4, 6]
    assert pipeline.worker_counts(8, small=True) == [0, 8]


class _BlasThreads(torch.utils.data.Dataset):
    """Each item: the widest BLAS/OpenMP pool the worker process sees."""

    def __len__(self):
        return 2

    def __getitem__(self, i):
        from threadpoolctl import threadpool_info

        return max((p["num_threads"] for p in threadpool_info()), default=1)


@pytest.mark.slow
def test_dataloader_workers_get_one_blas_thread_each():
    """Without the limit, 2 librosa workers on 2 cores ran slower than none (oversubscribed BLAS pools)."""
    from bench.measurements.pipeline import one_thread_per_worker

    loader = torch.utils.data.DataLoader(_BlasThreads(), batch_size=None, num_workers=1,
                                         worker_init_fn=one_thread_per_worker)
    assert list(loader) == [1, 1]
