"""Accuracy in detail: each backend's own accuracy, the skew matrices, confusion and epoch time."""

from __future__ import annotations

from functools import partial

from reports.figures import accuracy, simple_bars
from reports.page import Block, Section, record_table
from reports.skew import twin_spreads

ACCURACY = ("train_backend:trained on; test_backend:served by; preset:preset; split:split; "
            "test_accuracy:test accuracy:pct; n_test:test clips:int; epochs:epochs:int; train_seconds:train (s)")


def noise_text(runs: list[dict]) -> str:
    """A sentence per run on its training noise (the spread between backends trained on equal features)."""
    parts = [f" {run.label}, {t.preset}, {t.split} split: {', '.join(t.backends)} reach "
             f"{t.low * 100:.1f}–{t.high * 100:.1f} % ({t.spread_pp:.1f} pp apart)."
             for run in runs for t in twin_spreads(run)]
    return (" Training noise — backends whose features agree to float rounding, each trained once:" + "".join(parts)
            + " Differences up to that size say nothing about the features.") if parts else ""


def section(ctx) -> Section:
    runs, order = ctx.runs, ctx.order
    return Section("accuracy", "5. Accuracy", [
        Block("accuracy", "Accuracy per backend", "Trained and tested on the same backend's features; at matched "
              "where the backend honours it, else at its own preset (named)." + noise_text(runs),
              partial(accuracy.own, runs, order),
              missing="accuracy records with train = test backend"),
        Block("skew", "Train/serve skew", "Rows: the backend the classifier was trained on; columns: the backend "
              "computing features when serving.", partial(accuracy.skew, runs, order),
              [record_table(runs, "accuracy", ACCURACY, ["preset", "train_backend", "test_backend"])],
              "accuracy records with train ≠ test backend"),
        Block("confusion", "Confusion matrices", "Own backend, matched preset.", partial(accuracy.confusion, runs, order),
              missing="confusion matrices in the accuracy records"),
        Block("epoch_time", "Epoch time", "Seconds per training epoch per way of feeding features.",
              partial(simple_bars.epoch_time, runs, order),
              [record_table(runs, "epoch_time", "path:path; epoch_seconds:epoch (s); test_accuracy:test accuracy:pct")],
              "epoch_time records"),
    ])
