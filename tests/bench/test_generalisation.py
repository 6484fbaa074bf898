"""The generalisation study: settings declared once, the best combination chosen on paired gains, confirmed on
seeds the screen never used, and read back into ranked effects and one sentence of advice."""
from __future__ import annotations

import pytest

from bench.measurements.support import study_settings as study
from bench.measurements import Options, generalisation
from features import MFCCConfig, create_extractor
from features.backends import get
from reports import generalisation as gen
from reports.intervals import Kind
from reports.records import Generalisation, as_row


def test_every_setting_is_a_valid_config_its_backend_honours():
    names = [s.name for s in study.SETTINGS]
    assert len(names) == len(set(names)) and names[0] == study.BASELINE
    for s in study.SETTINGS:
        cfg = s.config(sample_rate=16000, sample_size=16000)
        assert get(s.backend).honours(cfg), s.name
        if s.group not in ("baseline", "preset", "cmvn"):       # exactly the named change, nothing else
            base = MFCCConfig.preset("matched").to_dict()
            changed = {k for k, v in cfg.to_dict().items() if base[k] != v}
            assert changed == set(s.changes), s.name


def test_the_study_covers_the_settings_the_question_names():
    groups = {s.group for s in study.SINGLE}
    assert {"n_mfcc", "n_mels", "mel_scale", "mel_norm", "top_db_scope", "lifter", "preemphasis", "window",
            "frame", "cmvn"} <= groups
    assert {s.changes.get("window") for s in study.SINGLE} >= {"hamming", "povey"}
    backends = {s.backend for s in study.PRESETS}
    assert backends == {"librosa_torch", "torchaudio_kaldi"}        # Kaldi's settings in both definitions


def test_fast_computes_kaldis_povey_window():
    cfg = MFCCConfig.preset("matched", window="povey", win_length=400)
    window = create_extractor("librosa_torch", cfg).window.double()
    n = 400
    import math
    expected = [(0.5 - 0.5 * math.cos(2 * math.pi * i / (n - 1))) ** 0.85 for i in range(n)]
    assert max(abs(a - b) for a, b in zip(window.tolist(), expected)) < 64 * 2 ** -24
    with pytest.raises(ValueError, match="^window='povey': .*torchaudio backend"):
        create_extractor("torchaudio", cfg)


def test_combine_keeps_the_first_of_each_field_and_only_valid_configs():
    n_mfcc_40, n_mels_23 = study._one("n_mfcc", 40), study._one("n_mels", 23)
    combo = study.combine([n_mfcc_40, n_mels_23, study._one("n_mfcc", 20), study.SINGLE[-1]])
    assert combo.changes == {"n_mfcc": 40} and combo.cmvn and combo.name == "n_mfcc=40 + cmvn"
    with pytest.raises(ValueError, match="no setting"):
        study.combine([study.PRESETS[0]])


def _rows(gains: dict, seeds=range(5), noise=(0.0, 0.1, -0.1, 0.05, -0.05)):
    """Screen records: matched at 0.6 + per-seed noise, each setting in `gains` shifted by its gain on every seed,
    the others by a small mean (0 to 1.5 pp) under a jitter that keeps their intervals across zero."""
    rows = []
    for s in seeds:
        rows.append(Generalisation(phase="screen", setting="matched", group="baseline", toward="", seed=s,
                                   test_accuracy=0.6 + noise[s]))
        for i, setting in enumerate(study.SINGLE):
            g = gains.get(setting.name, 0.005 * (i % 4))
            jitter = 0.0 if setting.name in gains else 0.2 * noise[(s + 1) % len(noise)]
            rows.append(Generalisation(phase="screen", setting=setting.name, group=setting.group,
                                       toward=",".join(setting.toward), seed=s, test_accuracy=0.6 + noise[s] + g + jitter))
    return rows


def test_best_combination_takes_each_groups_sure_gain():
    combo, rule = generalisation.best_combination(_rows({"n_mfcc=40": 0.05, "n_mfcc=20": 0.03, "cmvn": 0.02}))
    assert combo.name == "n_mfcc=40 + cmvn" and "interval" in rule and "above zero" in rule


def test_without_a_sure_gain_the_three_largest_means_are_combined():
    rows = _rows({})
    combo, rule = generalisation.best_combination(rows)
    assert rule.startswith("no interval above zero") and combo is not None and 1 <= combo.name.count("+") + 1 <= 3


def test_report_ranks_effects_and_writes_advice():
    run = {"generalisation": _rows({"n_mfcc=40": 0.05, "lifter=22": -0.04})}     # records, as a run holds them
    effects = gen.effects(run)
    assert effects[0].setting == "n_mfcc=40" and effects[0].verdict.kind is Kind.GAIN
    assert effects[0].verdict.text.startswith("gains 5.0 pp")
    assert effects[-1].setting == "lifter=22" and effects[-1].verdict.kind is Kind.COST
    assert effects[-1].verdict.text.startswith("costs 4.0 pp")
    advice = gen.advice(run)
    assert "n_mfcc=40 (+5.0 pp) helps" in advice and "lifter=22 (-4.0 pp) costs accuracy" in advice
    assert f"the other {len(study.SINGLE) - 2} settings are within noise at 5 seeds" in advice


@pytest.mark.slow
def test_study_runs_every_setting_on_the_same_seeds_then_confirms_on_fresh_ones(make_ctx):
    from model.datasets import load_splits

    splits = load_splits("synthetic", seed=0, limit=40)
    ctx = make_ctx(backends=("librosa_torch",), splits=splits, options=Options(seeds=2, epochs=1))
    rows = [as_row(r) for r in generalisation.run(ctx)["generalisation"]]
    screen = [r for r in rows if r["phase"] == "screen"]
    assert len(screen) == 2 * len(study.SETTINGS)
    assert {(r["setting"], r["seed"]) for r in screen} == {(s.name, k) for s in study.SETTINGS for k in (0, 1)}
    confirm = [r for r in rows if r["phase"] == "confirm"]
    assert {r["seed"] for r in confirm} == {1000, 1001} and {r["setting"] for r in confirm} >= {"matched"}
    assert all(0.0 <= r["test_accuracy"] <= 1.0 and r["n_test"] > 0 for r in rows)
    assert any(r["cmvn"] for r in screen) and any(r["backend"] == "torchaudio_kaldi" for r in screen)
