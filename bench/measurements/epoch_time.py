"""Epoch time: training with features computed on the accelerator inside the loop, against the same
training on the reference's features computed once on the CPU and cached.

For each chosen backend that runs on CUDA (the torch backends) and computes the matched config, one training
with `feature_mode="on-the-fly"` (every batch's features computed on the training device), then one
with the reference's cached CPU features; both train on the accelerator, for at most
`ctx.options.epochs` (default: 10) epochs. Record per training: path, backend, device,
epoch_seconds (the median epoch), extraction_seconds, epochs, test_accuracy.

The accelerator is `ctx.options.accelerator`: "cuda" when a GPU is measured, "cpu" in the GPU
session's rehearsal (the CPU stands in for it), None otherwise (nothing is measured: on a CPU-only run
both paths are the CPU's and the comparison says nothing about the question).
"""
from __future__ import annotations

from features.backends import REFERENCE, get, runs_on
from reports.records import EpochTime

NAME = "epoch_time"
TABLES = ("epoch_time",)
NEEDS_DATA = True
MAX_EPOCHS = 10


def run(ctx) -> dict:
    """{"epoch_time": [EpochTime]}: one record per training path."""
    from model.train import train_and_evaluate

    device = ctx.options.accelerator
    if device is None:
        ctx.progress("epoch time: no accelerator measured in this run; nothing to do")
        return {"epoch_time": []}
    epochs = min(ctx.options.epochs or MAX_EPOCHS, MAX_EPOCHS)
    # in the loop: the torch backends (those that run on CUDA); then the reference, cached
    paths = [(f"{b}-in-loop-{device}", b, "on-the-fly") for b in ctx.backends if runs_on(b, "cuda")
             and get(b).honours(ctx.cfg)] + [(f"{REFERENCE}-cpu-precomputed", REFERENCE, "cache")]
    rows = []
    for path, backend, mode in paths:
        ctx.progress(f"epoch time: {path}, {epochs} epoch(s) on {device}")
        _, m = train_and_evaluate(backend=backend, cfg=ctx.cfg, splits=ctx.splits, device=device, epochs=epochs,
                                  seed=0, feature_mode=mode, cache_dir=False, progress=False)
        seconds = sorted(h["seconds"] for h in m.history if "seconds" in h)
        rows.append(EpochTime(path=path, backend=backend, device=str(device),
                              epoch_seconds=seconds[len(seconds) // 2] if seconds else None,
                              extraction_seconds=m.extraction_seconds, epochs=m.epochs, test_accuracy=m.test_accuracy))
    return {"epoch_time": rows}
