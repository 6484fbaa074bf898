"""Figures that match their tables (issue 30): the skew heatmap's cells are seed means with n, cells never run
are grey; accuracy differences are drawn with their paired intervals; the swap matrix says the same numbers
in plain words. Built from a small multi-seed fixture whose means are known."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from matplotlib.colors import to_hex

from reports.data import frame, load_runs
from reports.figures import accuracy
from reports.figures.style import EMPTY, plt
from reports.sections import PageInputs, swap
from tests.reports.helpers import SCHEMA1_CPU

ORDER = ["librosa", "torchaudio"]
# (train, test) -> accuracy per seed 0, 1, 2 under library_defaults; torchaudio -> librosa never run
ACC = {("librosa", "librosa"): [0.90, 0.80, 0.85], ("librosa", "torchaudio"): [0.60, 0.40, 0.62],
       ("torchaudio", "torchaudio"): [0.95, 0.93, 0.97]}


@pytest.fixture(scope="module")
def run():
    runs, _ = load_runs([SCHEMA1_CPU])
    run = runs[0]
    template = run["accuracy"][0]
    run["accuracy"] = [dataclasses.replace(template, train_backend=train, test_backend=test, preset="library_defaults",
                                           seed=seed, test_accuracy=acc)
                       for (train, test), accs in ACC.items() for seed, acc in enumerate(accs)]
    return run


def test_skew_cells_are_seed_means_with_n_and_empty_cells_grey(run):
    grid, count = accuracy.skew_grid(frame(run, "accuracy"), ORDER)
    assert grid[0, 1] == pytest.approx(np.mean(ACC[("librosa", "torchaudio")]) * 100)   # 54.0, not the last seed's 62
    assert count[0, 1] == 3 and np.isnan(grid[1, 0]) and count[1, 0] == 0
    fig = accuracy.skew([run], ORDER)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert "54.0\nn=3" in texts and "62.0\nn=3" not in texts and accuracy.NOT_RUN in texts
    im = ax.images[0]
    assert im.get_array().mask[1, 0] and to_hex(im.get_cmap().get_bad()) == EMPTY
    plt.close(fig)


def test_differences_are_drawn_with_their_paired_interval(run):
    fig = accuracy.differences([run], ORDER, "swaps")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["librosa → torchaudio: each library's defaults"]
    x = ax.collections[-1].get_offsets()[0][0]          # the dot
    paired = np.subtract(ACC[("librosa", "torchaudio")], ACC[("librosa", "librosa")]) * 100
    assert x == pytest.approx(paired.mean())              # -31.0 pp
    lo, hi = ax.get_xlim()
    assert lo < paired.mean() < hi and "0-100" not in ax.get_xlabel()
    plt.close(fig)


def test_swap_matrix_in_plain_words(run):
    table = swap.matrix(PageInputs([run], ORDER))
    assert table.headers == ["library swap", "same settings (matched)", "each library's defaults (library_defaults)",
                             "converted by features.port (ported)"]
    (row,) = table.rows
    assert row[0] == "trained on librosa, served by torchaudio"
    assert row[2].startswith("54.0 % — costs 31.0 pp") and row[1] == "not run" and row[3] == "not run"


def test_titles_and_axis_labels_are_not_clipped(run):
    for fig in (accuracy.differences([run], ORDER, "swaps"), accuracy.skew([run], ORDER)):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        width, height = fig.bbox.width, fig.bbox.height
        texts = [t for ax in fig.axes for t in (ax.title, ax.xaxis.label, ax.yaxis.label) if t.get_text()]
        texts += [fig._suptitle] if fig._suptitle is not None else []
        for t in texts:
            box = t.get_window_extent(renderer)
            assert box.x0 >= -1 and box.x1 <= width + 1 and box.y0 >= -1 and box.y1 <= height + 1, t.get_text()
        plt.close(fig)
