"""What every figure shares: backend colours in a fixed order, device markers, plain-number ticks,
legends below the axes (so the plot keeps its width at 800 px), and the SVG export.

Readability rules every figure keeps (tests/reports/test_figure_rules.py checks the SVGs): no text under
:data:`MIN_FONT_PT` (at 100 dpi a point is 100/72 px, and an 800 px figure shown in a 752 px column
keeps it above 11 px); bars only on linear axes from zero (log axes get dots); at least three labelled
ticks on every log axis."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter, NullLocator  # noqa: E402

from reports.data import is_gpu  # noqa: E402

#: Okabe-Ito, colour-blind safe; backends take them in the order of results["backends"].
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442"]  # yellow last:
# it is hard to see as a dot or a thin line on white
OTHER = "#999999"
#: a matrix cell no record fills: grey with dark text, never read as a value
EMPTY = "#d9d9d9"
CATEGORY = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255"]
RUN_LINESTYLES = ["-", "--", ":", "-."]
RUN_HATCHES = ["", "//", "..", "xx"]
WIDTH = 8.0      # inches at 100 dpi: 800 px, the narrow screen the page must stay readable on
MIN_FONT_PT = 9  # the smallest text in any figure (SVG user units are points)
SMALL = MIN_FONT_PT  # value labels, cell text, legends

plt.rcParams.update({
    "figure.dpi": 100, "savefig.dpi": 100, "font.size": 10, "axes.titlesize": 10.5, "axes.grid": True,
    "grid.alpha": 0.3, "legend.fontsize": SMALL, "legend.framealpha": 0.9, "svg.hashsalt": "mfcc-bench",
    "svg.fonttype": "none", "xtick.labelsize": SMALL + 0.5, "ytick.labelsize": SMALL + 0.5,
})


def colours(order: list[str]) -> dict[str, str]:
    """Backend -> colour, by position in ``order`` (the same in every plot of a page)."""
    return {b: PALETTE[i % len(PALETTE)] for i, b in enumerate(order)}


def colour(order: list[str], backend) -> str:
    return colours(order).get(backend, OTHER)


def marker(device, transfer=None) -> str:
    """o = CPU, s = accelerator incl. the copy, x = accelerator kernels only."""
    return "o" if not is_gpu(device) else ("s" if transfer or transfer is None else "x")


def run_suffix(run: dict, runs: list[dict]) -> str:
    return f" — {run.label}" if len(runs) > 1 else ""


def tick(v: float, _pos=None) -> str:
    """0.001, 1, 10,000: no 10^x on log axes."""
    if v == 0:
        return "0"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"


def measured_ticks(axis, values) -> None:
    """Ticks at exactly the measured values, labelled plainly (no minor ticks)."""
    values = sorted({float(v) for v in values})
    axis.set_major_locator(FixedLocator(values))
    axis.set_major_formatter(FuncFormatter(tick))
    axis.set_minor_locator(NullLocator())


def legend_below(ax, ncol: int = 2, **kw) -> None:
    """The legend under the figure (outside every axes): it never covers data, an axis title or the plot's
    width. Needs the constrained layout that :func:`finish` sets."""
    handles = kw.pop("handles", None)
    labels = None
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
        if not handles:
            return
    fig = ax.figure
    fig.set_layout_engine("constrained")
    fig.legend(handles=handles, labels=labels if labels is not None else [h.get_label() for h in handles],
               loc="outside lower center", ncol=ncol, **kw)


def log_ticks(lo: float, hi: float) -> list[float]:
    """Ticks for a log axis from ``lo`` to ``hi``: the decades, or 1-2-5 steps where fewer than three
    decades fall inside (then at least three ticks whenever the range spans a factor of 2.5)."""
    lo, hi = min(lo, hi), max(lo, hi)
    out = []
    for steps in ((1,), (1, 2, 5), (1, 1.5, 2, 3, 5, 7)):
        out = [m * 10.0 ** e for e in range(int(np.floor(np.log10(lo))) - 1, int(np.ceil(np.log10(hi))) + 1)
               for m in steps if lo <= m * 10.0 ** e <= hi]
        if len(out) >= 3:
            break
    if len(out) > 9:                                        # many decades: every other one
        out = out[::2]
    return out


def finish(fig: Figure) -> Figure:
    """Plain-number ticks on every log axis (at least three labelled), then a layout that keeps titles and
    legends inside."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() != "log" or isinstance(axis.get_major_locator(), FixedLocator):
                continue
            lo, hi = (ax.get_xlim() if axis is ax.xaxis else ax.get_ylim())
            ticks = log_ticks(lo, hi) if lo > 0 and hi > 0 else []
            axis.set_major_locator(FixedLocator(ticks) if len(ticks) >= 3 else LogLocator())
            axis.set_major_formatter(FuncFormatter(tick))
            axis.set_minor_formatter(NullFormatter())
    fig.set_layout_engine("constrained")
    return fig


def sig(v: float, unit: str = "") -> str:
    return (f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}") + unit


def hbars(ax, labels, values, colors, *, log=True, fmt=sig, hatches=None):
    """Values listed top to bottom with value labels: bars from zero on a linear axis, dots on a log
    axis (a bar's length means nothing there). On a log axis exact zeros are drawn at a floor and
    labelled "0 (exact)"; ``None`` is drawn as nothing and labelled "n/a"."""
    pos = np.arange(len(values))
    positive = [v for v in values if v is not None and v > 0]
    floor = min(positive) / 10 if positive else 1e-12
    shown = [np.nan if v is None else (v if v > 0 or not log else floor) for v in values]
    if log:
        ax.set_xscale("log")
        ax.scatter(shown, pos, c=colors, s=46, edgecolors="#333", linewidths=0.6, zorder=3)
        ax.grid(True, axis="y", alpha=0.3)
    else:
        bars = ax.barh(pos, shown, color=colors, edgecolor="#333", linewidth=0.6)
        for bar, h in zip(bars, hatches or []):
            bar.set_hatch(h)
    ax.set_yticks(pos, labels)
    ax.set_ylim(len(values) - 0.5, -0.5)          # top to bottom, no dot on a spine
    for y, v, h in zip(pos, values, shown):
        text = "n/a" if v is None else "0 (exact)" if (log and v <= 0) else fmt(v)
        x = (floor if log else 0) if v is None else h
        ax.annotate(text, (x, y), xytext=(6 if log else 3, 0), textcoords="offset points", va="center",
                    fontsize=SMALL)
    if log and positive:
        ax.set_xlim(floor / 2 if floor < min(positive) and any(v is not None and v <= 0 for v in values)
                    else min(positive) / 2, max(positive) * 3.5)
    elif not log:
        ax.set_xlim(0, ax.get_xlim()[1] * 1.18)


def to_svg(fig: Figure) -> str:
    """The figure as standalone SVG text (no date, stable ids), then closed."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    return re.sub(r"<!-- Created with matplotlib.*?-->", "", buf.getvalue())


def svg_width_px(svg: str) -> int:
    """The natural width of an SVG written by :func:`to_svg` (pt at 72/in -> px at 100 dpi)."""
    m = re.search(r'width="([\d.]+)pt"', svg)
    return int(float(m.group(1)) * 100 / 72) if m else 800


def hbar_figure(rows: list[tuple], *, xlabel: str, title: str, log: bool = True, fmt=sig, legend=None):
    """A whole horizontal-bar figure from rows of (label, value, colour[, hatch]); None when empty."""
    rows = [r for r in rows if r[1] is not None or len(rows) > 1]
    if not rows or all(r[1] is None for r in rows):
        return None
    fig, ax = plt.subplots(figsize=(WIDTH, 1.4 + 0.36 * len(rows)))
    hbars(ax, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], log=log, fmt=fmt,
          hatches=[r[3] if len(r) > 3 else "" for r in rows])
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    if legend:
        legend_below(ax, handles=legend, ncol=3)
    return finish(fig)
