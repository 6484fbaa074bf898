"""What a library swap costs, right after the answer: a train -> serve matrix in plain words (one row per
pair of libraries, one column per way the serving side was set up: "same settings", "each library's
defaults", "converted by features.port"), the differences drawn with their intervals, and the torchaudio
call that gives librosa's numbers. The full accuracy tables sit folded beneath."""

from __future__ import annotations

from functools import partial

from reports import skew as sk
from reports.figures import accuracy
from reports.page import Block, Placeholder, Section, Table
from reports.sections.glossary import define
from reports.sections.verdict import accuracy_table, match_block, swap_table

COLUMNS = {p: accuracy.PLAIN[p] for p in accuracy.SWAP_PRESETS}


def swap_cell(row: sk.SwapRow) -> str:
    """"30.1 % — costs 34.9 pp (95% CI ...)": the served accuracy (mean over seeds) and the paired verdict."""
    return f"{row.accuracy * 100:.1f} % — {row.verdict.text}"


def matrix(ctx) -> Table:
    """One row per (trained on, served by) pair, one column per preset of :data:`COLUMNS`."""
    rows = []
    for run in ctx.runs:
        cells: dict[tuple, dict[str, str]] = {}
        for r in accuracy.swap_matrix_rows(run, ctx.order):
            cells.setdefault((r.train, r.test), {})[r.preset] = swap_cell(r)
        for (train, test), by in cells.items():
            row = [f"trained on {train}, served by {test}"]
            row += [by.get(p) or Placeholder("not run") for p in COLUMNS]
            rows.append(([run.label] + row) if ctx.several() else row)
    headers = ["library swap"] + [f"{words} ({p})" for p, words in COLUMNS.items()]
    return Table((["run"] + headers) if ctx.several() else headers, rows, id="swap_matrix")


CAPTION = ("A classifier trained on one library's MFCCs and served another's. Each cell: test accuracy served that "
           "way (mean over training seeds), then the paired change against the same model served its own "
           "features. \"Same settings\": both libraries under one configuration (the matched preset); \"each "
           "library's defaults\": each called as its documentation shows; \"converted by features.port\": the "
           "serving call translated from the training library's call by `python -m features.port`.")


def section(ctx) -> Section:
    runs, order = ctx.runs, ctx.order
    table = matrix(ctx)
    blocks = [Block("swap_cost", "Trained on one library, served by another", CAPTION,
                    partial(accuracy.differences, runs, order, "swaps"), [table], "accuracy records with a swap")]
    match = match_block(ctx)
    if match is not None:
        match.folded = True
        blocks.append(match)
    presets = [p for p in ("matched", "library_defaults", "naive_port", "ported", "defaults_swap")
               if any(s.preset == p for run in runs for s in sk.swap_rows(run, order))]
    blocks.append(Block("accuracy_verdict", "Every accuracy and every swap, as tables", sk.NOISE_RULE + " A pp delta "
                        "is the difference in percentage points from the baseline named in the cell. " + define(*presets),
                        tables=[accuracy_table(ctx), swap_table(ctx)], missing="accuracy records", folded=True))
    return Section("swap", "1. What a library swap costs", blocks)

