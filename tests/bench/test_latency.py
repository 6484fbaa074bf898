"""The latency measurement: every call timed, rounds interleaved across backends, percentiles over all calls."""
from __future__ import annotations

import numpy as np

from bench.measurements import latency
from bench.results import check_tables


def test_percentiles_are_numpys_over_every_sample():
    samples = list(np.linspace(0.001, 0.1, 1000))
    p = latency.percentiles(samples)
    assert p["p50_s"] == np.percentile(samples, 50) and p["p99_s"] == np.percentile(samples, 99)
    assert p["max_s"] == 0.1 and p["p50_s"] < p["p90_s"] < p["p99_s"] < p["max_s"]


def test_each_backend_gets_the_calls_in_interleaved_rounds(make_ctx, monkeypatch):
    monkeypatch.setattr(latency, "CALLS", latency.CALLS.__class__(small=30, full=1000))
    monkeypatch.setattr(latency, "ROUND", 10)
    order = []
    real = latency.time_calls

    def spy(fn, n, device):
        order.append(fn)
        return real(fn, n, device)

    monkeypatch.setattr(latency, "time_calls", spy)
    out = latency.run(make_ctx(backends=("librosa", "onnxruntime")))
    check_tables("latency", out)
    rows = {r.backend: r for r in out["latency"]}
    assert set(rows) == {"librosa", "onnxruntime"}
    for r in rows.values():
        assert r.calls == 30 and r.rounds == 3 and len(r.round_p50s_s) == 3 and r.duration_s == 1.0
        assert 0 < r.p50_s <= r.p90_s <= r.p99_s <= r.max_s
    # rounds alternate: A B, B A, A B
    assert order[0] is order[3] is order[4] and order[1] is order[2] is order[5] and order[0] is not order[1]
