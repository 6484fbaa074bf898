"""The answer, said once: the pick per workload and what a library swap does to accuracy, built from the
results alone and rendered three ways, so the terminal, the README and the report cannot disagree.

    from reports.answer import answer, html_box, markdown, terminal
    a = answer(runs, order)              # computed once; runs from reports.data.load_runs, order from backend_order
    a.workloads                          # tuple[Workload]: per workload and device pair, every candidate's Comparison
    a.matched, a.defaults                # Swaps | None: what a library swap costs, as SwapRows with Verdicts
    a.speakers, a.gpu_capable            # the unseen-speakers sentence; the GPU backends where no GPU was measured
    markdown(a), html_box(a)             # the README's answer box; the page's first box
    terminal(a, report=Path(...), wall_s=...)   # what bench.run prints last

Speed picks apply the verdict's rule (reports.verdict.RULE): a backend is named faster only where the
passes separate it from the reference; otherwise the pick says "even".
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from reports import generalisation as gen
from reports import skew as sk
from reports.data import Run, definition, is_gpu, records, reference, throughput_points
from reports.intervals import Kind, accuracy_text
from reports.page import md_cell
from reports.series import Series
from reports.skew import SwapRow
from reports.speed_rule import SCENARIOS, Comparison, Speed, VerdictRow, ratio_range_text, ratio_text, scenario_rows


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
class Swaps:
    """What serving a model another library's features does to accuracy, at one preset, over the runs.

    Attributes: preset (str), swaps (tuple[SwapRow, ...]: every swap with a paired delta), seeds (tuple[int, ...]:
    the seed counts of the runs they come from, each once), costs (tuple[SwapRow, ...]: the swaps whose verdict is
    a cost; a one-seed difference never is), worst (SwapRow: the largest loss of all), worst_on (str: the dataset
    and split it was measured on), worst_cost (SwapRow | None: the largest loss among the costs), worst_cost_on
    (str), ported (tuple[SwapRow, ...]: the `ported` swaps, served features translated by features.port).
    """

    preset: str
    swaps: tuple[SwapRow, ...]
    seeds: tuple[int, ...]
    costs: tuple[SwapRow, ...]
    worst: SwapRow
    worst_on: str = ""
    worst_cost: Optional[SwapRow] = None
    worst_cost_on: str = ""
    ported: tuple[SwapRow, ...] = ()

    @property
    def unsure_losses(self) -> tuple[SwapRow, ...]:
        """Losses measured on one seed: a direction without an interval, so neither a cost nor noise."""
        return tuple(s for s in self.swaps if s.verdict.kind is Kind.ONE_SEED and s.verdict.direction < 0)


@dataclass(frozen=True)
class Answer:
    """The answer, computed once from the results (:func:`answer`) and rendered by :func:`terminal`,
    :func:`markdown` and :func:`html_box`.

    Attributes: workloads (tuple[Workload, ...]), matched and defaults (Swaps | None: the library swap at the
    `matched` preset and at each library's defaults), speakers (str: the unseen-speakers sentence), gpu_capable
    (tuple[str, ...] | None: where no run measured an accelerator, the backends that run on one; None otherwise).
    """

    workloads: tuple[Workload, ...] = ()
    matched: Optional[Swaps] = None
    defaults: Optional[Swaps] = None
    speakers: str = ""
    gpu_capable: Optional[tuple[str, ...]] = None


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


def _swaps(runs: list[Run], order: list[str], preset: str) -> Optional[Swaps]:
    rows = [(run, s) for run in runs for s in sk.swap_rows(run, order)
            if s.preset == preset and s.delta_pp is not None]
    if not rows:
        return None
    costs = [(run, s) for run, s in rows if s.verdict.kind is Kind.COST]     # a one-seed difference is no cost
    worst_run, worst = max(rows, key=lambda rs: loss_pp(rs[1]))
    cost_run, worst_cost = max(costs, key=lambda rs: loss_pp(rs[1])) if costs else (None, None)
    ported = tuple(s for run in runs for s in sk.swap_rows(run, order) if s.preset == "ported" and s.delta_pp is not None)
    return Swaps(preset, tuple(s for _, s in rows), tuple(dict.fromkeys(sk.n_seeds(run) for run, _ in rows)),
                 tuple(s for _, s in costs), worst, _split_name(worst_run), worst_cost,
                 _split_name(cost_run) if cost_run else "", ported)


def loss_pp(s: SwapRow) -> float:
    """What the swap loses against its baseline, in pp (negative: a gain); every SwapRow of :class:`Swaps` has a
    paired delta."""
    if s.delta_pp is None:
        raise ValueError(f"{s.train}→{s.test} ({s.preset}) has no paired delta")
    return -s.delta_pp


def _seeds_text(s: Swaps) -> str:
    return "; ".join(sk.seeds_phrase(n) for n in s.seeds)


def swap_line(s: Swaps) -> str:
    """The swap outcome as one sentence."""
    if s.preset == "matched":
        if not s.costs:
            return (f"Same settings (`matched`): serving a model another library's features costs nothing measurable "
                    f"({len(s.swaps)} swaps, {_seeds_text(s)}; largest change: {s.worst.verdict}).")
        return (f"Same settings (`matched`): {len(s.costs)} of {len(s.swaps)} swaps cost accuracy, up to "
                f"{loss_pp(s.worst):.1f} pp ({s.worst.train}→{s.worst.test}; {s.worst.verdict}).")
    port = (f" Served features translated by features.port instead, the {len(s.ported)} ported models lose at most "
            f"{max(0.0, max(loss_pp(p) for p in s.ported)):.1f} pp"
            + (" (none beyond noise)." if all(p.verdict.quiet for p in s.ported)
               else f" ({'; '.join(p.verdict.text for p in s.ported)}).")
            if s.ported else " Port the settings, not just the call (features.port, `matched`).")
    if s.worst_cost is None and s.unsure_losses:
        return (f"Each library's own defaults: {len(s.unsure_losses)} of {len(s.swaps)} swaps lose accuracy on one "
                f"training seed, up to {loss_pp(s.worst):.0f} pp (worst: trained on {s.worst.train}, served by "
                f"{s.worst.test}, {s.worst.verdict}, on {s.worst_on}); without an interval none counts as a cost "
                "(run more seeds: --seeds 5)." + port)
    if s.worst_cost is None:
        return f"Each library's own defaults: no swap cost beyond noise ({len(s.swaps)} swaps, {_seeds_text(s)})."
    lo, worst = min(loss_pp(c) for c in s.costs), s.worst_cost
    return (f"Each library's own defaults: a swap costs {lo:.0f} to {loss_pp(worst):.0f} pp "
            f"(worst: trained on {worst.train}, served by {worst.test}, {worst.verdict}, on "
            f"{s.worst_cost_on})." + port)


def _split_name(run: Run) -> str:
    split = (run.get("dataset_info") or {}).get("split")
    name = (run.get("dataset_info") or {}).get("name") or run.get("dataset") or "the dataset"
    return f"{name}, {split} split" if split else str(name)


def _speakers_line(runs: list[Run], order: list[str]) -> str:
    held_out = [run for run in runs if (run.get("dataset_info") or {}).get("split") == "speakers"]
    if not held_out:
        official = [run for run in runs if (run.get("dataset_info") or {}).get("split") == "official"]
        if official:
            return ("Unseen speakers: not measured; FSDD's official split shares speakers between train and test "
                    "and sits at ceiling, so run `--split speakers` to separate feature choices.")
        return "Unseen speakers: not measured (the speaker-held-out split of FSDD answers it: `--split speakers`)."
    studied = [run for run in held_out if gen.has_study(run)]
    base = gen.baseline(studied[0]) if studied else None
    if base is not None:
        run = studied[0]
        return f"Unseen speakers ({_split_name(run)}, matched {accuracy_text(base)}): " + gen.advice(run, lead="")
    run = held_out[0]
    rows = sk.accuracy_rows(run, order)
    if not rows:
        return "Unseen speakers: the speaker-held-out run has no accuracy records."
    best = max(rows, key=lambda r: r.accuracy)
    ref = next((r for r in rows if r.backend == reference(run)), None)
    ref_text = f" against {ref.backend} ({ref.preset}) {accuracy_text(ref.interval)}" if ref else ""
    verdict = best.verdict if best is not ref and best.diff is not None else ""
    definition = f", {best.definition} definition" if best.definition not in (None, reference(run)) else ""
    return (f"Unseen speakers ({_split_name(run)}): {best.backend} ({best.preset}{definition}) scored highest, "
            f"{accuracy_text(best.interval)}{ref_text}" + (f"; {verdict}" if verdict else "") + ".")


def _gpu_capable(runs: list[Run]) -> Optional[tuple[str, ...]]:
    """None where some run measured an accelerator; else the backends that run on one."""
    devices: set[str] = set()
    for run in runs:
        df = throughput_points(run)
        if not df.empty:
            devices |= set(df["device"])
    if any(is_gpu(d) for d in devices):
        return None
    return tuple(sorted({b for run in runs for b, meta in (run.get("backend_info") or {}).items()
                         if isinstance(meta, dict) and any(is_gpu(d) for d in meta.get("devices") or [])}))


def answer(runs: list[Run], order: list[str]) -> Answer:
    """The answer over every run given (speed from those with throughput records), computed once."""
    seeded = [run for run in runs if sk.n_seeds(run) > 1] or runs   # accuracy lines from seeded runs where any
    return Answer(workloads=tuple(w for run in runs for w in speed(run, order)),
                  matched=_swaps(seeded, order, "matched"), defaults=_swaps(seeded, order, "library_defaults"),
                  speakers=_speakers_line(seeded, order), gpu_capable=_gpu_capable(runs))


def lines(a: Answer) -> list[str]:
    """The answer's sentences after the picks: the two swap outcomes, unseen speakers, what is not measured."""
    out = [swap_line(s) for s in (a.matched, a.defaults) if s is not None] + ([a.speakers] if a.speakers else [])
    if a.gpu_capable is not None:
        out.append(f"Not measured yet: any GPU (every speed pick here is CPU against CPU); "
                   f"{', '.join(a.gpu_capable) or 'no backend'} run on CUDA (make bench-gpu on a CUDA machine).")
    return out


def _several(a: Answer) -> bool:
    """Whether the picks come from more than one run (then a run column names each row's)."""
    return len({w.run for w in a.workloads}) > 1


def markdown(a: Answer) -> list[str]:
    """The answer box as markdown lines: a pick table, then the accuracy lines, then what is not measured."""
    several = _several(a)
    out = ["| workload | devices | pick | speedup over the reference | the others |" + (" run |" if several else ""),
           "|---|---|---|---|---|" + ("---|" if several else "")]
    for w in a.workloads:
        choice, reading = pick_words(w)
        out.append(f"| {md_cell(w.scenario)} | {md_cell(w.question)} | **{md_cell(choice)}** | {md_cell(reading)}, "
                   f"{md_cell(w.point)} | {md_cell(others_words(w)) or '—'} |" + (f" {md_cell(w.run)} |" if several else ""))
    out.append("")
    out += [f"- {line}" for line in lines(a)]
    return out


def html_box(a: Answer) -> str:
    """The answer box at the head of the report (id "answer"): the picks, then the accuracy lines."""
    from html import escape

    from reports.page import Table, table_html

    several = _several(a)
    headers = ["workload", "devices", "pick", "speedup over the reference", "the others"] + (["run"] if several else [])
    rows = []
    for w in a.workloads:
        choice, reading = pick_words(w)
        rows.append([w.scenario, w.question, choice, f"{reading}, {w.point}", others_words(w) or "—"]
                    + ([w.run] if several else []))
    picks = table_html(Table(headers, rows, id="answer_picks")) if rows else ""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines(a))
    return f'<div id="answer" class="answer"><h2>The answer</h2>{picks}<ul>{items}</ul></div>'


def terminal(a: Answer, *, report: Optional[Path] = None, wall_s: Optional[float] = None) -> str:
    """Plain text for the end of a run: per workload, every backend's speedup over the reference; then the
    report's path and the wall time where given."""
    out = ["", "== the answer (speedup over the reference; 'even' where the passes do not separate) =="]
    for w in a.workloads:
        out.append(f"{w.scenario} [{w.question}] at {w.point}:")
        for cmp in w.comparisons:
            out.append(f"    {cmp.a:<28} {ratio_range_text(cmp):>22}  {cmp.verdict}")
    pick = {(w.scenario, w.question): w for w in a.workloads}
    if pick:
        out.append("picks: " + "; ".join(f"{s} ({q}): {pick_words(w)[0]}" for (s, q), w in pick.items()))
    out += lines(a)
    tail = ([f"report: {report}"] if report is not None else []) + \
        ([f"wall time {wall_s / 60:.1f} min"] if wall_s is not None else [])
    return "\n".join(out) + ("\n" + ", ".join(tail) if tail else "")
