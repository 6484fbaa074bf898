"""The verdict rule and the scenario rows, on numbers worked by hand and on the committed CPU run."""

from __future__ import annotations

import pytest

from reports.data import load_runs
from reports.series import Series
from reports.speed_rule import Speed, decide, ratio_text, scenario_rows
from tests.reports.helpers import FIXTURE, SCHEMA1_CPU


def test_rule_needs_separated_ranges_and_the_threshold():
    # a: 1.0 s [0.9, 1.1]; b: 2.0 s [1.8, 2.2] -> a faster, ratio 2, range 1.8/1.1 .. 2.2/0.9
    a, b = Series("a", "cpu"), Series("b", "cpu")
    c = decide(1.0, 0.9, 1.1, 2.0, 1.8, 2.2, names=(a, b))
    assert (c.verdict, c.winner) == (Speed.FASTER, a)
    assert c.ratio == pytest.approx(2.0) and (c.lo, c.hi) == pytest.approx((1.8 / 1.1, 2.2 / 0.9))
    assert decide(1.0, 0.9, 1.6, 2.0, 1.5, 2.2).verdict is Speed.EVEN            # ranges overlap
    assert decide(1.0, 0.99, 1.01, 1.05, 1.04, 1.06).verdict is Speed.EVEN       # separated, ratio 1.05 < 1.10
    assert decide(1.0, 0.99, 1.01, 1.2, 1.19, 1.21).verdict is Speed.FASTER
    slower = decide(2.0, 1.9, 2.1, 1.0, 0.95, 1.05, names=(a, b))
    assert (slower.verdict, slower.winner) == (Speed.SLOWER, b)
    with pytest.raises(ValueError, match="threshold"):
        decide(1, 1, 1, 2, 2, 2, threshold=1.0)


def test_ratio_text_never_uses_exponents():
    assert [ratio_text(x) for x in (3.456, 1.0412, 12.3, 123.4, 1234.0)] == ["3.5×", "1.04×", "12×", "123×", "1,234×"]


def test_committed_cpu_run_verdicts():
    """Batch 1 x 1 s: librosa 2.139 ms (passes 1.403-2.217) against torchaudio 0.607 ms (0.497-0.758): 3.5x,
    range 1.403/0.758 .. 2.217/0.497, separated. Batch 64 x 1 s: 26.2 ms (25.0-27.1) against 18.4 ms (17.8-30.0): the passes overlap."""
    runs, problems = load_runs([SCHEMA1_CPU])
    assert problems == []
    rows = {r.scenario: r for r in scenario_rows(runs[0], ["librosa", "torchaudio"])}
    one = rows["one clip at a time (inference)"].cmp
    assert one.winner == Series("torchaudio", "cpu") and one.ratio == pytest.approx(2.13947 / 0.606913, rel=1e-4)
    assert (one.lo, one.hi) == pytest.approx((1.403397 / 0.757841, 2.216737 / 0.496686), rel=1e-4)
    assert rows["a training batch"].cmp.verdict is Speed.EVEN
    assert rows["long recordings (10 s clips, batched)"].cmp.verdict is Speed.EVEN
    corpus = rows["a whole corpus"]
    assert corpus.point.startswith("batch 256 × 1 s") and corpus.cmp.verdict is Speed.EVEN


def test_fixture_answers_every_device_question_and_the_corpus():
    runs, _ = load_runs([FIXTURE])
    rows = scenario_rows(runs[0], runs[0]["backends"])
    questions = {r.question for r in rows}
    assert {"CPU vs CPU", "CUDA vs CPU, incl. host→device copy", "CUDA vs CPU, kernels only"} <= questions
    inference = [r for r in rows if r.scenario.startswith("one clip")]
    assert all(r.cmp is not None and r.cmp.winner for r in inference)
    corpus = [r for r in rows if r.scenario == "a whole corpus"]
    assert {r.question for r in corpus} == {"CPU vs CPU", "CUDA vs CPU"}
    cpu = next(r for r in corpus if r.question == "CPU vs CPU")
    assert cpu.cmp.a == Series("torchaudio", "cpu") and cpu.point.startswith("corpus run: 8 vs 8 workers")
    assert cpu.cmp.ratio == pytest.approx(1500 / 900)   # same efficiency at 8 workers
