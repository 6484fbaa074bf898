"""The speed verdict per workload as a dot plot (the table with id "verdict_table" collapsed beneath it), the
rule and the questions this page cannot answer yet, and this project's own path (folded). The accuracy
tables and the torchaudio call that gives librosa's numbers are built here and shown by the swap section
(reports/sections/swap.py)."""

from __future__ import annotations

import html
from functools import partial

from reports import skew as sk
from reports.data import frame, records, reference, throughput_points
from reports.figures import verdict_dots
from reports.intervals import accuracy_text
from reports.page import Block, Section, Table, fmt
from reports.unanswered import unanswered
from reports.sections.glossary import define
from reports.speed_rule import RULE, ratio_range_text, scenario_rows, verdict_words

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
    return Table((["run"] + headers) if ctx.several() else headers, rows, id="verdict_table",
                 collapsed=f"the same as a table ({len(rows)} rows)")


def accuracy_table(ctx) -> Table:
    rows = []
    for run in ctx.runs:
        for r in sk.accuracy_rows(run, ctx.order):
            delta = f"{r.delta_pp:+.1f} pp vs {r.baseline}" if r.delta_pp is not None else "—"
            definition = "" if r.definition in (None, reference(run)) else f" ({r.definition} definition)"
            row = [r.backend + definition, r.preset, r.split, accuracy_text(r.interval), fmt(r.n_test, "int"), delta,
                   r.verdict.text]
            rows.append(([run.label] + row) if ctx.several() else row)
    headers = ["backend", "preset", "split", "test accuracy (mean over seeds)", "test clips", "Δ (pp, baseline named)",
               "verdict (paired over seeds)"]
    return Table((["run"] + headers) if ctx.several() else headers, rows, "Accuracy each backend's features reach")


def swap_table(ctx) -> Table:
    rows = []
    for run in ctx.runs:
        for r in sk.swap_rows(run, ctx.order):
            delta = f"{r.delta_pp:+.1f} pp vs {r.baseline}" if r.delta_pp is not None else "—"
            row = [r.preset, f"trained on {r.train}, served by {r.test}", accuracy_text(r.interval), delta, r.verdict.text]
            rows.append(([run.label] + row) if ctx.several() else row)
    headers = ["config", "library swap", "test accuracy (mean over seeds)", "Δ (pp, baseline named)",
               "verdict (paired over seeds)"]
    return Table((["run"] + headers) if ctx.several() else headers, rows,
                 "What a library swap costs, with the matched config and without it")


def own_paths(ctx) -> list[tuple[str, dict]]:
    """(backend, its backend_info) for every backend the runs describe as this project's own."""
    found = {}
    for run in ctx.runs:
        for name, info in (run.get("backend_info") or {}).items():
            if isinstance(info, dict) and "our own" in str(info.get("description") or "").lower():
                found.setdefault(name, info)
    return list(found.items())


def own_path_block(ctx) -> Block | None:
    """This project's own path (from backend_info): what it is, how close it is to the reference, how to use it."""
    paths = own_paths(ctx)
    if not paths:
        return None
    run = ctx.runs[0]
    rate = (run.get("config") or {}).get("sample_rate")
    parts = []
    for name, info in paths:
        agree = frame(run, "agreement")
        close = agree[(agree["backend"] == name) & (agree["preset"] == "matched")] if not agree.empty else agree
        close_text = (f" Under matched its relative error against {close.iloc[0]['reference']} is "
                      f"{fmt(close.iloc[0]['rel_error'])}." if not close.empty else "")
        devices = [d for d in info.get("devices") or [] if isinstance(d, str)]
        others = " or ".join(f'"{d}"' for d in devices[1:])
        code = (f"from features import MFCCConfig, create_extractor\n"
                f"ext = create_extractor({name!r}, MFCCConfig.preset(\"matched\""
                + (f", sample_rate={rate}" if rate else "") + f"), device=\"{(devices or ['cpu'])[0]}\")"
                + (f"   # or {others}" if others else "") + "\n"
                "feats = ext(batch)   # (B, T) float array or tensor -> (B, n_mfcc, frames) torch.Tensor")
        parts.append(f"<p class=\"caption\"><b>{html.escape(name)}</b> is this project's own MFCC path, not a library "
                     f"you install: {html.escape(str(info.get('description')))}; it follows the "
                     f"{html.escape(str(info.get('definition')))} definition.{html.escape(close_text)} "
                     f"How to use it:</p><pre class=\"snippet\">{html.escape(code)}</pre>")
    names = ", ".join(n for n, _ in paths)
    return Block("own_path", f"{names}: this project's own path", "", html="".join(parts))


def match_block(ctx) -> Block | None:
    """The torchaudio.transforms.MFCC call that gives the reference's numbers under matched (generated by
    features.port.snippet when the page is built)."""
    from features.port.snippet import snippet   # imported here: the rest of the page needs no torch

    return Block("match_librosa", "Make torchaudio give librosa's numbers",
                 "Copy-paste: torchaudio.transforms.MFCC with the arguments that reproduce librosa under the matched "
                 "preset (the MFCC configuration table in the appendix lists it). Generated by "
                 "`python -m features.port.snippet` from the port's own translation, and checked against librosa "
                 "by the tests; for any other librosa call, `python -m features.port librosa \"...\"` prints the "
                 "full module.", html=f'<pre class="snippet">{html.escape(snippet("matched"))}</pre>')


def section(ctx) -> Section:
    intro = '<p class="rule"><b>Rule.</b> ' + html.escape(RULE) + "</p>"
    notes = []
    for run in ctx.runs:
        for line in unanswered(run, ctx.order):
            notes.append(f'<div class="unanswered">{html.escape(line)}'
                         + (f" ({html.escape(run.label)})" if ctx.several() else "") + "</div>")
    ref_names = ", ".join(dict.fromkeys(reference(r) for r in ctx.runs))
    caption = (f"One row per backend, one panel per workload, every panel on the same axis: the dot is the speedup "
               f"over the reference ({ref_names} on the CPU) at the point a user recognises, from the medians of the "
               "throughput grid; the whiskers span what the per-pass medians allow; a hollow dot is \"even\"; the "
               "grey band is the rule's threshold either side of 1. " + define("throughput grid", "H2D copy"))
    blocks = []
    for i, run in enumerate(ctx.runs):
        if not throughput_points(run).empty or records(run, "corpus_scaling"):
            suffix = f"_{i + 1}" if ctx.several() else ""
            blocks.append(Block(f"verdict_dots{suffix}", "Which is faster, per workload"
                                + (f" — {run.label}" if ctx.several() else ""), caption if not blocks else "",
                                partial(verdict_dots.draw, run, ctx.order), missing="throughput records"))
    table = verdict_table(ctx)
    if blocks:       # the table goes under the (first) figure, closed
        blocks[0].tables = [table]
    else:
        blocks.append(Block("verdict_as_table", "Which is faster, per workload", "", tables=[table],
                            missing="throughput records"))
    blocks.append(Block("verdict_rule", "The rule, and what this page cannot answer yet", "",
                        html=intro + "".join(notes)))
    own = own_path_block(ctx)
    if own is not None:
        own.folded = True
        blocks.append(own)
    return Section("verdict", "3. Speed: which is faster, per workload", blocks)
