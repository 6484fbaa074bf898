"""The generalisation study as a sorted dot plot: each setting's paired gain over `matched` on held-out
speakers, its 95% interval over seeds as a whisker, coloured by whose default it moves toward."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

from reports import generalisation as gen
from reports.figures.style import CATEGORY, WIDTH, finish, legend_below, run_suffix

SEVERAL, NONE = "#555555", "#AAAAAA"


def palette(effects) -> dict[str, str]:
    """Whose default a setting moves toward (the records' `toward` tags, sorted) -> a colour."""
    tags = sorted({t for e in effects for t in e.towards})
    return {t: CATEGORY[(2 * i) % len(CATEGORY)] for i, t in enumerate(tags)}


def _colour(effect, colours: dict) -> str:
    names = effect.towards
    return colours[names[0]] if len(names) == 1 else SEVERAL if names else NONE


def effects(runs: list[dict], order: list[str]):
    """One panel per run with a study: settings top (largest gain) to bottom, x = gain in pp."""
    studied = [run for run in runs if gen.has_study(run)]
    if not studied:
        return None
    panels = [(run, [e for e in gen.effects(run) if e.diff is not None]) for run in studied]
    colours = palette([e for _, es in panels for e in es])
    height = sum(0.8 + 0.3 * len(es) for _, es in panels) + 0.8
    fig, axes = plt.subplots(len(panels), 1, figsize=(WIDTH, height), squeeze=False)
    for ax, (run, es) in zip(axes[:, 0], panels):
        for y, e in enumerate(es):
            d = e.diff
            marker = "D" if e.group == "preset" else "o"
            if d.low is not None:
                ax.errorbar(d.mean * 100, y, xerr=[[(d.mean - d.low) * 100], [(d.high - d.mean) * 100]], fmt="none",
                            ecolor=_colour(e, colours), capsize=3, lw=1.2)
            ax.plot(d.mean * 100, y, marker, color=_colour(e, colours), markersize=6,
                    markerfacecolor=_colour(e, colours) if d.excludes_zero() else "white")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(range(len(es)), [e.setting for e in es], fontsize=11)
        ax.invert_yaxis()
        ax.tick_params(axis="x", labelsize=11)
        n = max((e.diff.n for e in es), default=0)
        ax.set_xlabel(f"held-out-speaker accuracy minus matched's (pp)\npaired over {n} seed{'s' if n > 1 else ''}; "
                      "whisker: 95% interval", fontsize=11)
        ax.set_title("What one setting changes for unseen speakers" + run_suffix(run, runs), fontsize=12)
    handles = [Line2D([], [], marker="o", ls="", color=c, label=f"toward {t}'s default") for t, c in colours.items()]
    handles += [Line2D([], [], marker="o", ls="", color=SEVERAL, label="toward several libraries' defaults"),
                Line2D([], [], marker="o", ls="", color=NONE, label="no library's default")]
    handles += [Line2D([], [], marker="D", ls="", color="#777777", label="a whole preset"),
                Line2D([], [], marker="o", ls="", color="#777777", markerfacecolor="white",
                       label="hollow: interval includes 0")]
    legend_below(axes[-1, 0], ncol=2, handles=handles, fontsize=11)
    return finish(fig)
