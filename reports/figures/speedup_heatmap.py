"""Speedup heatmap: one panel per series answering a device-pair question, batch size x clip duration."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm

from reports.data import definition, reference
from reports.figures.style import SMALL, WIDTH, finish
from reports.series import Series
from reports.speed_rule import Speed, heatmap_cells, ratio_text


def draw(run: dict, question: str, series: list[Series]):
    """Panels of time(reference) / time(series) per measured (batch, duration); cells the passes do
    not separate are grey and read "even". Returns None when no cell was measured on both sides."""
    panels = [(s, heatmap_cells(run, s)) for s in series]
    panels = [(s, c) for s, c in panels if not c.empty]
    if not panels:
        return None
    ref = reference(run)
    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(WIDTH if ncols > 1 else 5.2, 2.7 * nrows + 0.8), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    logs = [math.log2(c.ratio) for _, cells in panels for c in cells["cmp"]]
    span = max(1.0, max(abs(v) for v in logs))
    norm = TwoSlopeNorm(vcenter=0, vmin=-span, vmax=span)
    for ax, (name, cells) in zip(axes.flat, panels):
        batches = sorted(set(cells["batch_size"]))
        durs = sorted(set(cells["duration_s"]))
        grid = np.full((len(batches), len(durs)), np.nan)
        even = np.zeros_like(grid, dtype=bool)
        for r in cells.to_dict("records"):
            i, j = batches.index(r["batch_size"]), durs.index(r["duration_s"])
            grid[i, j] = math.log2(r["cmp"].ratio)
            even[i, j] = r["cmp"].verdict is Speed.EVEN
        shown = np.where(even, np.nan, grid)
        ax.imshow(np.where(np.isnan(grid), np.nan, 0), cmap="Greys", vmin=-4, vmax=4, aspect="auto")
        im = ax.imshow(shown, cmap="RdBu", norm=norm, aspect="auto")
        for (i, j), v in np.ndenumerate(grid):
            if np.isnan(v):
                text = "n/a"
            else:
                text = ratio_text(2 ** v) + ("\neven" if even[i, j] else "")
            dark = not even[i, j] and not np.isnan(v) and abs(v) > 0.6 * span
            ax.text(j, i, text, ha="center", va="center", fontsize=SMALL, color="white" if dark else "black")
        ax.set_xticks(range(len(durs)), [f"{d:g} s" for d in durs])
        ax.set_yticks(range(len(batches)), [f"{b:g}" for b in batches])
        ax.set_xlabel("clip duration")
        ax.set_ylabel("batch size (clips)")
        ax.grid(False)
        backend = name.backend
        other = definition(run, backend) not in (None, definition(run, ref))
        ax.set_title(backend + (f"\n({definition(run, backend)} definition)" if other else ""), fontsize=9.5)
    cbar = fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.85, pad=0.02)
    step = max(1, math.ceil(2 * span / 8))
    ticks = [t for t in range(-int(span), int(span) + 1) if t % step == 0]
    cbar.set_ticks(ticks, labels=[ratio_text(2.0 ** t) for t in ticks])
    cbar.set_label(f"time({ref}) / time(panel); > 1: panel faster")
    fig.suptitle(f"{question}: speedup over {ref} on the CPU", fontsize=11)
    return finish(fig)
