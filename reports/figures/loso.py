"""The leave-one-speaker-out study as dot plots side by side, one panel per classifier: each setting's paired
difference from its reference (matched for the presets, Kaldi's defaults for a revert), the 95% interval over
speaker folds as a whisker; the rows in the first classifier's order, so the two can be read across."""

from __future__ import annotations

import matplotlib.pyplot as plt

from reports import loso
from reports.figures.style import CATEGORY, WIDTH, finish

COLOURS = {"preset": CATEGORY[0], "revert": CATEGORY[6]}


def effects(run: dict):
    present = [c for c in loso.CLASSIFIERS if loso.effects(run, c)]
    if not present:
        return None
    order = [e.setting for e in loso.effects(run, present[0]) if e.diff is not None]
    fig, axes = plt.subplots(1, len(present), figsize=(WIDTH, 1.2 + 0.32 * len(order)), sharey=True, squeeze=False)
    for ax, c in zip(axes[0], present):
        by = {e.setting: e for e in loso.effects(run, c)}
        for y, name in enumerate(order):
            e = by.get(name)
            if e is None or e.diff is None:
                continue
            d, colour = e.diff, COLOURS.get(e.group, "#777777")
            if d.low is not None:
                ax.errorbar(d.mean * 100, y, xerr=[[(d.mean - d.low) * 100], [(d.high - d.mean) * 100]], fmt="none",
                            ecolor=colour, capsize=3, lw=1.2)
            ax.plot(d.mean * 100, y, "D" if e.group == "preset" else "o", color=colour, markersize=6,
                    markerfacecolor=colour if d.excludes_zero() else "white")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(loso.CLASSIFIER_NAMES[c], fontsize=11)
        ax.set_xlabel("difference (pp), 95% interval over folds", fontsize=10)
    axes[0, 0].set_yticks(range(len(order)), [_short(n) for n in order], fontsize=9)
    axes[0, 0].invert_yaxis()
    fig.suptitle("Unseen speakers. Diamonds: a preset against matched; dots: one Kaldi setting reverted,\n"
                 "against Kaldi's defaults; hollow: the interval includes 0", fontsize=9)
    return finish(fig)


def _short(name: str) -> str:
    return name.replace("kaldi_defaults, ", "kaldi with ").replace("kaldi_defaults ", "kaldi ")
