"""Accuracy figures: accuracy differences with their intervals, the train/serve skew matrices (seed means) and
confusion matrices."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from reports.data import frame
from reports.figures.style import EMPTY, SMALL, WIDTH, colour, finish, run_suffix
from reports.skew import accuracy_rows, swap_rows



def differences(runs: list[dict], order: list[str], what: str = "swaps"):
    """Accuracy differences in percentage points with their 95% intervals (paired over seeds), on an axis
    around zero. ``what``: "swaps" (each library swap of the swap matrix against the model served its own
    features) or "own" (each backend's own accuracy against the reference's). None when no row has one."""
    rows = []   # (label, paired difference, colour)
    for run in runs:
        suffix = run_suffix(run, runs)
        for r in accuracy_rows(run, order) if what == "own" else []:
            if r.diff is not None:
                rows.append((f"{r.backend} ({r.split})" + suffix, r.diff, colour(order, r.backend)))
        for s in swap_matrix_rows(run, order) if what == "swaps" else []:
            if s.diff is not None:
                rows.append((f"{s.train} \u2192 {s.test}: {PLAIN.get(s.preset, s.preset)}" + suffix,
                             s.diff, colour(order, s.test)))
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(WIDTH, 1.5 + 0.32 * len(rows)))
    for y, (_, d, c) in enumerate(rows):
        mean = d.mean * 100
        if d.low is not None:
            ax.errorbar(mean, y, xerr=[[mean - d.low * 100], [d.high * 100 - mean]], fmt="none", ecolor="#333",
                        capsize=3, lw=1)
        ax.scatter([mean], [y], s=40, color=c, edgecolors="#333", linewidths=0.6, zorder=3)
        ax.annotate(f"{mean:+.1f}", (mean, y), xytext=(0, 6), textcoords="offset points", ha="center",
                    fontsize=SMALL)
    ax.axvline(0, color="#555", lw=0.8)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.7)
    seeds = sorted({d.n for _, d, _ in rows})
    ax.set_xlabel(f"change in test accuracy (pp), paired over {'/'.join(map(str, seeds))} seeds; bar: 95% interval")
    ax.set_title("Swapping the serving library: cost (left of 0) or gain" if what == "swaps" else
                 "Each backend's own accuracy against the reference's", loc="left")
    return finish(fig)


#: what a cell nobody ran says (on grey)
NOT_RUN = "\u2014"

#: the presets in plain words (the swap matrix's columns)
PLAIN = {"matched": "same settings", "library_defaults": "each library's defaults",
         "ported": "converted by features.port", "naive_port": "four settings copied",
         "defaults_swap": "defaults, overlap of shapes"}


def swap_matrix_rows(run: dict, order: list[str]) -> list:
    """The swaps of the swap matrix: the presets of :data:`PLAIN`'s first three, for every (train, serve)
    pair that has a row under "each library's defaults" (the pairs where a swap can cost anything)."""
    rows = [s for s in swap_rows(run, order) if s.preset in SWAP_PRESETS]
    pairs = {(s.train, s.test) for s in rows if s.preset == "library_defaults"} or {(s.train, s.test) for s in rows}
    first: dict[tuple, int] = {}
    for s in rows:
        first.setdefault((s.train, s.test), len(first))
    return sorted((s for s in rows if (s.train, s.test) in pairs),
                  key=lambda s: (first[(s.train, s.test)], SWAP_PRESETS.index(s.preset)))


SWAP_PRESETS = ("matched", "library_defaults", "ported")


def skew_grid(sub, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(mean test accuracy in %, number of seeds) per (trained on, served by) cell of one preset's records;
    NaN and 0 where nothing was run."""
    grid = np.full((len(names), len(names)), np.nan)
    count = np.zeros((len(names), len(names)), dtype=int)
    for (train, test), cell in sub.groupby(["train_backend", "test_backend"]):
        if train in names and test in names:
            i, j = names.index(train), names.index(test)
            grid[i, j] = float(cell["test_accuracy"].mean()) * 100
            count[i, j] = len(cell)
    return grid, count


def skew(runs: list[dict], order: list[str]):
    """Heatmaps train backend (rows) x serving backend (columns), one per run and preset: each cell the mean
    over the seeds run there (n written), cells never run grey."""
    panels = []
    for run in runs:
        df = frame(run, "accuracy")
        for preset, sub in sorted(df.groupby("preset"), key=lambda kv: (kv[0] != "matched", kv[0])):
            if (sub["train_backend"] != sub["test_backend"]).any():
                panels.append((run, preset, sub))
    if not panels:
        return None
    ncols = min(2, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(WIDTH, 3.6 * nrows + 0.6), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    cmap = plt.get_cmap("viridis").with_extremes(bad=EMPTY)   # not run: grey, never a colour of the scale
    for ax, (run, preset, sub) in zip(axes.flat, panels):
        names = [b for b in order if b in set(sub["train_backend"]) | set(sub["test_backend"])]
        grid, count = skew_grid(sub, names)
        im = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=100)
        for (i, j), v in np.ndenumerate(grid):
            text = NOT_RUN if np.isnan(v) else f"{v:.1f}\nn={count[i, j]}"
            ax.text(j, i, text, ha="center", va="center", fontsize=SMALL,
                    color="#444" if np.isnan(v) else ("white" if v < 60 else "black"))
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel("serving backend")
        ax.set_ylabel("trained on")
        ax.grid(False)
        ax.set_title(PLAIN.get(preset, preset) + run_suffix(run, runs), fontsize=SMALL + 1)
    fig.colorbar(im, ax=axes.ravel().tolist(), label="test accuracy (%), mean over seeds", shrink=0.8)
    fig.suptitle("Accuracy when the serving features come from another backend (grey \u2014: not run)")
    return finish(fig)


def confusion(runs: list[dict], order: list[str]):
    """Confusion matrices of each backend's own run (row-normalised colour, counts written)."""
    panels = []
    for run in runs:
        for r in frame(run, "accuracy").to_dict("records") if "confusion" in frame(run, "accuracy") else []:
            m = np.asarray(r.get("confusion") if isinstance(r.get("confusion"), list) else [], dtype=float)
            if r["train_backend"] == r["test_backend"] and r["preset"] == "matched" and m.ndim == 2 \
                    and m.shape[0] == m.shape[1] and m.size:
                panels.append((run, r, m))
    if not panels:
        return None
    panels = panels[:6]
    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(WIDTH, 2.9 * nrows + 0.5), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, (run, r, m) in zip(axes.flat, panels):
        sums = m.sum(axis=1, keepdims=True)
        frac = np.divide(m, sums, out=np.zeros_like(m), where=sums > 0)
        ax.imshow(frac, cmap="Blues", vmin=0, vmax=1)
        labels = r["labels"] if isinstance(r.get("labels"), list) and len(r["labels"]) == len(m) else range(len(m))
        for (i, j), v in np.ndenumerate(m):
            if v and i != j:
                ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=SMALL, color="#b00")
        ax.set_xticks(range(len(m)), labels, fontsize=SMALL)
        ax.set_yticks(range(len(m)), labels, fontsize=SMALL)
        ax.set_xlabel("predicted", fontsize=SMALL)
        ax.set_ylabel("true", fontsize=SMALL)
        ax.grid(False)
        ax.set_title(f"{r['train_backend']}, {r['test_accuracy'] * 100:.1f} %" + run_suffix(run, runs), fontsize=9,
                     color=colour(order, r["train_backend"]))
    fig.suptitle("Confusion matrices (own backend, matched preset); red numbers = errors")
    return finish(fig)
