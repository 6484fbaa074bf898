"""Error per MFCC coefficient, one line per (backend, preset)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from reports.data import frame, num
from reports.figures.style import CATEGORY, RUN_LINESTYLES, WIDTH, finish, legend_below, run_suffix


def draw(runs: list[dict], order: list[str]):
    fig, ax = plt.subplots(figsize=(WIDTH, 4.4))
    drawn, presets = False, {}
    for i, run in enumerate(runs):
        df = frame(run, "agreement_per_coeff")
        # older files may carry rel_error per coefficient (not a declared field today): plotted where present
        metric = "rel_error" if "rel_error" in df and df["rel_error"].notna().any() else "max_abs_error"
        df = df[df[metric].notna()]
        for (backend, preset), rows in df.groupby(["backend", "preset"], sort=False, dropna=False):
            rows = rows.sort_values("coeff")
            c = presets.setdefault(preset, CATEGORY[len(presets) % len(CATEGORY)])
            ys = [max(num(v) or 0, 1e-12) for v in rows[metric]]
            ax.plot(rows["coeff"], ys, color=c, ls=RUN_LINESTYLES[i % 4], marker=".",
                    label=f"{backend}, {preset}" + run_suffix(run, runs))
            drawn = True
        ax.set_ylabel(("relative error" if metric == "rel_error" else "max abs error") + " against the reference (log)")
    if not drawn:
        plt.close(fig)
        return None
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("MFCC coefficient index")
    ax.set_title("Agreement per MFCC coefficient, by backend and preset")
    legend_below(ax, ncol=3)
    return finish(fig)
