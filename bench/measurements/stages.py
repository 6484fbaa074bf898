"""Where the time goes: each stage of a backend's call timed on its own, beside the whole call.

A backend declares its stages with `Backend.stage_pipeline()` (None: not declared, no rows). Each
stage is timed alone on the previous stage's output, with the throughput grid's timer and
statistics (bench.timing.time_call, synchronised on CUDA), and the whole call is timed in the same
run: whole call, then each stage, `ROUNDS` times over, each one's samples pooled across the rounds
(so slow drift in a shared machine's speed hits the parts and the whole alike). On CUDA the input is
a pinned host batch, so the host-to-device copy is a stage ("h2d") of its own.

Records (table "stages", one per stage): backend, device, batch_size, duration_s, stage, median_s,
q1_s, q3_s, share (of the stages' sum), whole_s, stages_sum_s, sum_ratio (stages_sum_s / whole_s),
within_10pct, note (why the sum is off by more than 10%, else "").
"""
from __future__ import annotations

import torch

from features import create_extractor
from features.backends import get
from reports.records import Stage

from .support.batches import make_batch
from ..grid import Sizes
from ..timing import TimingStats, time_call

NAME = "stages"
TABLES = ("stages",)
NEEDS_DATA = False

# (batch_size, duration_s) points, besides the grid's usual point
POINTS = Sizes(small=((1, 1.0), (64, 1.0)), full=((1, 1.0), (64, 1.0), (256, 1.0)))
TOLERANCE = 0.10        # |stages_sum / whole - 1| above this gets a note
ROUNDS = 3              # the whole call and every stage are timed in turn this many times, samples pooled

WHY_MORE = ("the stages cost more apart than together: timed alone, each writes its whole output to memory "
            "and the next reads it back, where the whole call keeps consecutive steps in cache (a backend "
            "that runs its steps a cache-sized chunk of clips at a time loses that too)")
WHY_LESS = ("the whole call costs more than its stages: work between the steps that no stage holds "
            "(allocations, copies, Python), or a machine whose speed moved during the run (see q1_s/q3_s)")


def points(ctx) -> list[tuple]:
    """The (batch_size, duration_s) points for this run: POINTS plus the grid's usual point, sorted."""
    chosen = set(POINTS.pick(ctx.small)) | {tuple(ctx.grid.usual_point)}
    return sorted(chosen)


def measure(backend: str, cfg, *, device: str, batch_size: int, duration_s: float,
            min_time_s: float) -> list[Stage]:
    """Stage records for one backend, device and point; [] where the backend declares no stages.

    Args:
        backend (str): a registered backend name.
        cfg (MFCCConfig): the config (its sample_size is set to the clip length here).
        device (str): "cpu" or "cuda".
        batch_size (int), duration_s (float): the point, clips x seconds.
        min_time_s (float): the minimum timed total per stage and for the whole call (over the rounds).
    """
    n = int(round(duration_s * cfg.sample_rate))
    host = make_batch(batch_size, duration_s, cfg.sample_rate)
    warmup = 5 if device == "cuda" else 2
    with torch.inference_mode():
        ext = create_extractor(backend, cfg.replace(sample_size=n), device=device)
        pipeline = ext.stage_pipeline()
        if pipeline is None:
            return []
        data = torch.from_numpy(host).pin_memory() if device == "cuda" else host

        def timed(name: str, fn) -> None:
            before = minor_faults()
            stats = time_call(fn, device=device, warmup=warmup, min_time_s=min_time_s / ROUNDS)
            samples[name].extend(stats.samples)
            faults[name] += minor_faults() - before
            calls[name] += stats.repeats + warmup

        def input_of(i: int):
            value = data
            for _, fn in pipeline[:i]:
                value = fn(value)
            return value

        # every stage's input is computed afresh and dropped after: with the other intermediates held,
        # allocations take fresh pages from the OS (measured: torchaudio's whole call at batch 64
        # twice as long, from thousands of page faults per call)
        names = ["whole"] + [stage for stage, _ in pipeline]
        samples, faults, calls = ({name: [] for name in names}, dict.fromkeys(names, 0), dict.fromkeys(names, 0))
        for _ in range(ROUNDS):
            timed("whole", lambda: ext(data))
            for i, (stage, fn) in enumerate(pipeline):
                value = input_of(i)
                timed(stage, lambda: fn(value))
                value = None        # dropped before the next stage's input is built
    per_call = {name: faults[name] / calls[name] for name in names}
    whole = TimingStats.from_samples(samples.pop("whole"))
    stage_stats = [(stage, TimingStats.from_samples(times)) for stage, times in samples.items()]
    faults_note = (per_call["whole"], sum(per_call[stage] for stage, _ in pipeline))
    return records(dict(backend=backend, device=device, batch_size=batch_size, duration_s=duration_s),
                   stage_stats, whole, page_faults=faults_note)


def records(keys: dict, stage_stats: list, whole: TimingStats, *, page_faults: tuple = (0.0, 0.0)) -> list[Stage]:
    """One record per (stage, TimingStats) in `stage_stats`, with the whole call's median beside it.
    `page_faults`: (whole call, stages together) minor page faults per call, named in the note where
    the whole call costs more than its stages and took more of them."""
    total = sum(stats.median_s for _, stats in stage_stats)
    ratio = total / whole.median_s
    within = abs(ratio - 1) <= TOLERANCE
    note = ""
    if not within:
        note = f"stages sum to {ratio:.2f}x the whole call: " + (WHY_MORE if ratio > 1 else WHY_LESS)
        if ratio < 1 and page_faults[0] > 2 * page_faults[1] + 100:
            note += (f"; here the whole call took {page_faults[0]:.0f} page faults per call against "
                     f"{page_faults[1]:.0f} for its stages together: its allocations got fresh memory "
                     f"from the OS each time")
    return [Stage(**keys, stage=stage, median_s=stats.median_s, q1_s=stats.q1_s, q3_s=stats.q3_s,
                  share=stats.median_s / total, whole_s=whole.median_s, stages_sum_s=total, sum_ratio=ratio,
                  within_10pct=within, note=note)
            for stage, stats in stage_stats]


def minor_faults() -> int:
    """Minor page faults of this process so far (0 where the platform does not count them)."""
    try:
        import resource
    except ImportError:     # not on Linux/macOS
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def run(ctx) -> dict:
    """{"stages": [Stage]}."""
    rows = []
    for backend, device in ctx.pairs():
        if not get(backend).honours(ctx.cfg):
            ctx.progress(f"stages: {backend} cannot compute the matched config; no stage rows")
            continue
        for batch, duration in points(ctx):
            ctx.progress(f"stages: {backend} on {device}, batch {batch} x {duration} s")
            got = measure(backend, ctx.cfg, device=device, batch_size=batch, duration_s=duration,
                          min_time_s=ctx.grid.min_time_s)
            if not got:
                ctx.progress(f"stages: {backend} declares no stage pipeline (Backend.stage_pipeline); no stage rows")
                break
            rows.extend(got)
    return {"stages": rows}
