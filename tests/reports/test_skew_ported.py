"""The accuracy table's "ported" rows are measured against the library_defaults model on its own features."""
from __future__ import annotations

import dataclasses

from reports.data import load_runs
from reports.intervals import Kind
from reports.skew import swap_rows
from tests.reports.helpers import SCHEMA1_CPU


def test_ported_rows_take_the_library_defaults_baseline_and_sit_beside_the_naive_swap():
    runs, _ = load_runs([SCHEMA1_CPU])
    run = runs[0]
    naive = [r for r in run["accuracy"] if r.preset == "library_defaults" and r.train_backend != r.test_backend]
    own = {r.train_backend: r for r in run["accuracy"]
           if r.preset == "library_defaults" and r.train_backend == r.test_backend}
    assert naive and own
    run["accuracy"] += [dataclasses.replace(r, preset="ported", test_accuracy=own[r.train_backend].test_accuracy)
                        for r in naive]
    rows = swap_rows(run, ["librosa", "torchaudio"])
    presets = [r.preset for r in rows]
    ported = [r for r in rows if r.preset == "ported"]
    assert len(ported) == len(naive)
    for r in ported:
        assert r.delta_pp == 0.0 and r.verdict.kind is Kind.NO_DIFFERENCE
        assert r.baseline == f"{r.train}→{r.train}, library_defaults"
        # right after the naive swap of the same training backend
        i = next(k for k, x in enumerate(rows) if x is r)
        assert rows[i - 1].preset == "library_defaults" and rows[i - 1].train == r.train
    assert presets.index("ported") > presets.index("library_defaults")
