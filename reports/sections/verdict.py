"""The head of the page: the verdict per workload (heatmaps and the table with id "verdict"), the
accuracy and skew verdicts, and the questions this page cannot answer yet."""

from __future__ import annotations

import html
import re
from functools import partial

from reports import skew as sk
from reports.data import is_gpu, records, reference, throughput_points
from reports.figures import speedup_heatmap
from reports.page import Block, Section, Table, fmt
from reports.speed_rule import RULE, questions, ratio_range_text, scenario_rows, verdict_words


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def verdict_table(ctx) -> Table:
    rows = []
    for run in ctx.runs:
        for r in scenario_rows(run, ctx.order):
            if r.cmp is None:
                row = [r.scenario, r.question, r.point, "—", "—", f"not measured: {r.note}"]
            else:
                choice, why = verdict_words(r.cmp)
                versus = f"{r.cmp.a} vs {r.cmp.b}"
                row = [r.scenario, r.question, r.point, choice, ratio_range_text(r.cmp),
                       f"{versus}: {why}" + (f" ({r.note})" if r.note else "")]
            rows.append(([run.label] + row) if ctx.several() else row)
    headers = ["scenario", "question", "measured at", "faster choice",
               "speedup over the reference [range]", "reading"]
    return Table((["run"] + headers) if ctx.several() else headers, rows, id="verdict")


def accuracy_table(ctx) -> Table:
    rows = []
    for run in ctx.runs:
        for r in sk.accuracy_rows(run, ctx.order):
            delta = f"{r.delta_pp:+.1f} pp vs {r.baseline}" if r.delta_pp is not None else "—"
            definition = "" if r.definition in (None, reference(run)) else f" ({r.definition} definition)"
            row = [r.backend + definition, r.preset, r.split, fmt(r.accuracy, "pct"), fmt(r.n_test, "int"), delta,
                   r.verdict]
            rows.append(([run.label] + row) if ctx.several() else row)
    headers = ["backend", "preset", "split", "test accuracy", "test clips", "Δ (pp, baseline named)", "verdict"]
    return Table((["run"] + headers) if ctx.several() else headers, rows, "Accuracy each backend's features reach")


def swap_table(ctx) -> Table:
    rows = []
    for run in ctx.runs:
        for r in sk.swap_rows(run, ctx.order):
            delta = f"{r.delta_pp:+.1f} pp vs {r.baseline}" if r.delta_pp is not None else "—"
            row = [r.preset, f"trained on {r.train}, served by {r.test}", fmt(r.accuracy, "pct"), delta, r.verdict]
            rows.append(([run.label] + row) if ctx.several() else row)
    headers = ["config", "library swap", "test accuracy", "Δ (pp, baseline named)", "verdict"]
    return Table((["run"] + headers) if ctx.several() else headers, rows,
                 "What a library swap costs, with the matched config and without it")


def unanswered(run: dict, order: list[str]) -> list[str]:
    """Plain sentences naming each question the run cannot answer yet."""
    out = []
    chosen = run.get("measurements")
    if chosen and "throughput" not in chosen:       # a run asked for other measurements only (e.g. a split)
        out.append(f"This run measured {', '.join(chosen)} only: its speed questions are left to the other runs.")
        if not records(run, "accuracy") and "accuracy" in chosen:
            out.append("No accuracy records: which features train the better classifier is not answered.")
        if run.get("complete") is False:
            out.append("This run is marked incomplete: some chosen measurements did not finish.")
        return out
    df = throughput_points(run)
    if df.empty:
        out.append("No throughput records: the speed questions are not answered.")
    elif not df["device"].map(is_gpu).any():
        out.append("No GPU run yet: the CPU-vs-GPU question is not answered (every speed verdict here is CPU vs CPU).")
    measured = set(df["backend"]) if not df.empty else set()
    for b in order:
        if b not in measured:
            out.append(f"{b} has no throughput records in this run: its speed is not compared.")
    info = run.get("backend_info") or {}
    for b, meta in info.items():
        devs = meta.get("devices") if isinstance(meta, dict) else None
        for d in devs or []:
            if is_gpu(d) and b in measured and not ((df["backend"] == b) & (df["device"] == d)).any():
                out.append(f"{b} runs on {d} but was not measured there.")
    if not records(run, "accuracy"):
        out.append("No accuracy records: which features train the better classifier is not answered.")
    if not records(run, "corpus_scaling") and not records(run, "pipeline"):
        out.append("No corpus or pipeline run: \"a whole corpus\" is read from the largest batch measured.")
    if run.get("complete") is False:
        out.append("This run is marked incomplete: some chosen measurements did not finish.")
    return out


def section(ctx) -> Section:
    blocks = []
    intro = ('<p class="rule"><b>Rule.</b> ' + html.escape(RULE) + "</p>")
    notes = []
    for run in ctx.runs:
        for line in unanswered(run, ctx.order):
            notes.append(f'<div class="unanswered">{html.escape(line)}'
                         + (f" ({html.escape(run.label)})" if ctx.several() else "") + "</div>")
    ref_names = ", ".join(dict.fromkeys(reference(r) for r in ctx.runs))
    blocks.append(Block("verdict", "Which is faster, per workload",
                        f"Each row compares one backend that answers the question with the reference "
                        f"({ref_names} on the CPU) at the point a user recognises; within a scenario the fastest "
                        "comes first. Speedup = the reference's time "
                        "over the candidate's (> 1: the candidate is faster); the range comes from the two sides' "
                        "per-pass ranges. GPU rows come with the host→device copy (H2D) and without it.",
                        tables=[verdict_table(ctx)], missing="throughput records", html=intro + "".join(notes)))
    for i, run in enumerate(ctx.runs):
        for q, members in questions(run, ctx.order).items():
            name = f"speedup_{slug(q)}" + (f"_{i + 1}" if ctx.several() else "")
            blocks.append(Block(name, f"Speedup heatmap: {q}" + (f" — {run.label}" if ctx.several() else ""),
                                "Cells the passes do not separate are grey and read \"even\"; colour runs from "
                                "red (slower than the reference) to blue (faster).",
                                partial(speedup_heatmap.draw, run, q, members), missing="common points"))
    blocks.append(Block("accuracy_verdict", "Accuracy and train/serve skew", sk.NOISE_RULE + " A pp delta is "
                        "the difference in percentage points from the baseline named in the cell.",
                        tables=[accuracy_table(ctx), swap_table(ctx)], missing="accuracy records"))
    return Section("verdict", "1. The verdict", blocks)
