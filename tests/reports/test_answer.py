"""The answer as one typed value: decisions read from Verdict kinds and Series fields, never from words."""
from __future__ import annotations

import html

from reports.answer import answer, html_box, lines, markdown, terminal
from reports.data import Run, load_runs
from reports.intervals import Kind
from reports.records import Accuracy
from reports.series import Series
from reports.speed_rule import Speed
from tests.reports.helpers import FIXTURE


def _acc(train: str, test: str, preset: str, seed: int, acc: float) -> Accuracy:
    return Accuracy(preset=preset, train_backend=train, test_backend=test, seed=seed, split="speakers",
                    test_accuracy=acc, n_test=1000)


def _one_seed_run() -> Run:
    """One seed; served another library's features at library_defaults, each model loses 0.4 and 20 points."""
    recs = [_acc("librosa", "librosa", "library_defaults", 0, 0.70), _acc("librosa", "torchaudio", "library_defaults", 0, 0.696),
            _acc("torchaudio", "torchaudio", "library_defaults", 0, 0.60),
            _acc("torchaudio", "librosa", "library_defaults", 0, 0.40)]
    return Run({"backends": ["librosa", "torchaudio"], "reference": "librosa", "accuracy": recs,
                "dataset_info": {"name": "fsdd", "split": "speakers"}}, label="one seed")


def test_a_one_seed_loss_is_not_a_cost():
    """Before the fix the answer counted "costs 0.4 pp (1 seed, no interval)" as a cost (by its first word) and
    said "a swap costs 0 to 20 pp"; one seed has no interval, so no loss counts as a cost."""
    a = answer([_one_seed_run()], ["librosa", "torchaudio"])
    assert a.defaults is not None and len(a.defaults.swaps) == 2
    assert a.defaults.costs == () and a.defaults.worst_cost is None
    assert {s.verdict.kind for s in a.defaults.swaps} == {Kind.ONE_SEED}
    assert [round(-s.delta_pp, 1) for s in a.defaults.unsure_losses] == [0.4, 20.0]
    line = next(x for x in lines(a) if x.startswith("Each library's own defaults"))
    assert "a swap costs" not in line and "2 of 2 swaps lose accuracy on one training seed, up to 20 pp" in line


def test_answer_is_one_value_rendered_three_ways():
    runs, _ = load_runs([FIXTURE])
    a = answer(runs, ["librosa", "torchaudio", "nnaudio", "fast", "kaldi", "torchaudio_kaldi"])
    assert a.workloads and a.gpu_capable is None            # the fixture measured a GPU
    for w in a.workloads:
        assert all(isinstance(c.a, Series) and isinstance(c.b, Series) for c in w.comparisons)
        assert all(c.b.backend == "librosa" for c in w.comparisons)          # every candidate against the reference
        assert w.choice is None if w.fastest.verdict is Speed.EVEN else isinstance(w.choice, Series)
        assert (w.at is None) == (w.scenario == "a whole corpus")       # a throughput point, or a corpus rate
        ratios = [c.ratio for c in w.comparisons]
        assert ratios[0] == max(ratios) or w.fastest.single    # fastest first
    md, text = "\n".join(markdown(a)), terminal(a)
    page = html.unescape(html_box(a)).replace("\u00a0", " ").replace("\u2060", "")
    for w in a.workloads:
        assert w.scenario in md and w.scenario in text and w.scenario in page
    for line in lines(a):
        assert line in md and line in text and line in page
