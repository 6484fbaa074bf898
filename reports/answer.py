"""The answer, said once: the pick per workload and what a library swap does to accuracy, built from the
results alone and rendered three ways, so the terminal, the README and the report cannot disagree.

    from reports.answer import answer, markdown, terminal_answer
    a = answer(runs, order)              # runs from reports.data.load_runs; order from backend_order
    a.picks                              # list[Pick]: per workload and device pair, the fastest and by how much
    a.accuracy                           # list[str]: three plain lines (matched swap, defaults swap, unseen speakers)
    a.not_measured                       # list[str]: what no run has answered yet (one line)
    markdown(a)                          # the README's answer box
    terminal_answer("out/bench/results.json", report=Path(...))   # what bench.run prints last

Speed picks apply the verdict's rule (reports.verdict.RULE): a backend is named faster only where the
passes separate it from the reference; otherwise the pick says "even".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from reports import generalisation as gen
from reports import skew as sk
from reports.data import backend_order, definition, is_gpu, load_runs, records, reference, throughput_points
from reports.intervals import accuracy_text
from reports.page import md_cell
from reports.speed_rule import SCENARIOS, Comparison, ratio_range_text, ratio_text, scenario_rows


@dataclass(frozen=True)
class Pick:
    """One workload and device pair: the fastest choice measured and its speedup over the reference.

    Attributes: scenario (str), question (str, e.g. "CPU vs CPU"), point (str, where it was measured),
    choice (str: a backend and device, or "even"), reading (str: the speedup with its range, or why even),
    run (str: the run's label), cmp (Comparison | None: the fastest candidate against the reference),
    others (str: every other candidate's speedup, fastest first).
    """

    scenario: str
    question: str
    point: str
    choice: str
    reading: str
    run: str
    cmp: Optional[Comparison] = None
    others: str = ""


@dataclass
class Answer:
    picks: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    not_measured: list = field(default_factory=list)
    matrix: dict = field(default_factory=dict)     # (run, scenario, question) -> [(series, Comparison)]


def pick_of(cmp: Comparison) -> tuple[str, str]:
    """(choice, reading) for the fastest candidate's comparison with the reference."""
    span = ratio_text(cmp.ratio) + " (one measurement)" if cmp.basis == "single measurement" else ratio_range_text(cmp)
    if cmp.verdict == "faster":
        return cmp.a, f"{span} faster than {cmp.b}"
    if cmp.verdict == "slower":
        inverse = 1 / cmp.ratio
        return cmp.b, f"{ratio_text(inverse)} faster than the fastest other ({cmp.a})"
    return "even", f"{cmp.a} and {cmp.b} within the passes' spread ({ratio_text(cmp.ratio)})"


def _own_definition(run: dict, series: str) -> bool:
    """Whether the series' backend computes another MFCC definition than the reference's (other numbers)."""
    ref = definition(run, reference(run))
    backend_def = definition(run, series.split()[0])
    return ref is not None and backend_def is not None and backend_def != ref


def speed(run: dict, order: list[str]) -> tuple[list[Pick], dict]:
    """The picks of one run, and every candidate per (scenario, question), fastest first. The whole-corpus
    scenario is left out where the run has no corpus or pipeline records (it would repeat the largest batch)."""
    picks, matrix = [], {}
    corpus = bool(records(run, "corpus_scaling") or records(run, "pipeline"))
    for r in scenario_rows(run, order):
        key = (run.label, r.scenario, r.question)
        if r.cmp is None or (r.scenario == SCENARIOS[-1][0] and not corpus):
            continue
        matrix.setdefault(key, []).append(r)
    for (label, scenario, question), rows in matrix.items():
        choice, reading = pick_of(rows[0].cmp)
        if choice != "even" and _own_definition(run, choice):
            reading += f" ({choice.split()[0]} computes its own MFCC definition, not librosa's numbers)"
        others = ", ".join(f"{r.cmp.a.split()[0]} {'even' if r.cmp.verdict == 'even' else ratio_text(r.cmp.ratio)}"
                           for r in rows[1:])
        picks.append(Pick(scenario, question, rows[0].point, choice, reading, label, rows[0].cmp, others))
    return picks, matrix


def _quiet(verdict: str) -> bool:
    """A paired verdict that finds no change: no difference at all, or within noise."""
    return verdict.startswith(("no difference", "within noise"))


def _swap_line(runs: list[dict], order: list[str], preset: str) -> Optional[str]:
    rows = [(run, s) for run in runs for s in sk.swap_rows(run, order)
            if s.preset == preset and s.delta_pp is not None]
    if not rows:
        return None
    seeds = "; ".join(dict.fromkeys(sk.seeds_text(run) for run, _ in rows))
    costs = [(run, s) for run, s in rows if s.verdict.startswith("costs")]
    if preset == "matched":
        worst = min(rows, key=lambda rs: rs[1].delta_pp)[1]
        if not costs:
            return (f"Same settings (`matched`): serving a model another library's features costs nothing measurable "
                    f"({len(rows)} swaps, {seeds}; largest change: {worst.verdict}).")
        return (f"Same settings (`matched`): {len(costs)} of {len(rows)} swaps cost accuracy, up to "
                f"{-worst.delta_pp:.1f} pp ({worst.train}→{worst.test}; {worst.verdict}).")
    if not costs:
        return f"Each library's own defaults: no swap cost beyond noise ({len(rows)} swaps, {seeds})."
    lo = min(-s.delta_pp for _, s in costs)
    worst_run, worst = min(costs, key=lambda rs: rs[1].delta_pp)
    ported = [s for run in runs for s in sk.swap_rows(run, order) if s.preset == "ported" and s.delta_pp is not None]
    port = (f" Served features translated by features.port instead, the {len(ported)} ported models lose at most "
            f"{max(0.0, -min(s.delta_pp for s in ported)):.1f} pp"
            + (" (none beyond noise)." if all(_quiet(s.verdict) for s in ported)
               else f" ({'; '.join(s.verdict for s in ported)}).")
            if ported else " Port the settings, not just the call (features.port, `matched`).")
    return (f"Each library's own defaults: a swap costs {lo:.0f} to {-worst.delta_pp:.0f} pp "
            f"(worst: trained on {worst.train}, served by {worst.test}, {worst.verdict}, on "
            f"{_split_name(worst_run)})." + port)


def _split_name(run: dict) -> str:
    split = (run.get("dataset_info") or {}).get("split")
    name = (run.get("dataset_info") or {}).get("name") or run.get("dataset") or "the dataset"
    return f"{name}, {split} split" if split else str(name)


def _speakers_line(runs: list[dict], order: list[str]) -> str:
    held_out = [run for run in runs if (run.get("dataset_info") or {}).get("split") == "speakers"]
    if not held_out:
        official = [run for run in runs if (run.get("dataset_info") or {}).get("split") == "official"]
        if official:
            return ("Unseen speakers: not measured; FSDD's official split shares speakers between train and test "
                    "and sits at ceiling, so run `--split speakers` to separate feature choices.")
        return "Unseen speakers: not measured (the speaker-held-out split of FSDD answers it: `--split speakers`)."
    studied = [run for run in held_out if gen.has_study(run)]
    if studied:
        run = studied[0]
        return (f"Unseen speakers ({_split_name(run)}, matched {accuracy_text(gen.baseline(run))}): "
                + gen.advice(run).removeprefix("For unseen speakers, starting from `matched`, "))
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


def _not_measured(runs: list[dict]) -> list[str]:
    devices = set()
    for run in runs:
        df = throughput_points(run)
        if not df.empty:
            devices |= set(df["device"])
    if not any(is_gpu(d) for d in devices):
        can = sorted({b for run in runs for b, meta in (run.get("backend_info") or {}).items()
                      if isinstance(meta, dict) and any(is_gpu(d) for d in meta.get("devices") or [])})
        return [f"Not measured yet: any GPU (every speed pick here is CPU against CPU); "
                f"{', '.join(can) or 'no backend'} run on CUDA (make bench-gpu on a CUDA machine)."]
    return []


def answer(runs: list[dict], order: list[str]) -> Answer:
    """The answer over every run given (speed from those with throughput records)."""
    out = Answer()
    for run in runs:
        picks, matrix = speed(run, order)
        out.picks += picks
        out.matrix.update(matrix)
    seeded = [run for run in runs if sk.n_seeds(run) > 1] or runs   # accuracy lines from seeded runs where any
    out.accuracy = [line for line in (_swap_line(seeded, order, "matched"), _swap_line(seeded, order, "library_defaults"),
                                      _speakers_line(seeded, order)) if line]
    out.not_measured = _not_measured(runs)
    return out


def _several(a: Answer) -> bool:
    """Whether the picks come from more than one run (then a run column names each row's)."""
    return len({p.run for p in a.picks}) > 1


def markdown(a: Answer) -> list[str]:
    """The answer box as markdown lines: a pick table, then the accuracy lines, then what is not measured."""
    several = _several(a)
    lines = ["| workload | devices | pick | speedup over the reference | the others |" + (" run |" if several else ""),
             "|---|---|---|---|---|" + ("---|" if several else "")]
    for p in a.picks:
        lines.append(f"| {md_cell(p.scenario)} | {md_cell(p.question)} | **{md_cell(p.choice)}** | {md_cell(p.reading)}, "
                     f"{md_cell(p.point)} | {md_cell(p.others) or '—'} |" + (f" {md_cell(p.run)} |" if several else ""))
    lines.append("")
    lines += [f"- {line}" for line in a.accuracy + a.not_measured]
    return lines


def html_box(a: Answer) -> str:
    """The answer box at the head of the report (id "answer"): the picks, then the accuracy lines."""
    from html import escape

    from reports.page import Table, table_html

    several = _several(a)
    headers = ["workload", "devices", "pick", "speedup over the reference", "the others"] + (["run"] if several else [])
    rows = [[p.scenario, p.question, p.choice, f"{p.reading}, {p.point}", p.others or "—"] + ([p.run] if several else [])
            for p in a.picks]
    picks = table_html(Table(headers, rows, id="answer_picks")) if rows else ""
    lines = "".join(f"<li>{escape(line)}</li>" for line in a.accuracy + a.not_measured)
    return f'<div id="answer" class="answer"><h2>The answer</h2>{picks}<ul>{lines}</ul></div>'


def terminal(a: Answer) -> str:
    """Plain text for the end of a run: per workload, every backend's speedup over the reference."""
    out = ["", "== the answer (speedup over the reference; 'even' where the passes do not separate) =="]
    for (label, scenario, question), rows in a.matrix.items():
        out.append(f"{scenario} [{question}] at {rows[0].point}:")
        for r in rows:
            cmp = r.cmp
            out.append(f"    {cmp.a:<28} {ratio_range_text(cmp):>22}  {cmp.verdict}")
    pick = {(p.scenario, p.question): p for p in a.picks}
    if pick:
        out.append("picks: " + "; ".join(f"{s} ({q}): {p.choice}" for (s, q), p in pick.items()))
    out += a.accuracy + a.not_measured
    return "\n".join(out)


def terminal_answer(results: Path, *, report: Optional[Path] = None, wall_s: Optional[float] = None) -> str:
    """What `bench.run` prints last: the answer for `results` (a results.json), the report's path and wall time."""
    runs, _ = load_runs([results])
    text = terminal(answer(runs, backend_order(runs)))
    tail = []
    if report is not None:
        tail.append(f"report: {report}")
    if wall_s is not None:
        tail.append(f"wall time {wall_s / 60:.1f} min")
    return text + ("\n" + ", ".join(tail) if tail else "")
