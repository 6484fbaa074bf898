"""The leave-one-speaker-out study: its settings declared from the presets, one record per training, every
fold on the same seeds, both classifiers."""
from __future__ import annotations

import pytest

from bench.measurements.support import loso_settings as study
from bench.measurements import Options, loso
from features import MFCCConfig
from features.backends import get
from reports.records import as_row


def test_revert_one_covers_every_field_where_kaldi_differs_from_matched():
    fields = study.reverted_fields()
    assert {"window", "n_mels", "mel_scale", "mel_norm", "fmin", "lifter", "preemphasis", "top_db_scope"} <= set(fields)
    assert [next(iter(s.changes)) for s in study.REVERTS] == list(fields)
    for s in study.REVERTS:
        (name, value), = s.changes.items()
        cfg, kaldi = s.config(), MFCCConfig.preset("kaldi_defaults")
        assert getattr(cfg, name) == value == getattr(MFCCConfig.preset("matched"), name)
        assert {k for k, v in cfg.to_dict().items() if kaldi.to_dict()[k] != v} == {name}
        assert get(s.backend).honours(cfg)


def test_the_study_holds_the_baseline_the_four_presets_and_the_reverts():
    names = [s.name for s in study.SETTINGS]
    assert names[0] == "matched" and len(names) == len(set(names)) == 1 + 4 + len(study.REVERTS)
    assert {s.backend for s in study.SETTINGS if s.group == "preset"} == {"librosa_torch", "torchaudio_kaldi"}


def _fsdd_like_splits(speakers=("ann", "bob", "cy"), per=12):
    import numpy as np

    from model.splits import Splits, WaveformDataset
    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000
    paths, waves, labels = [], [], []
    for s in speakers:
        for i in range(per):
            d = i % 2
            paths.append(f"/x/{d}_{s}_{i}.wav")
            waves.append((0.3 * np.sin(2 * np.pi * (300 + 900 * d) * t) + 0.01 * rng.standard_normal(16000)).astype("float32"))
            labels.append(d)
    data = WaveformDataset(waves, labels, paths, ["0", "1"])
    return Splits(data.subset(range(0, 20)), data.subset(range(20, 24)), data.subset(range(24, len(data))), ["0", "1"])


@pytest.mark.slow
def test_every_setting_trains_on_every_fold_with_both_classifiers(make_ctx, tmp_path, monkeypatch):
    monkeypatch.setenv("MFCC_BENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(study, "SETTINGS", study.SETTINGS[:2] + study.REVERTS[:1])
    ctx = make_ctx(backends=("librosa_torch",), splits=_fsdd_like_splits(), options=Options(seeds=2, epochs=1))
    rows = [as_row(r) for r in loso.run(ctx)["loso"]]
    cnn = [r for r in rows if r["classifier"] == "cnn"]
    logreg = [r for r in rows if r["classifier"] == "logreg"]
    names = [s.name for s in study.SETTINGS]
    assert {(r["setting"], r["fold"], r["seed"]) for r in cnn} == {(n, f, k) for n in names for f in ("ann", "bob", "cy")
                                                                   for k in (0, 1)}
    assert len(cnn) == 3 * 3 * 2 and len(logreg) == 3 * 3 and {r["seed"] for r in logreg} == {0}
    assert all(r["n_test"] == 12 and r["n_train"] + r["n_val"] == 24 and 0 <= r["test_accuracy"] <= 1 for r in rows)
    # the two tones are far apart: the logistic regression on pooled statistics separates them
    assert min(r["test_accuracy"] for r in logreg if r["setting"] == "matched") == 1.0
    revert = next(r for r in rows if r["group"] == "revert")
    assert revert["reverted"] == next(iter(study.REVERTS[0].changes)) and revert["preset"] == "kaldi_defaults"
    assert any((tmp_path / "features").rglob("*.npy"))        # the features went through the cache


def test_without_clips_the_study_says_what_it_needs(make_ctx):
    with pytest.raises(ValueError, match="loso needs the dataset's clips"):
        loso.run(make_ctx(backends=("librosa_torch",), splits=None))


def test_a_loso_run_records_its_own_split_and_the_clips_it_joined():
    from types import SimpleNamespace

    from bench.run import dataset_info

    splits = SimpleNamespace(train=[0] * 20, val=[0] * 5, test=[0] * 7, labels=["a", "b"])
    assert dataset_info("fsdd", "official", splits, ["loso"]) == dict(
        name="fsdd", split="loso", n_train=None, n_val=None, n_test=None, classes=["a", "b"], n_clips=32)
    beside = dataset_info("fsdd", "official", splits, ["loso", "accuracy"])    # accuracy uses the loaded split
    assert (beside["split"], beside["n_train"], beside["n_test"]) == ("official", 20, 7) and "n_clips" not in beside


def test_the_page_and_readme_say_clips_not_train_and_test_for_a_loso_run():
    from reports.data import clip_counts

    assert clip_counts(dict(split="loso", n_train=None, n_clips=3000)) == "3,000 clips"
    assert clip_counts(dict(n_train=2430, n_val=270, n_test=300)) == "2,430 train / 270 val / 300 test clips"
    assert clip_counts(dict(n_train=2430, n_val=270, n_test=300), val=False) == "2,430 train / 300 test clips"
