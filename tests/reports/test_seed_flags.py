"""reports.seed_flags: a seed that stopped early or sits far below its siblings is flagged, by a stated rule."""
from __future__ import annotations

import pytest

from reports import schema
from reports.records import Accuracy
from reports.seed_flags import FLOOR_PP, MADS, SeedFlag, far_below, seed_flags


def test_far_below_is_ten_points_or_three_mads_below_the_siblings_median():
    assert far_below(78.3, [98.7, 99.0, 98.3, 98.7]) == (pytest.approx(20.4), True)
    assert far_below(90.0, [98.7, 99.0, 98.3, 98.7]) == (pytest.approx(8.7), False)      # inside the 10 pp floor
    spread = [60.0, 80.0, 70.0, 90.0]                      # median 75, MAD 10: 3 MADs (30 pp) exceed the floor
    assert far_below(45.0, spread) == (30.0, False) and far_below(44.0, spread) == (31.0, True)
    assert far_below(10.0, [90.0]) == (None, False)        # one sibling: no telling which seed is the odd one
    assert FLOOR_PP == 10.0 and MADS == 3.0


def _seed(seed, acc, epochs=30, limit=30, stopped=None, test="torchaudio_kaldi"):
    return dict(preset="kaldi_defaults", train_backend="torchaudio_kaldi", test_backend=test, seed=seed,
                test_accuracy=acc, epochs=epochs, max_epochs=limit, stopped_early=stopped)


def test_the_committed_amd_runs_early_stopped_seed_is_flagged():
    """The case the issue names: a torchaudio_kaldi seed stopped at 13 epochs with 78.3 % beside 98-99 %."""
    rows = [_seed(0, 0.987), _seed(1, 0.783, epochs=13), _seed(2, 0.99), _seed(3, 0.983), _seed(4, 0.987),
            _seed(0, 0.95, test="kaldi"), _seed(1, 0.30, test="kaldi")]          # another serving: own siblings
    (flag,) = seed_flags(rows)
    assert flag == SeedFlag(preset="kaldi_defaults", train_backend="torchaudio_kaldi", test_backend="torchaudio_kaldi",
                            seed=1, test_accuracy=0.783, epochs=13, max_epochs=30, stopped_early=True, siblings=4,
                            below_pp=pytest.approx(20.4), far_below=True)


def test_each_reason_flags_alone_and_records_as_written_work_too():
    early = seed_flags([_seed(0, 0.98), _seed(1, 0.981, epochs=20), _seed(2, 0.979)])
    assert [(f.seed, f.stopped_early, f.far_below) for f in early] == [(1, True, False)]
    low = seed_flags([Accuracy(**_seed(s, a)) for s, a in ((0, 0.98), (1, 0.60), (2, 0.97), (3, 0.99))])
    assert [(f.seed, f.stopped_early, f.far_below) for f in low] == [(1, False, True)]
    assert seed_flags([_seed(0, 0.98, stopped=False, epochs=None, limit=None), _seed(1, 0.5)]) == []   # 1 sibling


def test_a_schema_3_run_is_flagged_after_the_upgrade():
    run = {"schema_version": 3, "backends": ["librosa"], "reference": "librosa",
           "accuracy": [dict(_seed(s, a, epochs=e), max_epochs=None) for s, a, e in
                        ((0, 0.987, 30), (1, 0.783, 13), (2, 0.99, 30))]}
    (before,) = seed_flags(run["accuracy"])                # no limit recorded: far below, not known to stop early
    assert (before.stopped_early, before.far_below) == (False, True)
    (flag,) = seed_flags(schema.upgrade(run)["accuracy"])
    assert (flag.seed, flag.stopped_early, flag.max_epochs, flag.far_below) == (1, True, 30, True)
