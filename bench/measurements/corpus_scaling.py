"""Corpus featurisation at scale: the corpus job (bench.corpus.engine) on Ray with 1, 2, ... workers
against the same work in one plain process, and a projection to 1,000 and 10,000 hours of audio.

Ray is started once (its start and the workers' warm-up are recorded apart, in `engine_start_s`, not
in any run's wall time) and reused by every run; each run writes its shards to a fresh temporary
folder. The single process runs with one thread (torch and BLAS), as each Ray worker does
(OMP_NUM_THREADS=1 there). CUDA backends run as Ray actors with one GPU each where "cuda" is in
ctx.devices. The projection extrapolates only the measured rates and scaling efficiency, and says so.

Each rate comes from enough work to outlast Ray's start-up and the machine's noise: the file list is
cycled until one plain process needs about WORK_S seconds for it (20 s in full; measured per backend on a
warm calibration slice first), so a fast backend gets more files than a slow one and every rate rests on
about the same amount of work. The single-process run's own wall time says how close it came.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from features.backends import get
from reports.records import CorpusScaling, Projection

from ..corpus import engine
from .support.clip_files import train_files
from ..grid import Sizes

NAME = "corpus_scaling"
TABLES = ("corpus_scaling", "projection")
NEEDS_DATA = True
N_FILES = Sizes(small=96, full=1200)
REPEATS = Sizes(small=1, full=1)
#: seconds of one plain process's work every rate rests on (the file list cycled to reach it)
WORK_S = Sizes(small=1.0, full=20.0)
CALIBRATION_FILES = 48
CALIBRATION_S = 2.0
CORPUS_HOURS = (1000, 10000)
CPU_COUNTS = (1, 2, 4, 8, 16)
GPU_COUNTS = (1, 2, 4, 8)


def worker_counts(available: int, small: bool) -> list:
    """1 and 2 (small sizes, or a 2-core machine), else every count from 1 to `available`."""
    return [w for w in (1, 2) if w <= available] if small else list(range(1, available + 1))


@contextlib.contextmanager
def one_thread():
    """torch and the BLAS/OpenMP pools limited to one thread, as in a Ray worker with num_cpus=1."""
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(1):
            yield
    finally:
        torch.set_num_threads(before)


def _timed(fn, job, shards) -> tuple:
    """(wall seconds, decoded audio seconds) of fn(shards, job) into a fresh temporary output folder."""
    with tempfile.TemporaryDirectory(prefix="mfcc-bench-corpus-") as tmp:
        job = engine.Job(backend=job.backend, cfg=job.cfg, out=Path(tmp), device=job.device, shard_size=job.shard_size)
        start = time.perf_counter()
        results = fn(shards, job)
        wall = time.perf_counter() - start
    return wall, sum(r["audio_s"] for r in results)


def calibrate(items: list, job, seconds: float) -> float:
    """One plain process's seconds per file for `job`, from a slice of `items` (cycled) grown fourfold until it
    takes at least `seconds`: a small slice is dominated by per-shard costs (the extractor, the Parquet
    write) and the cold page cache, which once gave `librosa_torch` 3 s of work where 20 were asked for."""
    n = CALIBRATION_FILES
    while True:
        shards = engine.plan_shards(cycled(items, n), dataclasses.replace(job, shard_size=n))
        wall = _timed(engine.run_single_process, job, shards)[0]
        if wall >= seconds or n >= 64 * len(items):
            return wall / n
        n *= 4


def cycled(items: list, n: int) -> list:
    """The first `n` of `items` repeated end to end."""
    return [items[i % len(items)] for i in range(n)]


def sized(items: list, seconds_per_file: float, work_s: float) -> list:
    """`items` cycled (or cut) to the number of files one process needs `work_s` seconds for (at least one
    pass over `items` where work_s is 0)."""
    if work_s <= 0 or seconds_per_file <= 0:
        return list(items)
    return cycled(items, max(1, math.ceil(work_s / seconds_per_file)))


def measure(items, cfg, *, pairs, workers_by_device: dict, repeats: int = 1, progress=print,
            configs: dict = None, work_s: float = 0.0) -> list[CorpusScaling]:
    """CorpusScaling records for each (backend, device) in `pairs` over (path, label) `items` (cycled to
    `work_s` seconds of one process's work per backend, see `sized`; 0: the items once); each run `repeats`
    times (interleaved), wall_s the median. `configs` ({backend: MFCCConfig}) overrides `cfg` for the
    backends it names (those that cannot compute `cfg`)."""
    import ray

    records = []
    started_here = not ray.is_initialized()
    t0 = time.perf_counter()
    engine.start_ray(workers=max(workers_by_device.get("cpu", [1])), local=True)
    init_s = time.perf_counter() - t0
    try:
        for backend, device in pairs:
            counts = workers_by_device[device]
            one_file = engine.Job(backend=backend, cfg=(configs or {}).get(backend, cfg), out=Path("."),
                                  device=device, shard_size=1)
            warm = engine.plan_shards(items[:max(counts)], one_file)
            with one_thread():
                _timed(engine.run_single_process, one_file, warm[:1])                       # warm-up
                per_file = calibrate(items, one_file, min(CALIBRATION_S, work_s / 4))
            todo = sized(items, per_file, work_s)
            shard_size = max(1, math.ceil(len(todo) / (2 * max(counts))))   # two shards per worker at most workers
            job = dataclasses.replace(one_file, shard_size=shard_size)
            shards = engine.plan_shards(todo, job)
            progress(f"corpus_scaling: {backend} on {device}, {len(todo)} files ({len(items)} distinct) in "
                     f"{len(shards)} shards, about {work_s:.0f} s of one process's work")
            t0 = time.perf_counter()
            actors = engine.gpu_actors(max(counts)) if device == "cuda" else None
            _timed(lambda s, j: engine.run_ray(s, j, workers=max(counts), actors=actors), job, warm)   # start, import
            start_s = init_s + time.perf_counter() - t0
            walls = {("single_process", 1): [], **{("ray", w): [] for w in counts}}
            for _ in range(repeats):                     # interleaved, so drifting load hits every engine alike
                with one_thread():
                    wall, audio = _timed(engine.run_single_process, job, shards)
                walls[("single_process", 1)].append(wall)
                for w in counts:
                    wall, audio = _timed(lambda s, j, w=w: engine.run_ray(s, j, workers=w, actors=actors), job, shards)
                    walls[("ray", w)].append(wall)
            rows = [dict(engine=e, workers=w, wall_s=float(np.median(v)), audio=audio,
                         start=None if e == "single_process" else start_s) for (e, w), v in walls.items()]
            progress(f"corpus_scaling: {backend} on {device}: " + ", ".join(
                f"{r['engine']} x{r['workers']} {r['wall_s']:.2f} s" for r in rows))
            records += _records(backend, device, len(todo), rows)
    finally:
        if started_here:
            ray.shutdown()
    return records


def _records(backend, device, files, rows) -> list[CorpusScaling]:
    single = rows[0]["wall_s"]
    one = next((r["wall_s"] for r in rows if r["engine"] == "ray" and r["workers"] == 1), None)
    out = []
    for r in rows:
        rate = r["audio"] / r["wall_s"]                   # hours of audio per wall-clock hour
        is_ray = r["engine"] == "ray"
        speedup = one / r["wall_s"] if is_ray and one else None
        out.append(CorpusScaling(backend=backend, device=device, engine=r["engine"], workers=r["workers"],
                                 files=files, audio_hours=r["audio"] / 3600, wall_s=r["wall_s"],
                                 audio_hours_per_hour=rate, audio_hours_per_hour_per_worker=rate / r["workers"],
                                 speedup_vs_one_worker=speedup, efficiency=speedup / r["workers"] if speedup else None,
                                 overhead_vs_single_process=one / single - 1 if is_ray and r["workers"] == 1 else None,
                                 engine_start_s=r["start"]))
    return out


def project(records: list[CorpusScaling]) -> list[Projection]:
    """Projection records: time to featurise CORPUS_HOURS on K CPU workers (or G GPUs), from the Ray
    one-worker rate times the count times the efficiency measured at the most workers measured, capped at
    1.0 (1.0 for a count of one; efficiency is assumed to hold beyond the measured count). A measured
    efficiency above 1.0 says the one-worker run was slow (noise, a cold start), not that more workers do
    more than their share: projecting it would promise a speed no worker count gives."""
    out = []
    for backend, device in dict.fromkeys((r.backend, r.device) for r in records):
        ray = [r for r in records if (r.backend, r.device, r.engine) == (backend, device, "ray")]
        if not ray:
            continue
        base = next(r for r in ray if r.workers == 1)
        top = max(ray, key=lambda r: r.workers)
        measured = top.efficiency or 1.0
        eff = min(measured, 1.0)
        capped = f", capped at {eff:.2f}" if measured > eff else ""
        resource, counts = ("gpus", GPU_COUNTS) if device == "cuda" else ("cpu_workers", CPU_COUNTS)
        for count in counts:
            e = 1.0 if count == 1 else eff
            for hours in CORPUS_HOURS:
                out.append(Projection(backend=backend, device=device, resource=resource, count=count,
                                      corpus_hours=hours,
                                      projected_wall_h=hours / (base.audio_hours_per_hour * count * e),
                                      basis=(f"Ray 1-worker rate {base.audio_hours_per_hour:.0f} h audio/h x {count} x "
                                             f"efficiency {e:.2f} (measured {measured:.2f} at {top.workers} workers"
                                             f"{capped}, {top.files} files; assumed to hold at {count})"),
                                      label="projection"))
    return out


def run(ctx) -> dict:
    """{"corpus_scaling": [CorpusScaling], "projection": [Projection]}."""
    pairs = [(b, d) for b, d in ctx.pairs() if not ctx.small or get(b).full_grid]  # small: the two libraries
    workers = {"cpu": worker_counts(os.cpu_count() or 1, ctx.small)}
    if "cuda" in ctx.devices and torch.cuda.is_available():
        workers["cuda"] = list(range(1, torch.cuda.device_count() + 1))
    pairs = [(b, d) for b, d in pairs if d in workers]
    with train_files(ctx.splits, N_FILES.pick(ctx.small)) as items:
        ctx.progress(f"corpus_scaling: {len(items)} files, Ray workers {workers}")
        records = measure(items, ctx.cfg, pairs=pairs, workers_by_device=workers,
                          configs={b: ctx.config_for(b) for b, _ in pairs},
                          repeats=REPEATS.pick(ctx.small), progress=ctx.progress, work_s=WORK_S.pick(ctx.small))
    return {"corpus_scaling": records, "projection": project(records)}
