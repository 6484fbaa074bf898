"""The verdict as a dot plot: per scenario a panel, per candidate a row; the dot is the speedup over the
reference (the reference's time over the candidate's, from the throughput grid's medians), the whiskers
the range the per-pass medians allow, the shaded band the "even" zone of the speed rule. Every panel
shares one log x axis, so a dot's position reads the same everywhere."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from reports.data import definition, reference
from reports.figures.style import SMALL, WIDTH, colour, finish, legend_below, log_ticks
from reports.speed_rule import THRESHOLD, Speed, ratio_text, scenario_rows

EVEN_GREY = "#d9d9d9"


def panels(run: dict, order: list[str]) -> dict[str, tuple[str, list]]:
    """Scenario -> (where it was measured, [Comparison, ...] fastest first); scenarios with no comparison
    are left out, and a row identical to one already drawn is not drawn again."""
    out: dict[str, tuple[str, list]] = {}
    seen = set()
    for r in scenario_rows(run, order):
        key = (r.scenario, r.cmp.a, r.cmp.ratio, r.cmp.lo, r.cmp.hi) if r.cmp is not None else None
        if r.cmp is not None and key not in seen:         # a row repeating another's numbers is drawn once
            seen.add(key)
            out.setdefault(r.scenario, (r.point, []))[1].append(r.cmp)
    return out


def own_definition(run: dict, backend: str) -> str:
    """" (kaldi def.)" for a backend computing another MFCC definition than the reference's, else ""."""
    mine, ref = definition(run, backend), definition(run, reference(run))
    return f" ({mine} def.)" if mine and ref and mine != ref else ""


def draw(run: dict, order: list[str]):
    """The figure, or None when the run has no comparison with the reference."""
    found = panels(run, order)
    if not found:
        return None
    ratios = [v for _, cmps in found.values() for c in cmps for v in (c.lo, c.hi, c.ratio)] + [1 / THRESHOLD,
                                                                                                THRESHOLD]
    lo, hi = min(ratios) / 1.35, max(ratios) * 1.8
    counts = [len(cmps) for _, cmps in found.values()]
    fig, axes = plt.subplots(len(found), 1, figsize=(WIDTH, 1.5 + 0.36 * sum(counts) + 0.55 * len(found)),
                             height_ratios=counts, sharex=True, squeeze=False)
    for ax, (scenario, (point, cmps)) in zip(axes[:, 0], found.items()):
        ax.axvspan(1 / THRESHOLD, THRESHOLD, color=EVEN_GREY, zorder=0, lw=0)
        ax.axvline(1.0, color="#555", lw=0.8, zorder=1)
        for y, c in enumerate(cmps):
            col = colour(order, c.a.backend)
            ax.plot([c.lo, c.hi], [y, y], color=col, lw=2, solid_capstyle="butt", zorder=2)
            even = c.verdict is Speed.EVEN
            ax.plot([c.ratio], [y], "o", ms=8, mec=col, mew=1.6, mfc="white" if even else col, zorder=3)
            ax.annotate(ratio_text(c.ratio) + (" even" if even else ""), (max(c.hi, c.ratio), y), xytext=(5, 0),
                        textcoords="offset points", va="center", fontsize=SMALL)
        ax.set_yticks(range(len(cmps)), [c.a.name + own_definition(run, c.a.backend) for c in cmps])
        ax.set_ylim(len(cmps) - 0.5, -0.5)
        ax.grid(True, axis="x", alpha=0.3)
        ax.grid(False, axis="y")
        ax.set_title(f"{scenario} — {point}", fontsize=10, loc="left")
    ax = axes[-1, 0]
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ticks = log_ticks(lo, hi)
    ax.set_xticks(ticks, [ratio_text(t) for t in ticks])
    ax.xaxis.set_minor_locator(plt.NullLocator())
    ref = reference(run)
    ax.set_xlabel(f"speedup over {ref} on the CPU: its time ÷ the backend's (> 1: faster)")
    fig.suptitle(f"Which is faster than {ref}, per workload", fontsize=11)
    legend_below(ax, ncol=3, handles=[
        Line2D([], [], marker="o", color="#444", mfc="#444", ls="-", label="faster or slower (passes separate)"),
        Line2D([], [], marker="o", color="#444", mfc="white", ls="-", label="even (passes do not separate)"),
        Patch(color=EVEN_GREY, label=f"even band: within {THRESHOLD:.2f}×")])
    return finish(fig)
