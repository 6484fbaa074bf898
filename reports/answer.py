"""The answer, said once and led by the question (librosa on the CPU or torchaudio, maybe on a GPU?), built from
the results alone and rendered three ways, so the terminal, the README and the report cannot disagree.

    from reports.answer import answer, html_box, markdown, terminal
    a = answer(runs, order)              # computed once; runs from reports.data.load_runs, order from backend_order
    a.gpu                                # GpuLine: what an accelerator measured, or that none did and how to
    a.grid, a.machines                   # GridRow per workload and thread count (all cores, one thread), a Cell
                                         # per machine: ms per call, ratio to librosa with its range, threads
    a.fastest                            # Fastest per machine and workload: the fastest backend and what it is
    a.agreement                          # (run, AgreementLine): each backend's numbers against librosa's, decided
    a.matched, a.defaults                # tuple[Swaps]: what a library swap costs, per run, as SwapRows with Verdicts
    a.flags, a.speakers                  # flagged seeds; the unseen-speakers sentence
    markdown(a), html_box(a)             # the README's answer box; the page's first box
    terminal(a, report=Path(...), wall_s=..., next_step=...)   # what bench.run prints last

Speed verdicts apply the speed rule (reports.speed_rule.RULE) at the same thread count on both sides, and
every one names that count; "even" where the passes do not separate the two.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from reports import skew as sk
from reports.agreement_verdict import Agree, AgreementLine, agreement_lines
from reports import loso
from reports.answer_accuracy import (Swaps, flag_line, flags_of, loss_pp, speakers_line, swap_line,
                                     swaps_for)
from reports import answer_gpu
from reports.answer_gpu import GpuLine, gpu_line
from reports.answer_grid import Fastest, GridRow, fastest, grid, machines
from reports.grid_words import cell_text, empty_cell, ratio_words, row_label, setting, threads_text
from reports.data import Run, definition, is_gpu, records, reference, throughput_points
from reports.intervals import MIN_SEEDS
from reports.page import md_cell
from reports.schema import DEFAULT_REFERENCE
from reports.seed_flags import SeedFlag
from reports.series import Series
from reports.speed_rule import SCENARIOS, Comparison, Speed, VerdictRow, ratio_range_text, ratio_text, scenario_rows

REFERENCE = DEFAULT_REFERENCE


def question_libraries(runs: list[Run]) -> frozenset[str]:
    """The libraries the suite's question is about, read from the data: the backends timed on as many CPU
    throughput points as the run's reference (bench.grid gives the whole grid only to them, full_grid)."""
    out: set[str] = set()
    for run in runs:
        df = throughput_points(run)
        if df.empty:
            continue
        counts = df[~df["device"].map(is_gpu)].groupby("backend").size()
        ref = counts.get(reference(run))
        out |= {b for b, n in counts.items() if ref is not None and n >= ref}
    return frozenset(out)


__all__ = ["Answer", "Workload", "Swaps", "answer", "html_box", "lines", "loss_pp", "markdown", "swap_line", "terminal"]


@dataclass(frozen=True)
class Workload:
    """One workload and device pair in one run: every candidate against the reference, fastest first.

    Attributes: run (str: the run's label), scenario (str), question (str, e.g. "CPU vs CPU"), point (str:
    where it was measured, in words), at ((batch size, clip duration s) | None: the throughput point; None for a
    whole-corpus rate), comparisons (tuple[Comparison, ...]: fastest first, never empty; each holds the
    two series, the ratio of their times and its range, and the speed verdict), own_definition (str | None:
    the MFCC definition the picked backend computes where it is not the reference's).
    """

    run: str
    scenario: str
    question: str
    point: str
    comparisons: tuple[Comparison, ...]
    own_definition: Optional[str] = None
    at: Optional[tuple[float, float]] = None

    @property
    def fastest(self) -> Comparison:
        """The fastest candidate against the reference."""
        return self.comparisons[0]

    @property
    def choice(self) -> Optional[Series]:
        """The series to pick (the candidate, or the reference where even the fastest is slower); None: even."""
        return self.fastest.winner

    @property
    def others(self) -> tuple[Comparison, ...]:
        return self.comparisons[1:]


@dataclass(frozen=True)
class Answer:
    """The answer, computed once from the results (:func:`answer`) and rendered by :func:`terminal`,
    :func:`markdown` and :func:`html_box`.

    Attributes: reference (str: the backend every ratio is against), subjects (tuple[str, ...]: the backends
    the grid compares with it, torchaudio where measured), machines (tuple[str, ...]: the grid's columns, one
    run label each), gpu (GpuLine), grid (tuple[GridRow, ...]), fastest (tuple[Fastest, ...]), workloads
    (tuple[Workload, ...]: every candidate per workload and device pair, for the page's detail), agreement
    (tuple[tuple[str, AgreementLine], ...]: run label and line), matched and defaults (tuple[Swaps, ...]: per
    run with accuracy records, those with intervals.MIN_SEEDS seeds or more where any has), flags
    (tuple[tuple[str, SeedFlag], ...]), speakers (str: the unseen-speakers sentence).
    """

    reference: str = REFERENCE
    subjects: tuple[str, ...] = ()
    machines: tuple[str, ...] = ()
    gpu: GpuLine = GpuLine()
    grid: tuple[GridRow, ...] = ()
    fastest: tuple[Fastest, ...] = ()
    workloads: tuple[Workload, ...] = ()
    agreement: tuple[tuple[str, AgreementLine], ...] = ()
    matched: tuple[Swaps, ...] = ()
    defaults: tuple[Swaps, ...] = ()
    flags: tuple[tuple[str, SeedFlag], ...] = ()
    speakers: str = ""

    @property
    def gpu_capable(self) -> Optional[tuple[str, ...]]:
        """None where some run measured an accelerator; else the backends that run on one."""
        return None if self.gpu.measured else self.gpu.capable


def pick_words(w: Workload) -> tuple[str, str]:
    """(choice, reading) of a workload's pick, in the words every rendering uses."""
    cmp = w.fastest
    span = ratio_text(cmp.ratio) + " (one measurement)" if cmp.single else ratio_range_text(cmp)
    if cmp.verdict is Speed.FASTER:
        choice, reading = cmp.a.name, f"{span} faster than {cmp.b}"
    elif cmp.verdict is Speed.SLOWER:
        choice, reading = cmp.b.name, f"{ratio_text(1 / cmp.ratio)} faster than the fastest other ({cmp.a})"
    else:
        return "even", f"{cmp.a} and {cmp.b} within the passes' spread ({ratio_text(cmp.ratio)})"
    if w.own_definition is not None:
        reading += f" ({w.choice.backend if w.choice else ''} computes its own MFCC definition, not librosa's numbers)"
    return choice, reading


def others_words(w: Workload) -> str:
    """Every other candidate's speedup over the reference, fastest first ("" where none)."""
    return ", ".join(f"{c.a.backend} {'even' if c.verdict is Speed.EVEN else ratio_text(c.ratio)}" for c in w.others)


def _own_definition(run: dict, series: Optional[Series]) -> Optional[str]:
    """The MFCC definition the series' backend computes, where it is another than the reference's."""
    if series is None:
        return None
    ref, mine = definition(run, reference(run)), definition(run, series.backend)
    return mine if ref is not None and mine is not None and mine != ref else None


def speed(run: Run, order: list[str]) -> list[Workload]:
    """The workloads of one run, every candidate per (scenario, question) fastest first. The whole-corpus
    scenario is left out where the run has no corpus or pipeline records (it would repeat the largest batch)."""
    grouped: dict[tuple[str, str], list[VerdictRow]] = {}
    corpus = bool(records(run, "corpus_scaling") or records(run, "pipeline"))
    for r in scenario_rows(run, order):
        if r.cmp is None or (r.scenario == SCENARIOS[-1][0] and not corpus):
            continue
        grouped.setdefault((r.scenario, r.question), []).append(r)
    return [Workload(run.label, scenario, question, rows[0].point, tuple(r.cmp for r in rows if r.cmp is not None),
                     _own_definition(run, rows[0].cmp.winner if rows[0].cmp else None), rows[0].at)
            for (scenario, question), rows in grouped.items()]


def subjects_of(runs: list[Run], named: Optional[tuple[str, ...]] = None) -> tuple[str, ...]:
    """The backends the grid puts against the reference: `named` (bench.run's --backend, the reference left out)
    where given and measured, else the question's other library (question_libraries(): torchaudio) where measured, else
    every one."""
    measured = [b for run in machines(runs) for b in run.get("backends") or []]
    refs = {reference(run) for run in runs}
    if named:
        chosen = tuple(b for b in dict.fromkeys(named) if b in measured and b not in refs)
        if chosen:
            return chosen
    question = question_libraries(runs)
    asked = tuple(b for b in dict.fromkeys(measured) if b not in refs and b in question)
    return asked or tuple(b for b in dict.fromkeys(measured) if b not in refs)


def answer(runs: list[Run], order: list[str], *, named: Optional[tuple[str, ...]] = None,
           committed: Sequence[Run] = ()) -> Answer:
    """The answer over every run given, computed once.

    Args: runs (list[Run]); order (list[str]: backend order); named (tuple[str, ...] | None: the backends the
    run was asked about, bench.run's --backend; None: question_libraries()' other one); committed (list[Run]: committed runs whose
    figures stand beside an inconclusive swap, default none).
    """
    seeded = [run for run in runs if sk.n_seeds(run) >= MIN_SEEDS] or runs    # accuracy from seeded runs where any
    subjects = subjects_of(runs, named)
    refs = list(dict.fromkeys(reference(run) for run in runs)) or [REFERENCE]

    def per_run(preset: str) -> tuple[Swaps, ...]:
        return tuple(s for s in (swaps_for(run, order, preset, committed) for run in seeded) if s is not None)

    return Answer(reference=refs[0], subjects=subjects, machines=tuple(run.label for run in machines(runs)),
                  gpu=gpu_line(runs, subjects), grid=tuple(grid(runs, subjects)), fastest=tuple(fastest(runs, order)),
                  workloads=tuple(w for run in runs for w in speed(run, order)),
                  agreement=tuple((run.label, line) for run in runs for line in agreement_lines(run)),
                  matched=per_run("matched"), defaults=per_run("library_defaults"),
                  flags=flags_of([run for run in seeded if records(run, "accuracy")]),
                  speakers=speakers_line([r for r in runs if loso.has_study(r)] + seeded, order)
                  if any(records(r, "accuracy") or loso.has_study(r) for r in runs) else "")


# ---- words: every renderer below draws its sentences from these, over one Answer ----


def question_line(a: Answer) -> str:
    """What the grid answers, in one line."""
    if not a.subjects:
        return f"against {a.reference} (the reference); this run timed no workload"
    return f"{' and '.join(a.subjects)} against {a.reference} (the reference), per workload"


def gpu_text(a: Answer) -> str:
    """The GPU line: what an accelerator measured, or that none did and the command that measures it."""
    shown = tuple(c.run for r in a.grid if r.on_gpu for c in r.cells if c is not None)
    return answer_gpu.words(a.gpu, a.reference, rows=shown)


def disagreement_lines(a: Answer) -> list[str]:
    """One sentence per grid row where machines disagree (faster on one, slower on another)."""
    out = []
    for r in a.grid:
        if not r.disagrees:
            continue
        said = {v: [f"{c.run} ({ratio_text(c.ratio)}, {threads_text(c.threads)})" for c in r.cells
                    if c is not None and c.verdict is v] for v in (Speed.SLOWER, Speed.FASTER, Speed.EVEN)}
        parts = [f"{v} on {' and '.join(where)}" for v, where in said.items() if where]
        joined = parts[0] + "".join((", but " if i == 0 else ", and ") + p for i, p in enumerate(parts[1:]))
        out.append(f"Machines disagree at {row_label(r)}: {r.backend} is {joined}.")
    return out


def fastest_text(a: Answer) -> str:
    """The fastest backend measured per workload (and machine), and what each one is."""
    if not a.fastest:
        return ""
    several = len({f.run for f in a.fastest}) > 1
    winners = {f.backend for f in a.fastest}
    threads = {f.threads for f in a.fastest}
    if len(winners) == 1 and all(f.verdict is Speed.FASTER for f in a.fastest):
        lo, hi = min(f.ratio for f in a.fastest), max(f.ratio for f in a.fastest)
        span = ratio_text(lo) if lo == hi else f"{ratio_text(lo, unit=False)} to {ratio_text(hi)}"
        at = (threads_text(next(iter(threads))) if len(threads) == 1 else
              "each machine's all cores (" + " or ".join(str(t) for t in sorted(t for t in threads if t is not None))
              + " threads)")
        said = (f"{next(iter(winners))} on the CPU at every workload{' on every machine' if several else ''}, {span} "
                f"{a.reference}'s speed at {at}")
    else:
        by_workload: dict[str, list[Fastest]] = {}
        for f in a.fastest:
            by_workload.setdefault(f.workload, []).append(f)
        said = "; ".join(f"{workload}: " + ", ".join(_fastest_one(a, f) + (f" ({f.run})" if several else "")
                                                    for f in fs) for workload, fs in by_workload.items())
    what = {f.backend: f for f in a.fastest if f.verdict is not Speed.SLOWER}
    kinds = "; ".join((f"{b} computes {a.reference}'s MFCC numbers with {f.library}" if f.definition == a.reference
                       else f"{b} computes its own MFCC definition ({f.definition}'s), not {a.reference}'s numbers")
                      for b, f in what.items() if f.definition and f.library)
    return f"Fastest measured: {said}" + (f" ({kinds})." if kinds else ".")


def _fastest_one(a: Answer, f: Fastest) -> str:
    """One machine's fastest at one workload: the candidate where it beats the reference, else the reference."""
    ratio = ratio_words(f.ratio, f.lo, f.hi, f.verdict)
    if f.verdict is Speed.FASTER:
        return f"{f.backend} {ratio} at {threads_text(f.threads)}"
    if f.verdict is Speed.EVEN:
        return f"{f.backend} and {a.reference} ({ratio} at {threads_text(f.threads)})"
    return f"{a.reference} itself (the fastest other, {f.backend}: {ratio} at {threads_text(f.threads)})"


def agreement_text(a: Answer) -> str:
    """One sentence over every backend's agreement with the reference, grouped by verdict (README and page)."""
    if not a.agreement:
        return ""
    groups: dict[Agree, list[str]] = {}
    for _, line in a.agreement:
        if line.backend not in groups.setdefault(line.verdict, []):
            groups[line.verdict].append(line.backend)
    return (f"Numbers against {a.reference}'s, same settings: "
            + "; ".join(f"{', '.join(bs)}: {verdict}" for verdict, bs in groups.items()) + ".")


def lines(a: Answer) -> list[str]:
    """The answer's sentences after the grid, shared by every rendering: where machines disagree, the fastest,
    the swap outcomes, the flagged seeds, unseen speakers."""
    out = disagreement_lines(a) + ([fastest_text(a)] if a.fastest else [])
    out += [swap_line(s) for s in a.matched + a.defaults]
    out += [x for x in (flag_line(a.flags), a.speakers) if x]
    return out


def markdown(a: Answer) -> list[str]:
    """The answer box as markdown lines: the GPU line, the grid (one row per workload and thread count, one
    column per machine), then the shared sentences."""
    out = [f"**{question_line(a)}.** {gpu_text(a)}", ""]
    if a.grid:
        out += ["| workload | " + " | ".join(md_cell(m) for m in a.machines) + " |",
                "|---|" + "---|" * len(a.machines)]
        for r in a.grid:
            label = row_label(r) if len(a.subjects) < 2 else f"{r.backend}: {row_label(r)}"
            out.append(f"| {md_cell(label)} | " + " | ".join(md_cell(cell_text(c)) if c else empty_cell(r)
                                                            for c in r.cells) + " |")
        out.append("")
    out += [f"- {' '.join(group)}" for group in _bullets(a)]
    return out


def _bullets(a: Answer) -> list[list[str]]:
    """The shared sentences grouped for the README's list (one bullet per kind: the speed sentences with the
    agreement, each preset's swap sentences over the runs, the rest one each), so the box stays short."""
    speed = disagreement_lines(a) + ([fastest_text(a)] if a.fastest else []) + ([agreement_text(a)] if a.agreement else [])
    groups = [speed, [swap_line(s) for s in a.matched], [swap_line(s) for s in a.defaults],
              [flag_line(a.flags)] if a.flags else [], [a.speakers] if a.speakers else []]
    return [g for g in groups if g]


def html_box(a: Answer) -> str:
    """The answer box at the head of the report (id "answer"): the question and the GPU line, the grid (the
    question's library and the fastest in view; any other backend's rows folded under them), then the shared
    sentences. Backticked words become <code>."""
    from reports.page import Table, inline_code, table_html

    def row(r: GridRow) -> list[str]:
        return ([row_label(r) if len(a.subjects) < 2 else f"{r.backend}: {row_label(r)}"]
                + [cell_text(c) if c else empty_cell(r) for c in r.cells])

    shown = set(a.subjects[:1]) | {f.backend for f in a.fastest}
    main = [row(r) for r in a.grid if r.backend in shown or not shown]
    rest = [row(r) for r in a.grid if shown and r.backend not in shown]
    grid_html = table_html(Table(["workload", *a.machines], main, id="answer_grid")) if main else ""
    if rest:
        others = sorted({r.backend for r in a.grid if r.backend not in shown}, key=list(a.subjects).index)
        grid_html += (f"<details><summary>{', '.join(others)} against {a.reference} ({len(rest)} rows)</summary>"
                      + table_html(Table(["workload", *a.machines], rest, id="answer_grid_others")) + "</details>")
    items = "".join(f"<li>{inline_code(line)}</li>" for line in lines(a) + ([agreement_text(a)] if a.agreement else []))
    return (f'<div id="answer" class="answer"><h2>The answer: {inline_code(question_line(a))}</h2>'
            f"<p>{inline_code(gpu_text(a))}</p>{grid_html}<ul>{items}</ul></div>")


def terminal(a: Answer, *, report: Optional[Path] = None, wall_s: Optional[float] = None,
             next_step: str = "") -> str:
    """Plain text for the end of a run: the question, the GPU line, the grid, the fastest, every backend's
    agreement ending with its verdict, the accuracy sentences; the report and wall time; last, the reference and
    the next step."""
    out = ["", f"== the answer: {question_line(a)} ==", gpu_text(a)]
    shown = ""
    for r in a.grid:
        workload = (f"{r.backend}: " if len(a.subjects) > 1 else "") + f"{r.workload}, {r.batch_size:g} × {r.duration_s:g} s"
        if workload != shown:
            out.append(f"  {workload}")
            shown = workload
        threads = setting(r)
        cells = [c for c in r.cells if c is not None]
        if len(a.machines) == 1 and cells:
            out.append(f"      {threads:<31} {cell_text(cells[0])}")
        else:
            out += [f"      {threads}, {c.run}: {cell_text(c)}" for c in cells]
    out += disagreement_lines(a) + ([fastest_text(a)] if a.fastest else [])
    several = len({run for run, _ in a.agreement}) > 1
    for run, line in a.agreement:
        out.append(f"agreement {line.backend} against {line.reference} ({'same settings' if line.preset == 'matched' else line.preset}"
                   f"{', ' + run if several else ''}): relative error {line.rel_error:.2g}: {line.verdict}")
    out += [swap_line(s) for s in a.matched + a.defaults] + [x for x in (flag_line(a.flags), a.speakers) if x]
    tail = ([f"report: {report}"] if report is not None else []) + \
        ([f"wall time {wall_s / 60:.1f} min"] if wall_s is not None else [])
    if tail:
        out.append(", ".join(tail))
    out.append(f"reference: {a.reference} on the CPU; every ratio is {a.reference}'s time over the other's at the "
               "same thread count (above 1: faster than it).")
    if next_step:
        out.append(f"next: {next_step}")
    return "\n".join(out)
