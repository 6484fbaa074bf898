"""A measurement Context for tests: tiny grid, chosen backends, the CPU."""
from __future__ import annotations

import pytest

from bench.grid import ThroughputGrid
from bench.measurements import Context
from features import MFCCConfig

TINY = ThroughputGrid(batch_sizes=(2,), durations_s=(0.5, 1.0), thin_batch_sizes=(2,), thin_durations_s=(0.5,),
                      per_clip_batch_sizes=(2,), per_clip_durations_s=(0.5,), thread_sweep=(1,),
                      thread_sweep_points=((2, 0.5),), usual_point=(2, 0.5), min_time_s=0.01, passes=2,
                      memory_batch_sizes=(1, 256))


@pytest.fixture
def make_ctx():
    """make_ctx(backends=..., **fields) -> Context on the CPU with the tiny grid."""
    def make(backends=("librosa", "torchaudio"), **fields):
        fields.setdefault("grid", ThroughputGrid(**{**TINY.__dict__, "backends": tuple(backends)}))
        fields.setdefault("progress", lambda message: None)
        return Context(cfg=MFCCConfig(), backends=tuple(backends), devices=("cpu",), small=True, **fields)
    return make
