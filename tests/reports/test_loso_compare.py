"""Two leave-one-speaker-out runs compared call by call: a call that flips between runs is named first, and a run
without a setting says so rather than calling it even."""
from __future__ import annotations

import subprocess
import sys
import json

from reports import loso_compare
from tests.reports.test_loso import KALDI, REVERT, _run, _trained


def _calls(rows):
    return {(r.classifier, r.setting): (r.before, r.after) for r in rows}


def test_a_call_that_changes_between_runs_comes_first_and_the_rest_are_same():
    short = _run({KALDI: 0.05, REVERT: lambda f, s: 0.05 + 0.01 * (-1) ** f})       # Kaldi gains, the revert even
    long_ = _run({KALDI: lambda f, s: 0.05 * (-1) ** f,
                  REVERT: lambda f, s: 0.05 * (-1) ** f - 0.04})                    # Kaldi even, the revert costs
    rows = loso_compare.changes(short, long_)
    calls = _calls(rows)
    assert calls[("cnn", KALDI)] == ("gains", "even") and calls[("cnn", REVERT)][1] == "costs"
    assert [r.same for r in rows] == sorted(r.same for r in rows)              # the changes lead
    first = next(r for r in rows if (r.classifier, r.setting) == ("cnn", KALDI))
    assert not first.same and round(first.before_pp, 1) == 5.0 and first.text().startswith("CHANGED CNN")
    assert all(r.same for r in loso_compare.changes(short, short))


def test_a_setting_one_run_lacks_is_missing_not_even():
    full, without = _run({KALDI: 0.05, REVERT: 0.01}), _run({KALDI: 0.05})
    calls = _calls(loso_compare.changes(full, without))
    assert calls[("cnn", REVERT)] == ("costs", "missing") and calls[("logreg", REVERT)] == ("costs", "missing")
    row = next(r for r in loso_compare.changes(full, without) if r.setting == REVERT)
    assert row.after_pp is None and row.text().rstrip().endswith("-> missing")


def test_the_text_says_how_each_run_trained():
    a, b = _trained(_run({KALDI: 0.05}), 8, 8), _trained(_run({KALDI: 0.05}, seeds=(0,)), 30, 20)
    out = loso_compare.text(a, b, ("eight", "thirty"))
    assert "A: eight: CNN 8 epochs, 3 seeds per fold; logistic regression 1 seed per fold" in out
    assert "B: thirty: CNN 30 epochs, 1 seed per fold" in out and "0 of 2 calls change" in out


def test_the_command_refuses_a_run_without_the_study_in_one_line(tmp_path):
    good, empty = tmp_path / "a.json", tmp_path / "b.json"
    good.write_text(json.dumps({"schema_version": 5, **_run({KALDI: 0.05})}))
    empty.write_text(json.dumps({"schema_version": 5}))
    proc = subprocess.run([sys.executable, "-m", "reports.loso_compare", str(good), str(empty)],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stderr.strip() == f"no leave-one-speaker-out records in {empty}"


def test_the_page_shows_where_committed_runs_disagree_against_the_one_that_answers():
    from reports.data import Run
    from reports.sections import PageInputs
    from reports.sections import loso as page

    short = Run(_trained(_run({KALDI: 0.05}), 8, 8), label="eight epochs")
    long_ = Run(_trained(_run({KALDI: lambda f, s: 0.05 * (-1) ** f}), 30, 20), label="thirty epochs")
    sec = page.section(PageInputs(runs=[short, long_], order=[]))
    changes = sec.blocks[-1]
    assert changes.slug == "loso_changes" and "The answer comes from thirty epochs" in changes.caption
    assert "2 of 2 calls change in eight epochs" in changes.caption
    (table,) = changes.tables
    assert table.headers[3:] == ["thirty epochs", "eight epochs"]
    assert [r[:2] + r[3:] for r in table.rows] == [["CNN", KALDI, "even +0.0 pp", "gains +5.0 pp"],
                                                  ["logistic regression", KALDI, "even +0.0 pp", "gains +5.0 pp"]]
    assert [b.slug for b in page.section(PageInputs(runs=[short], order=[])).blocks] == ["loso", "loso_speakers"]
