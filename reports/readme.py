"""The README's generated blocks, each between two marker comments, and the check that the files still
say what the results say:

- the answer box (`<!-- answer:begin -->` ... `<!-- answer:end -->`, in README.md): the picks and the
  accuracy lines of reports.answer, the same the terminal and the report lead with;
- the results rows (`<!-- results:begin -->` ... `<!-- results:end -->`, in RESULTS.md): every figure a
  user sizes hardware or picks a library with, one question per row.

A file is rewritten (or checked) in whichever blocks it has markers for."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from reports import skew as sk
from reports.answer import answer, markdown, threads_text
from reports.answer_grid import main_threads
from reports.data import clip_counts, frame, nearest, reference, wall_seconds
from reports.intervals import accuracy_text
from reports.page import fmt, md_cell, slug
from reports.unanswered import unanswered
from reports.readme_rows import measurement_rows
from reports.speed_rule import questions, ratio_range_text, scenario_rows, verdict_words

BEGIN = "<!-- results:begin -->"
END = "<!-- results:end -->"
ANSWER_BEGIN = "<!-- answer:begin -->"
ANSWER_END = "<!-- answer:end -->"


def run_lines(run: dict, order: list[str], readme_dir: Path) -> list[str]:
    """The markdown for one run: a one-line source and a question | answer table."""
    where = _where(run, readme_dir)
    info = run.get("dataset_info") or {}
    env = run.get("environment") or {}
    machine = env.get("gpu_name") or env.get("cpu_model") or "machine not recorded"
    data = (f"{info.get('name') or run.get('dataset') or 'dataset not recorded'}, split {info.get('split', '—')}, "
            + clip_counts(info, val=False))
    flags = (" **Incomplete run.**" if run.get("complete") is False else "") + (" Quick run." if run.get("quick") else "")
    lines = [f"**{run.label}** ({machine}; {data}) from [`{where}/`]({where}/), "
             f"full report [`{where}/report/index.html`]({where}/report/index.html).{flags}", "",
             "| question | answer (generated from the results; do not edit) |", "|---|---|"]
    heatmaps = [f"![speedup heatmap, {q}]({where}/report/speedup_{slug(q)}.svg)" for q in questions(run, order)]

    def row(q, a):
        lines.append(f"| {md_cell(q)} | {md_cell(a)} |")

    for r in scenario_rows(run, order):
        if r.cmp is None:
            row(f"{r.scenario}: {r.question}", f"not measured ({r.note})")
            continue
        choice, why = verdict_words(r.cmp)
        threads = f", {threads_text(main_threads(run))}" if r.at is not None else ""
        row(f"{r.scenario}: {r.question}", f"**{choice}**: {ratio_range_text(r.cmp)} speedup of {r.cmp.a} over "
                                           f"{r.cmp.b} at {r.point}{threads}; {why}")
    for a in sk.accuracy_rows(run, order):
        delta = f", vs {a.baseline}" if a.diff is not None else ""
        row(f"accuracy of {a.backend}'s features ({a.preset}, {a.split} split)",
            f"{accuracy_text(a.interval)}{delta}: {a.verdict}")
    for s in sk.swap_rows(run, order):
        delta = f", vs {s.baseline}" if s.diff is not None else ""
        row(f"library swap, {s.preset}: trained on {s.train}, served by {s.test}",
            f"{accuracy_text(s.interval)}{delta}: {s.verdict}")
    for q, a in measurement_rows(run, order):
        row(q, a)
    agree = frame(run, "agreement")
    shown = agree[agree["preset"].isin(["matched", "definitions"]) | (agree["reference"] != reference(run))] \
        if not agree.empty else agree
    for rec in shown.to_dict("records"):
        what = "distance (a different MFCC definition, not an error)" if rec["preset"] == "definitions" else \
            "relative error"
        row(f"agreement, {rec['preset']}: {rec['backend']} vs {rec['reference']} ({rec.get('device') or 'cpu'})",
            f"{what} {fmt(rec['rel_error'])}, max abs {fmt(rec.get('max_abs_error'))}")
    mem = frame(run, "memory")
    if not mem.empty:
        b = max(mem["batch_size"])
        d = nearest(set(mem[mem["batch_size"] == b]["duration_s"]), 1.0)
        at = mem[(mem["batch_size"] == b) & (mem["duration_s"] == d)]
        row(f"memory above baseline, batch {b:g} × {d:g} s",
            "; ".join(f"{r['backend']} {r['device']} {fmt(r.get('above_baseline_bytes'), 'mib')}"
                      for r in at.to_dict("records")))
    for rec in frame(run, "cold_start").to_dict("records"):
        row(f"cold start, {rec['backend']} {rec['device']}",
            f"import {fmt(rec.get('import_s'))} s, first call {fmt(rec.get('first_call_s'))} s")
    for line in unanswered(run, order):
        row("not answered yet", line)
    return lines + ([""] + heatmaps if heatmaps else [])


def block(runs: list[dict], order: list[str], readme: Path) -> str:
    """The whole generated block, markers included."""
    refs = ", ".join(dict.fromkeys(reference(r) for r in runs))
    lines = [BEGIN, "<!-- generated by `python -m reports.build RESULTS --readme README.md RESULTS.md`; "
                    "edit the results or the generator, not this block -->", "",
             f"Speedups are the reference's time over the candidate's (reference: {refs} on the CPU), with the "
             "range from the per-pass medians; \"even\" means the passes do not separate the two (ranges overlap "
             "or the ratio is within 1.10×). Accuracy deltas are in percentage points (pp) from the baseline "
             "named.", ""]
    for run in runs:
        lines += run_lines(run, order, readme.parent) + [""]
    return "\n".join(lines + [END])


def answer_block(runs: list[dict], order: list[str], readme: Path) -> str:
    """The answer box, markers included."""
    lines = [ANSWER_BEGIN, "<!-- generated by `python -m reports.build RESULTS --readme README.md RESULTS.md`; "
                           "edit the results or the generator, not this block -->", ""]
    lines += markdown(answer(runs, order))
    sources = ", ".join(f"[{r.label}]({_where(r, readme.parent)}/){_took(r)}" for r in runs)
    ref = ", ".join(dict.fromkeys(reference(r) for r in runs))
    lines += ["", f"From {sources}. Ratios are {ref}'s time over the other's at the same thread count (above 1: "
                  f"faster than {ref}), with the range the per-pass medians allow; \"even\": the passes do not "
                  "separate the two. Every figure: [RESULTS.md](RESULTS.md).", ANSWER_END]
    return "\n".join(lines)


def _took(run: dict) -> str:
    """" (profile full, 17.7 min)": the run's profile and measured wall time, where the results record them."""
    profile, wall = run.get("profile"), wall_seconds(run)
    parts = ([f"profile {profile}"] if profile else []) + ([f"{wall / 60:.1f} min"] if wall else [])
    return f" ({', '.join(parts)})" if parts else ""


def _where(run: dict, readme_dir: Path) -> str:
    return Path(os.path.relpath(Path(run.dir).resolve(), readme_dir.resolve())).as_posix()


#: marker pair -> the function that writes that block
BLOCKS = {(ANSWER_BEGIN, ANSWER_END): answer_block, (BEGIN, END): block}


def _split(text: str, name: str, begin: str = BEGIN, end: str = END) -> tuple[str, str, str]:
    """(before, block, after); ValueError naming the file when the markers are absent or out of order."""
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"{name}: no '{begin}' ... '{end}' markers; add them where the block belongs")
    return text[:start], text[start:stop + len(end)], text[stop + len(end):]


def _blocks_in(text: str, name: str) -> list:
    found = [(markers, writer) for markers, writer in BLOCKS.items() if markers[0] in text]
    if not found:
        raise ValueError(f"{name}: no '{BEGIN}' ... '{END}' markers (nor '{ANSWER_BEGIN}' ... "
                         f"'{ANSWER_END}'); add them where the block belongs")
    return found


def has_markers(readme: Path) -> bool:
    text = readme.read_text(encoding="utf-8")
    return any(b in text and e in text for b, e in BLOCKS)


def update(readme: Path, runs: list[dict], order: list[str]) -> bool:
    """Rewrite every generated block in ``readme``; returns whether the file changed."""
    text = original = readme.read_text(encoding="utf-8")
    for (begin, end), writer in _blocks_in(text, readme.name):
        before, _, after = _split(text, readme.name, begin, end)
        text = before + writer(runs, order, readme) + after
    if text == original:
        return False
    readme.write_text(text, encoding="utf-8")
    return True


def check(readme: Path, runs: list[dict], order: list[str]) -> list[str]:
    """The differing lines (a unified diff, the file first) or ``[]`` when the file agrees."""
    text = readme.read_text(encoding="utf-8")
    diff = []
    for (begin, end), writer in _blocks_in(text, readme.name):
        _, old, _ = _split(text, readme.name, begin, end)
        new = writer(runs, order, readme)
        diff += [line.rstrip("\n") for line in difflib.unified_diff(
            old.splitlines(), new.splitlines(), f"{readme.name} (as committed)", "generated from the results",
            lineterm="")]
    return diff
