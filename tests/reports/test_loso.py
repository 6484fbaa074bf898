"""The leave-one-speaker-out study read back: folds are the unit, seeds are averaged within a fold, comparisons
pair by fold and seed, and a claim stands only where both classifiers agree."""
from __future__ import annotations

import pytest

from reports import loso
from reports.intervals import mean_interval
from reports.records import Loso, as_row

SPEAKERS = ("george", "jackson", "lucas", "nicolas", "theo", "yweweler")
KALDI = loso.KALDI_REFERENCE
KALDI_OWN = "kaldi_defaults (Kaldi's definition)"
REVERT = "kaldi_defaults, lifter=0"


def _run(gains: dict, seeds=(0, 1, 2), logreg_gains: dict | None = None) -> dict:
    """matched at 0.6 + a speaker offset + a seed offset; each setting adds its gain (per classifier)."""
    rows = []
    groups = {KALDI: "preset", KALDI_OWN: "preset", REVERT: "revert", "matched": "baseline"}
    for clf, table, ss in (("cnn", gains, seeds), ("logreg", logreg_gains if logreg_gains is not None else gains, (0,))):
        for f, spk in enumerate(SPEAKERS):
            for s in ss:
                base = 0.6 + 0.03 * f + 0.01 * s
                for name in ("matched",) + tuple(table):
                    g = table.get(name, 0.0)
                    acc = base + (g(f, s) if callable(g) else g)
                    rows.append(Loso(classifier=clf, setting=name, group=groups[name], fold=spk, seed=s,
                                     test_accuracy=acc, reverted="lifter" if name == REVERT else None))
    return {"loso": [as_row(r) for r in rows]}


def test_folds_are_the_unit_and_seeds_are_averaged_within_them():
    run = _run({KALDI: lambda f, s: 0.05 + 0.01 * (f % 2) + 0.02 * s})
    cnn = {e.setting: e for e in loso.effects(run, "cnn")}
    e = cnn[KALDI]
    # per fold: the mean over seeds 0..2 of 0.05 + 0.01 (f % 2) + 0.02 s = 0.07 + 0.01 (f % 2)
    expected = mean_interval([0.07 + 0.01 * (f % 2) for f in range(6)])
    assert (e.diff.mean, e.diff.low, e.diff.high) == pytest.approx((expected.mean, expected.low, expected.high))
    assert e.diff.n == 6 and e.seeds == 3
    assert e.per_fold == pytest.approx({spk: 0.07 + 0.01 * (f % 2) for f, spk in enumerate(SPEAKERS)})
    assert e.verdict.startswith("gains 7.5 pp (95% CI") and e.verdict.endswith("6 folds)")
    acc = loso.accuracy(run, "cnn", "matched")
    assert acc.n == 6 and acc.mean == pytest.approx(0.6 + 0.03 * 2.5 + 0.01)


def test_a_revert_is_compared_with_kaldis_defaults_not_with_matched():
    run = _run({KALDI: 0.08, REVERT: lambda f, s: 0.08 - 0.04 - 0.002 * f})
    e = {x.setting: x for x in loso.effects(run, "cnn")}[REVERT]
    assert e.against == KALDI and e.diff.below_zero() and e.diff.mean == pytest.approx(-0.045)


def test_a_claim_needs_both_classifiers():
    both = _run({KALDI: lambda f, s: 0.05 + 0.003 * f, REVERT: lambda f, s: 0.05 - 0.03 + 0.002 * f})
    claims = loso.claims(both)
    assert [(c.setting, c.direction) for c in claims] == [(KALDI, "gains"), (REVERT, "costs")]
    assert set(claims[0].diffs) == {"cnn", "logreg"} and claims[0].text().startswith(f"{KALDI} gains against matched")
    one = _run({KALDI: lambda f, s: 0.05 + 0.003 * f}, logreg_gains={KALDI: lambda f, s: 0.1 * (-1) ** f})
    assert loso.claims(one) == []


def test_one_speaker_can_carry_a_mean_but_not_an_interval():
    run = _run({KALDI: lambda f, s: 0.30 if f == 2 else 0.0})       # lucas alone gains 30 pp
    e = {x.setting: x for x in loso.effects(run, "cnn")}[KALDI]
    assert e.diff.mean == pytest.approx(0.05) and not e.diff.excludes_zero()
    rows = {r.speaker: r.accuracy for r in loso.per_speaker(run)}
    assert rows["lucas"][("cnn", KALDI)] - rows["lucas"][("cnn", "matched")] == pytest.approx(0.30)
    assert rows["george"][("logreg", KALDI)] == pytest.approx(rows["george"][("logreg", "matched")])


def test_the_answer_is_a_value_with_its_speakers_folds_and_seeds():
    run = _run({KALDI: lambda f, s: 0.05 + 0.003 * f, KALDI_OWN: 0.0,
                REVERT: lambda f, s: 0.05 - 0.03 + 0.002 * f})
    u = loso.unseen_speakers(run)
    assert u.speakers == SPEAKERS and u.folds == 6 and u.seeds == {"cnn": (3, 3), "logreg": (1, 1)}
    assert u.classifiers == ("cnn", "logreg") and u.kaldi_lead_survives and u.carriers == ("lifter=0",)
    assert u.baseline["cnn"].n == 6
    s = u.sentence()
    assert s.startswith("On unseen speakers (leave-one-speaker-out: 6 folds, each of 6 speakers held out once; "
                        "CNN 3 seeds per fold, logistic regression 1 seed per fold): Kaldi's defaults beat matched")
    assert "reverting lifter=0 alone loses the lead for both" in s
    no_lead = loso.unseen_speakers(_run({KALDI: 0.05}, logreg_gains={KALDI: lambda f, s: 0.1 * (-1) ** f}))
    assert not no_lead.kaldi_lead_survives and "not supported by both classifiers" in no_lead.sentence()


def test_a_run_without_the_study_has_no_answer():
    assert loso.unseen_speakers({"loso": []}) is None and loso.unseen_speakers({}) is None


def test_the_page_section_shows_both_classifiers_the_reverts_and_every_speaker():
    from reports.data import Run
    from reports.sections import PageInputs
    from reports.sections import loso as page

    run = Run(_run({KALDI: lambda f, s: 0.05 + 0.003 * f, KALDI_OWN: 0.0,
                    REVERT: lambda f, s: 0.05 - 0.03 + 0.002 * f}), label="test run")
    sec = page.section(PageInputs(runs=[run], order=[]))
    effects_block, speakers_block = sec.blocks
    presets, reverts = effects_block.tables
    assert presets.headers[2:6] == ["CNN: accuracy over folds", "CNN: paired difference",
                                    "logistic regression: accuracy over folds", "logistic regression: paired difference"]
    assert [r[0] for r in presets.rows] == [KALDI, KALDI_OWN] and presets.rows[0][-1] == "yes"
    assert presets.rows[1][-1] == "no" and presets.rows[1][3].startswith("no difference")
    assert [r[0] for r in reverts.rows] == [REVERT] and reverts.rows[0][1] == KALDI
    assert [r[0] for r in speakers_block.tables[0].rows] == list(SPEAKERS)
    assert "Claims both classifiers support: " + KALDI in effects_block.caption
    assert effects_block.figure() is not None


def test_the_summary_names_both_classifiers_every_effect_and_every_speaker():
    text = loso.summary(_run({KALDI: lambda f, s: 0.05 + 0.003 * f, REVERT: lambda f, s: 0.05 - 0.03 + 0.002 * f}))
    assert text.startswith("On unseen speakers (leave-one-speaker-out: 6 folds")
    assert "CNN — matched" in text and "logistic regression — matched" in text
    assert sum(line.startswith("  " + REVERT) for line in text.splitlines()) == 2
    assert all(f"  {spk} | " in text for spk in SPEAKERS)
    assert loso.summary({}) == "no leave-one-speaker-out records in this run"


def test_a_run_stopped_by_its_deadline_says_how_uneven_the_seeds_are():
    run = _run({KALDI: 0.05})
    run["loso"] = [r for r in run["loso"] if not (r["classifier"] == "cnn" and r["seed"] == 2 and r["fold"] == "theo")]
    u = loso.unseen_speakers(run)
    assert u.seeds["cnn"] == (2, 3) and "CNN 2 to 3 seeds per fold" in u.sentence()
    theo = {e.setting: e for e in loso.effects(run, "cnn")}[KALDI].per_fold["theo"]
    assert theo == pytest.approx(0.05)


def test_committed_runs_without_the_table_still_load_and_have_no_answer():
    from pathlib import Path

    from reports.run_results import read

    root = Path(__file__).resolve().parents[2] / "reports" / "results"
    for path in sorted(root.glob("*/results.json")):
        results, problems = read(path)
        assert problems == [], path
        assert (loso.unseen_speakers(results) is None) == (not results.get("loso")), path


def _trained(run: dict, epochs: int, best: int) -> dict:
    for r in run["loso"]:
        if r["classifier"] == "cnn":
            r.update(epochs=epochs, best_epoch=best)
    return run


def test_the_answer_says_how_long_the_cnn_trained_and_whether_it_was_still_learning():
    run = _trained(_run({KALDI: 0.05}), 8, 8)
    for r in run["loso"][:len(run["loso"]) // 4]:
        if r["classifier"] == "cnn":
            r["best_epoch"] = 6
    u = loso.unseen_speakers(run)
    share = sum(r["best_epoch"] == 8 for r in run["loso"] if r["classifier"] == "cnn") / sum(
        r["classifier"] == "cnn" for r in run["loso"])
    assert u.epochs == 8 and u.last_epoch_best == pytest.approx(share) and 0 < share < 1
    assert f"the CNN trained up to 8 epochs, its best epoch the last it ran in {share * 100:.0f} % of trainings" in u.sentence()
    assert loso.unseen_speakers(_run({KALDI: 0.05})).epochs is None


def test_the_answer_comes_from_the_run_with_every_seed_then_the_longest_trained_cnn():
    partial = _trained(_run({KALDI: 0.05}), 30, 20)
    partial["loso"] = [r for r in partial["loso"] if not (r["classifier"] == "cnn" and r["seed"] == 2)]
    short, long_ = _trained(_run({KALDI: 0.05}), 8, 8), _trained(_run({KALDI: 0.05}), 30, 25)
    assert loso.strongest([partial, short]) is short           # 3 seeds on every fold beat more epochs on 2
    assert loso.strongest([partial, short, long_]) is long_     # among complete runs, the longer-trained CNN
    assert loso.strongest([partial, {"loso": []}]) is partial and loso.strongest([{}]) is None


def test_the_readme_line_comes_from_the_strongest_run_whatever_the_order():
    from reports.answer_accuracy import speakers_line

    partial = _trained(_run({KALDI: 0.05}), 8, 8)
    partial["loso"] = [r for r in partial["loso"] if not (r["classifier"] == "cnn" and r["seed"] == 2)]
    complete = _trained(_run({KALDI: 0.05}), 8, 8)
    assert speakers_line([partial, complete], []) == loso.unseen_speakers(complete).sentence()
    assert "CNN 3 seeds per fold" in speakers_line([partial, complete], [])


def test_the_settings_study_advice_defers_to_leave_one_speaker_out_where_a_run_has_it():
    from reports.sections.accuracy import study_caption

    run = _trained(_run({KALDI: 0.05}, logreg_gains={KALDI: lambda f, s: 0.1 * (-1) ** f}), 8, 8)
    with_loso = study_caption([run])
    assert "What leave-one-speaker-out says (section 5b): " + loso.unseen_speakers(run).sentence() in with_loso
    assert "not supported by both classifiers" in with_loso
    assert "leave-one-speaker-out (`make bench-loso`) puts it there" in study_caption([{}])
