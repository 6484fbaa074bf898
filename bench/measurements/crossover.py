"""The crossover batch: from which batch size the accelerator, copy included, beats a library on the CPU.

For each clip length in `grid.crossover_durations_s` and each backend that runs on the accelerator and
computes the matched config, the batch grows along `grid.crossover_batch_sizes`; at each size the
accelerator's call (from a pinned host batch, so the host-to-device copy is inside the time) is timed
against each library of `grid.crossover_cpu_backends` on the CPU of the same machine, and the first
size at which the accelerator's median is the smaller is that pair's crossover. Larger batches are not
timed once a pair has crossed (a GPU's time per clip falls as the batch grows, a CPU library's does
not), so the walk ends early where the GPU wins at small batches.

The accelerator is `ctx.options.accelerator`: "cuda" when a GPU is measured, "cpu" in the GPU
session's rehearsal (where the CPU stands in for it and no copy exists), None otherwise (nothing is
measured). With `ctx.options.deadline` (a time.monotonic() value) no new batch size is started
after it; pairs not decided by then say so in `note`.

Record per (backend, competitor, duration): crossover_batch (int, or None: not within the sizes
timed), batch_sizes (list[int], the sizes timed), backend_s and competitor_s (list[float], median
seconds per call at each of those sizes), includes_transfer, note.
"""
from __future__ import annotations

import time

import torch

from features import create_extractor
from features.backends import get, runs_on
from reports.records import Crossover

from .support.batches import make_batch
from ..timing import time_call

NAME = "crossover"
TABLES = ("crossover",)
NEEDS_DATA = False


def timer(ctx, backend: str, device: str, duration_s: float):
    """A function batch_size -> median seconds per call of `backend` on `device` (from a pinned host
    tensor on CUDA: the copy is timed), each point timed once and remembered."""
    cfg = ctx.config_for(backend).replace(sample_size=int(round(duration_s * ctx.cfg.sample_rate)))
    ext = create_extractor(backend, cfg, device=device)
    memo: dict[int, float] = {}

    def seconds(batch: int) -> float:
        if batch not in memo:
            host = make_batch(batch, duration_s, cfg.sample_rate)
            data = torch.from_numpy(host).pin_memory() if device == "cuda" else host
            with torch.inference_mode():
                memo[batch] = time_call(lambda: ext(data), device=device, warmup=3 if device == "cuda" else 1,
                                        min_repeats=5, min_time_s=ctx.grid.min_time_s).median_s
        return memo[batch]
    return seconds


def walk(pairs: list, sizes: tuple, *, deadline=None, progress=print) -> dict:
    """Grow the batch along `sizes` until every pair has crossed (or the deadline passes).

    Args:
        pairs (list[tuple]): (key, accelerator timer, CPU timer); a timer maps batch size -> seconds.
        sizes (tuple[int]): batch sizes, ascending.
        deadline (float | None, None): time.monotonic() after which no new size is started.
    Returns:
        {key: dict(crossover_batch, batch_sizes, backend_s, competitor_s, note)}.
    """
    out = {key: dict(crossover_batch=None, batch_sizes=[], backend_s=[], competitor_s=[], note="")
           for key, _, _ in pairs}
    open_pairs = list(pairs)
    for batch in sizes:
        if not open_pairs:
            break
        if deadline is not None and time.monotonic() > deadline:
            for key, _, _ in open_pairs:
                out[key]["note"] = f"not decided: the deadline passed before batch {batch}"
            return out
        progress(f"crossover: batch {batch}, {len(open_pairs)} pair(s) open")
        for key, fast, slow in list(open_pairs):
            rec = out[key]
            rec["batch_sizes"].append(batch)
            rec["backend_s"].append(fast(batch))
            rec["competitor_s"].append(slow(batch))
            if rec["backend_s"][-1] < rec["competitor_s"][-1]:
                rec["crossover_batch"] = batch
                rec["note"] = "faster at every batch timed" if batch == sizes[0] else f"slower below batch {batch}"
                open_pairs.remove((key, fast, slow))
    for key, _, _ in open_pairs:
        out[key]["note"] = f"slower at every batch timed (up to {sizes[-1]})"
    return out


def run(ctx) -> dict:
    """{"crossover": [Crossover]}: one record per (backend, competitor, clip length)."""
    accelerator = ctx.options.accelerator
    if accelerator is None:
        ctx.progress("crossover: no accelerator measured in this run; nothing to do")
        return {"crossover": []}
    grid = ctx.grid
    # the torch backends (those that run on CUDA), on the accelerator (or the CPU standing in for it)
    candidates = [b for b in ctx.backends if runs_on(b, "cuda") and runs_on(b, accelerator) and get(b).honours(ctx.cfg)]
    competitors = [b for b in grid.crossover_cpu_backends if get(b).honours(ctx.cfg)]
    rows = []
    for duration in grid.crossover_durations_s:
        cpu = {c: timer(ctx, c, "cpu", duration) for c in competitors}
        acc = {b: timer(ctx, b, accelerator, duration) for b in candidates}
        pairs = [((b, c), acc[b], cpu[c]) for b in candidates for c in competitors
                 if not (accelerator == "cpu" and b == c)]          # a backend against itself says nothing
        found = walk(pairs, tuple(grid.crossover_batch_sizes), deadline=ctx.options.deadline,
                     progress=ctx.progress)
        for (backend, competitor), rec in found.items():
            rows.append(Crossover(backend=backend, device=accelerator, includes_transfer=accelerator != "cpu",
                                  competitor=competitor, competitor_device="cpu", duration_s=duration, **rec))
    return {"crossover": rows}
