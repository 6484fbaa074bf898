"""Accuracy figures: each backend's own accuracy (bars) and the train/serve skew matrices."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from reports.data import frame
from reports.figures.style import RUN_HATCHES, WIDTH, colour, finish, hbar_figure, run_suffix
from reports.skew import accuracy_rows


def own(runs: list[dict], order: list[str]):
    """Test accuracy with train = test backend, one bar per backend and split (preset named): the mean over
    training seeds, its 95% interval as a whisker; the speaker-held-out split first."""
    found = [(i, run, r) for i, run in enumerate(runs) for r in accuracy_rows(run, order)]
    found.sort(key=lambda t: t[2].split != "speakers")
    rows = [(f"{r.backend} ({r.preset}, {r.split}, n={r.interval.n})" + run_suffix(run, runs), r.accuracy * 100,
             colour(order, r.backend), RUN_HATCHES[i % 4]) for i, run, r in found]
    fig = hbar_figure(rows, xlabel="test accuracy (%), mean over training seeds", log=False,
                      title="Accuracy each backend's features reach (whiskers: 95% interval over seeds)",
                      fmt=lambda v: f"{v:.1f} %")
    if fig is not None:
        ax = fig.axes[0]
        ax.set_xlim(0, 112)
        for y, (_, _, r) in enumerate(found):
            if r.interval.low is not None:
                ax.errorbar(r.accuracy * 100, y, xerr=[[(r.accuracy - r.interval.low) * 100],
                                                       [(r.interval.high - r.accuracy) * 100]],
                            fmt="none", ecolor="black", capsize=3, lw=1)
    return fig


def skew(runs: list[dict], order: list[str]):
    """Heatmaps train backend (rows) x serving backend (columns), one per run and preset."""
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
    fig, axes = plt.subplots(nrows, ncols, figsize=(WIDTH, 3.6 * nrows + 0.4), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, (run, preset, sub) in zip(axes.flat, panels):
        names = [b for b in order if b in set(sub["train_backend"]) | set(sub["test_backend"])]
        grid = np.full((len(names), len(names)), np.nan)
        for r in sub.to_dict("records"):
            if r["train_backend"] in names and r["test_backend"] in names:
                grid[names.index(r["train_backend"]), names.index(r["test_backend"])] = r["test_accuracy"] * 100
        im = ax.imshow(grid, cmap="viridis", vmin=0, vmax=100)
        for (i, j), v in np.ndenumerate(grid):
            ax.text(j, i, "n/a" if np.isnan(v) else f"{v:.1f}", ha="center", va="center", fontsize=8.5,
                    color="white" if (np.isnan(v) or v < 60) else "black")
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel("serving backend")
        ax.set_ylabel("trained on")
        ax.grid(False)
        ax.set_title(f"preset {preset}" + run_suffix(run, runs))
    fig.colorbar(im, ax=axes.ravel().tolist(), label="test accuracy (%)", shrink=0.8)
    fig.suptitle("Train/serve skew: accuracy when serving features come from another backend")
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
                ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=7, color="#b00")
        ax.set_xticks(range(len(m)), labels, fontsize=7)
        ax.set_yticks(range(len(m)), labels, fontsize=7)
        ax.set_xlabel("predicted", fontsize=8)
        ax.set_ylabel("true", fontsize=8)
        ax.grid(False)
        ax.set_title(f"{r['train_backend']}, {r['test_accuracy'] * 100:.1f} %" + run_suffix(run, runs), fontsize=9,
                     color=colour(order, r["train_backend"]))
    fig.suptitle("Confusion matrices (own backend, matched preset); red numbers = errors")
    return finish(fig)
