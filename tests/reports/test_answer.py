"""The answer as one typed value: decisions read from Verdict kinds and Series fields, never from words; led by
the question (GPU line, torchaudio against librosa per workload and thread count, one column per machine), with
honest small samples."""
from __future__ import annotations

import html
import re

import pytest

from reports.agreement_verdict import Agree, agree, agreement_lines
from reports.answer import answer, cell_text, fastest_text, gpu_text, html_box, lines, markdown, terminal
from reports.answer_accuracy import SMOKE
from reports.data import Run, load_runs
from reports.intervals import Kind
from reports.records import Accuracy
from reports.series import Series
from reports.speed_rule import Speed
from tests.reports.helpers import COMMITTED_RUNS, FIXTURE, REPO

ORDER = ["librosa", "torchaudio", "nnaudio", "librosa_torch", "kaldi", "torchaudio_kaldi", "audioflux"]
AMD = REPO / "reports" / "results" / "cpu-amd-epyc-2core" / "results.json"
INTEL = REPO / "reports" / "results" / "cpu-intel-xeon-2core" / "results.json"


def _acc(train: str, test: str, preset: str, seed: int, acc: float, split: str = "speakers", **kw) -> Accuracy:
    return Accuracy(preset=preset, train_backend=train, test_backend=test, seed=seed, split=split,
                    test_accuracy=acc, n_test=1000, **kw)


def _run(recs: list[Accuracy], label: str, dataset: str = "fsdd", split: str | None = "speakers") -> Run:
    return Run({"backends": ["librosa", "torchaudio"], "reference": "librosa", "accuracy": recs,
                "dataset": dataset, "dataset_info": {"name": dataset, "split": split}}, label=label)


def _one_seed_run() -> Run:
    """One seed; served another library's features at library_defaults, each model loses 0.4 and 20 points."""
    recs = [_acc("librosa", "librosa", "library_defaults", 0, 0.70), _acc("librosa", "torchaudio", "library_defaults", 0, 0.696),
            _acc("torchaudio", "torchaudio", "library_defaults", 0, 0.60),
            _acc("torchaudio", "librosa", "library_defaults", 0, 0.40)]
    return _run(recs, "one seed")


def test_a_one_seed_loss_is_not_a_cost():
    """Before: "costs 0.4 pp (1 seed, no interval)" counted as a cost (by its first word), then a verdict word on
    one seed; now no loss on fewer than 3 seeds counts, and none is worded as a cost."""
    a = answer([_one_seed_run()], ["librosa", "torchaudio"])
    (defaults,) = a.defaults
    assert len(defaults.swaps) == 2 and defaults.costs == () and defaults.inconclusive
    assert {s.verdict.kind for s in defaults.swaps} == {Kind.ONE_SEED}
    assert [round(-s.delta_pp, 1) for s in defaults.unsure_losses] == [0.4, 20.0]
    line = next(x for x in lines(a) if x.startswith("Each library's own defaults"))
    assert "costs" not in line and "inconclusive at 1 seed (change -20.0 pp)" in line


def _two_seed_quick_run() -> Run:
    """The quick run the issue quotes: 2 seeds on synthetic data, the torchaudio model served librosa's features
    loses 30.6 and 8.8 points."""
    recs = [_acc("torchaudio", "torchaudio", "library_defaults", 0, 0.90, None),
            _acc("torchaudio", "torchaudio", "library_defaults", 1, 0.80, None),
            _acc("torchaudio", "librosa", "library_defaults", 0, 0.594, None),
            _acc("torchaudio", "librosa", "library_defaults", 1, 0.712, None)]
    return _run(recs, "quick", dataset="synthetic", split=None)


def _committed_five_seeds() -> Run:
    recs = [_acc("torchaudio", t, "library_defaults", s, a + (0.0 if t == "torchaudio" else -0.35 - 0.01 * s),
                 "official") for s, a in enumerate((0.97, 0.98, 0.99, 0.96, 0.97)) for t in ("torchaudio", "librosa")]
    return _run(recs, "committed AMD", split="official")


def test_two_seeds_are_inconclusive_and_name_the_committed_figure():
    """Before: "Each library's own defaults: no swap cost beyond noise" while its seeds dropped 30.6 and 8.8
    points; below 3 seeds no verdict word, the per-seed changes, and the committed run's figure."""
    a = answer([_two_seed_quick_run()], ["librosa", "torchaudio"], committed=[_committed_five_seeds()])
    (defaults,) = a.defaults
    assert defaults.worst.verdict.kind is Kind.FEW_SEEDS and not defaults.worst.verdict.counts
    line = swap_line_of(a)
    assert "inconclusive at 2 seeds (per-seed change -30.6, -8.8 pp)" in line
    assert "no swap cost beyond noise" not in line and "within noise" not in line
    assert defaults.stand_in is not None and defaults.stand_in.run == "committed AMD"
    assert "The committed run committed AMD (fsdd, official split, 5 seeds) measures the same swap: costs 37.0 pp" in line


def test_the_quick_runs_accuracy_is_labelled_a_smoke_test():
    a = answer([_two_seed_quick_run()], ["librosa", "torchaudio"])
    assert swap_line_of(a).startswith(SMOKE) and "synthetic" in SMOKE
    assert not any(x.startswith(SMOKE) for x in lines(answer([_one_seed_run()], ["librosa", "torchaudio"])))


def swap_line_of(a) -> str:
    return next(x for x in lines(a) if "Each library's own defaults" in x)


def test_a_seed_that_stopped_early_is_flagged_in_the_answer():
    recs = [_acc("torchaudio", "torchaudio", "matched", s, acc, epochs=e, max_epochs=30, stopped_early=e < 30)
            for s, acc, e in ((0, 0.987, 30), (1, 0.783, 13), (2, 0.99, 30), (3, 0.983, 30))]
    recs += [_acc("librosa", "librosa", "matched", s, 0.98, epochs=30, max_epochs=30, stopped_early=False)
             for s in range(4)]
    a = answer([_run(recs, "flagged")], ["librosa", "torchaudio"])
    assert [(run, f.seed) for run, f in a.flags] == [("flagged", 1)]
    flag = next(x for x in lines(a) if x.startswith("Flagged seeds"))
    assert "torchaudio→torchaudio (matched) seed 1, flagged: 78.3 %, stopped early at 13 of 30 epochs" in flag


def test_the_grid_has_a_row_per_workload_and_thread_count_and_a_column_per_machine():
    runs, _ = load_runs([AMD, INTEL])
    a = answer(runs, ORDER)
    assert a.subjects == ("torchaudio",) and a.machines == (runs[0].label, runs[1].label)
    rows = {(r.workload, r.one_thread): r for r in a.grid}
    batch_all, batch_one = rows[("a training batch", False)], rows[("a training batch", True)]
    assert [c.threads for c in batch_all.cells] == [2, 2] and [c.threads for c in batch_one.cells] == [1, 1]
    # the one-thread figures: 12.9 against 13.7 ms (even) on AMD; on Intel the issue quoted 22.1 against 32.6 ms
    # (1.5x), and the full run redone with BLAS limited to one thread too (threadpoolctl) finds them even
    amd, intel = batch_one.cells
    assert (round(amd.ms, 1), round(amd.reference_ms, 1), amd.verdict) == (12.9, 13.7, Speed.EVEN)
    assert (round(intel.ms, 1), round(intel.reference_ms, 1), intel.verdict) == (20.7, 21.0, Speed.EVEN)
    assert amd.ratio == pytest.approx(amd.reference_ms / amd.ms)
    long = rows[("long recordings (10 s clips, batched)", False)]
    # 0.7x (slower) on AMD, 1.09x (even) on the redone Intel run: no machine says faster, so no disagreement
    assert not long.disagrees and not batch_all.disagrees
    assert [c.verdict for c in long.cells] == [Speed.SLOWER, Speed.EVEN]
    md = "\n".join(markdown(a))
    assert "Machines disagree" not in md
    assert "| a training batch, 64 × 1 s, one thread (DataLoader worker) | 12.9 ms against librosa's 13.7 ms: " in md


def test_every_speed_verdict_names_its_thread_count():
    runs, _ = load_runs([AMD, INTEL])
    a = answer(runs, ORDER)
    assert all("thread" in cell_text(c) for r in a.grid for c in r.cells if c is not None)
    assert all(f.threads == 2 for f in a.fastest) and "at 2 threads" in fastest_text(a)


def test_the_gpu_line_leads_measured_or_not():
    runs, _ = load_runs([FIXTURE])
    measured = answer(runs, ORDER)
    assert measured.gpu.measured and measured.gpu_capable is None
    lead = measured.gpu.measured[0]
    assert lead.backend == "torchaudio" and lead.batch.device == "cuda" and lead.batch.transfer   # the question first
    assert lead.batch.ratio == pytest.approx(lead.batch.reference_ms / lead.batch.ms)
    text = gpu_text(measured)
    assert text.startswith("GPU (") and "torchaudio there runs" in text and "realtime" in text
    assert measured.grid[0].on_gpu and all(c is None for c in measured.grid[0].cells[1:])
    cpu_only = answer(load_runs([AMD])[0], ORDER)
    assert "not measured" in gpu_text(cpu_only) and "make bench-gpu" in gpu_text(cpu_only)
    page = re.sub(r"<code>(.*?)</code>", r"`\1`", html.unescape(html_box(cpu_only))).replace("\u00a0", " ").replace("\u2060", "")
    for text in ("\n".join(markdown(cpu_only)), terminal(cpu_only), page):
        assert text.index("GPU: not measured") < text.index("a training batch, 64 × 1 s")


def test_agreement_verdicts():
    assert agree(5.2e-7, False) is Agree.IDENTICAL and agree(0.47, False) is Agree.TRANSLATE
    assert agree(0.85, True) is Agree.DEFINITION
    assert Agree.IDENTICAL == "identical to rounding" and Agree.TRANSLATE == "different: translate with features.port"
    run = load_runs([AMD])[0][0]
    found = {line.backend: line.verdict for line in agreement_lines(run)}
    assert found == {"torchaudio": Agree.IDENTICAL, "nnaudio": Agree.IDENTICAL, "librosa_torch": Agree.IDENTICAL,
                     "kaldi": Agree.DEFINITION, "torchaudio_kaldi": Agree.DEFINITION, "audioflux": Agree.DEFINITION}
    swapped = agreement_lines(run, ("defaults_swap",))
    assert swapped and all(line.verdict is Agree.TRANSLATE for line in swapped)


def test_terminal_is_short_ends_with_the_reference_and_next_step_and_every_agreement_line_has_a_verdict():
    runs, _ = load_runs([AMD])
    text = terminal(answer(runs, ORDER), wall_s=60.0, next_step="make bench-full")
    out = text.splitlines()
    assert len(out) <= 40, len(out)
    assert out[-2].startswith("reference: librosa") and out[-1] == "next: make bench-full"
    agreement = [x for x in out if x.startswith("agreement ")]
    assert len(agreement) == 6 and all(x.endswith(tuple(v.value for v in Agree)) for x in agreement)
    speed_only = Run({k: v for k, v in runs[0].items() if k != "accuracy"}, label="speed only")   # as compare runs
    tail = "\n".join(terminal(answer([speed_only], ORDER), wall_s=60.0, next_step="make bench").splitlines()[-20:])
    for workload in ("one clip at a time", "a training batch", "long recordings"):
        assert f"  {workload}" in tail


def test_answer_is_one_value_rendered_three_ways():
    runs, _ = load_runs([FIXTURE])
    a = answer(runs, ORDER)
    for w in a.workloads:
        assert all(isinstance(c.a, Series) and isinstance(c.b, Series) for c in w.comparisons)
        assert all(c.b.backend == "librosa" for c in w.comparisons)          # every candidate against the reference
        assert w.choice is None if w.fastest.verdict is Speed.EVEN else isinstance(w.choice, Series)
        assert (w.at is None) == (w.scenario == "a whole corpus")       # a throughput point, or a corpus rate
        ratios = [c.ratio for c in w.comparisons]
        assert ratios[0] == max(ratios) or w.fastest.single    # fastest first
    md, text = "\n".join(markdown(a)), terminal(a)
    page = re.sub(r"<code>(.*?)</code>", r"`\1`", html.unescape(html_box(a))).replace("\u00a0", " ").replace("\u2060", "")
    for r in a.grid:
        for c in r.cells:
            if c is not None:
                assert cell_text(c) in md and cell_text(c) in text and cell_text(c) in page
    for line in lines(a) + [gpu_text(a)]:
        assert line in md and line in text and line in page


def test_committed_pages_and_the_readme_show_the_same_figures():
    """The README's answer box and each committed page's first box come from one generator: every grid cell a
    committed page shows is in the README's column for that machine, and every swap sentence of a run the README
    draws its accuracy from is on that run's page (before: the README said 19 to 54 pp, the page 35 to 54)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    box = readme[readme.index("<!-- answer:begin -->"):readme.index("<!-- answer:end -->")]
    runs, _ = load_runs([p for p in COMMITTED_RUNS])
    together = answer(runs, ORDER)
    for run in runs:
        page = html.unescape((run.dir / "report" / "index.html").read_text(encoding="utf-8"))
        page = re.sub(r"<code>(.*?)</code>", r"`\1`", page).replace("\u00a0", " ").replace("\u2060", "")
        alone = answer([run], ORDER)
        for r in alone.grid:
            for c in r.cells:
                assert c is not None and cell_text(c) in page and cell_text(c).replace("|", "\\|") in box
        for s in alone.matched + alone.defaults:
            line = next(x for x in lines(alone) if x.startswith(("Same settings", "Each library's"))
                        and f"({s.on}, " in x and x.startswith("Same" if s.preset == "matched" else "Each"))
            assert line in page
            if any(t.run == s.run for t in together.matched + together.defaults):
                assert line in box


def test_where_no_candidate_beats_the_reference_the_fastest_is_the_reference():
    """Before: a loaded compare run printed "Fastest measured: ... torchaudio 0.36× slower", naming the slower
    side the fastest."""
    from reports.answer import Answer, fastest_text
    from reports.answer_grid import Fastest

    def one(verdict, ratio):
        return Fastest("run", "a training batch", "torchaudio", ratio, ratio * 0.9, ratio * 1.1, verdict, 2,
                       "librosa", "torchaudio")

    slower = fastest_text(Answer(fastest=(one(Speed.SLOWER, 0.5),)))
    assert "librosa itself (the fastest other, torchaudio: 0.5× [0.45–0.55×] slower at 2 threads)" in slower
    assert "torchaudio computes" not in slower
    assert "torchaudio and librosa (1.05× " in fastest_text(Answer(fastest=(one(Speed.EVEN, 1.05),)))


def test_a_gpu_run_without_throughput_is_not_called_a_run_without_cuda():
    from reports.answer_gpu import GpuLine, words
    line = GpuLine((), ("torchaudio",), ("GPU session step",))
    said = words(line, "librosa")
    assert "ran on CUDA but timed no throughput there" in said and "no run here had CUDA" not in said
    assert "no run here had CUDA" in words(GpuLine((), ("torchaudio",)), "librosa")


def test_the_committed_gpu_run_leads_with_torchaudio_on_the_gpu_and_its_realtime_figures():
    from reports.answer_gpu import gpu_line, rate_text
    runs, _ = load_runs([REPO / "reports" / "results" / "gpu-nvidia-h200" / "results.json"])
    g = gpu_line(runs, ("torchaudio",)).measured[0]
    assert g.backend == "torchaudio" and g.gpu == "NVIDIA H200" and g.batch.transfer
    rt = g.realtime
    assert rt.batch_size == 256 and rt.copy < rt.kernels < rt.graph < rt.bare       # each step removes a cost
    row = next(r for r in runs[0]["throughput"] if r.backend == "torchaudio" and r.device == "cuda"
               and r.batch_size == 256 and r.duration_s == 1.0 and not r.includes_transfer)
    assert rate_text(rt.kernels) == rate_text(row.realtime_factor)                  # the line reads the table's figure


def test_one_swap_is_said_in_the_singular():
    """Before: "changes nothing (1 swaps, ...)" for the deploy-accuracy run's one swap."""
    runs, _ = load_runs([p for p in COMMITTED_RUNS])
    said = "\n".join(markdown(answer(runs, ORDER)))
    assert "(1 swap, " in said and "(1 swaps" not in said
