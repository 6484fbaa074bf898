"""The readability rules every figure keeps (reports/figures/style.py): no text under MIN_FONT_PT (the SVG's
user units are points; shown at 100/72 px a point in a 752 px column, 9 pt stays above 11 px), at least
three labelled ticks on every log axis, bars only on linear axes, no all-n/a row or column in a matrix."""
from __future__ import annotations

import importlib
import re

import pytest
from matplotlib.container import BarContainer

from reports.build import context
from reports.figures.style import MIN_FONT_PT, plt, to_svg
from reports.sections import ORDER
from tests.reports.helpers import FIXTURE, REPO

RUNS = {"gpu fixture": [FIXTURE], "intel run": [REPO / "reports" / "results" / "cpu-intel-xeon-2core"]}
# the accuracy figures are another change's (reports/figures/accuracy.py); they are checked there
NOT_HERE = {"accuracy", "skew", "confusion"}


def figures(paths):
    """(slug, matplotlib Figure) for every figure the page draws from `paths`, accuracy figures left out."""
    ctx = context(paths)
    for name in ORDER:
        for block in importlib.import_module(f"reports.sections.{name}").section(ctx).blocks:
            if block.figure is not None and block.slug not in NOT_HERE:
                fig = block.figure()
                if fig is not None:
                    yield block.slug, fig


@pytest.fixture(scope="module", params=list(RUNS))
def drawn(request):
    out = []
    for slug, fig in figures(RUNS[request.param]):
        fig.canvas.draw()
        logs = []
        for ax in fig.axes:
            for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
                if axis.get_scale() == "log" and axis.get_visible():
                    labels = axis.get_ticklabels()
                    shared = ax.get_shared_x_axes() if axis is ax.xaxis else ax.get_shared_y_axes()
                    if len(shared.get_siblings(ax)) > 1 and not any(t.get_visible() and t.get_text() for t in labels):
                        continue          # a shared axis whose labels another panel shows (and is checked)
                    shown = [t.get_text() for t, v in zip(labels, axis.get_ticklocs())
                             if t.get_text() and t.get_visible() and min(lo, hi) <= v <= max(lo, hi)]
                    logs.append((ax.get_title(loc="left") or ax.get_title() or ax.get_label(), shown,
                                 any(isinstance(c, BarContainer) for c in ax.containers)))
        out.append((slug, logs, to_svg(fig)))
    plt.close("all")
    return out


def test_no_text_under_the_minimum_size(drawn):
    for slug, _, svg in drawn:
        sizes = [float(s) for s in re.findall(r"font-size:\s*([\d.]+)px", svg)]
        assert sizes and min(sizes) >= MIN_FONT_PT, (slug, sorted(set(sizes))[:4])


def test_log_axes_have_three_labelled_ticks_and_no_bars(drawn):
    for slug, logs, _ in drawn:
        for title, labels, bars in logs:
            colourbar = title == "<colorbar>"
            assert len(labels) >= 3 or colourbar, (slug, title, labels)
            assert not bars, (slug, title, "bars on a log axis")


def test_matrices_have_no_all_na_row_or_column():
    from reports.figures import agreement_matrix
    ctx = context(RUNS["intel run"])
    rows, presets, vals, _ = agreement_matrix.matrix(ctx.runs[0], ctx.order)
    assert rows and presets
    assert not any(all(v != v for v in row) for row in vals)            # NaN != NaN
    assert not any(all(v != v for v in col) for col in vals.T)
