"""The corpus job's engine: cut the file list into shards, featurise one shard, and run the shards
on Ray (CPU backends as tasks, CUDA backends as GPU actors) or in one plain process.

    job = Job(backend="librosa", cfg=MFCCConfig.preset("matched"), out=Path("out/corpus"))
    shards = plan_shards(items, job)                 # items: [(path, label name)]
    done, todo = split_done(shards, job)             # a re-run skips the shards already complete
    start_ray(workers=2)                             # or start_ray(address="ray://head:10001")
    results = run_ray(todo, job, workers=2, on_done=print)

A shard is identified by a hash of its file list, the backend and the config hash, so a re-run
with the same inputs finds its finished shards (DIR/done/<id>.json) and computes only the rest.
Ray is imported only by `start_ray` and `run_ray`; nothing in features/ imports it.
"""
from __future__ import annotations

import functools
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np
import torch

from features import AudioLoadError, MFCCConfig, create_extractor, fix_length, load_audio
from common.atomic_write import write_text_atomic

from .shards import done_path, job_json, read_done, shard_path, write_shard

NON_FINITE = "non-finite features"


@dataclass(frozen=True)
class Job:
    """What every shard of one job shares.

    Args:
        backend (str): registry name of the backend.
        cfg (MFCCConfig): the config (its sample_rate and resampler decode the files; sample_size,
            if set, fixes every clip's length).
        out (Path): the output folder.
        device (str, "cpu"): "cpu" or "cuda" (CUDA backends then run as Ray actors with one GPU each).
        shard_size (int, 256): files per shard (keyword; >= 1).
        delay_s (float, 0.0): test hook: seconds to sleep after each shard is complete.
    """

    backend: str
    cfg: MFCCConfig
    out: Path
    device: str = "cpu"
    shard_size: int = 256
    delay_s: float = 0.0

    def __post_init__(self):
        if not isinstance(self.shard_size, int) or self.shard_size < 1:
            raise ValueError(f"shard_size={self.shard_size!r}: must be a positive integer")
        if self.device not in ("cpu", "cuda"):
            raise ValueError(f"device={self.device!r}: must be 'cpu' or 'cuda'")

    def describe(self) -> dict:
        """The job's identity as JSON-able data (kept in job.json and each shard's metadata)."""
        return dict(backend=self.backend, device=self.device, config=self.cfg.to_dict(),
                    config_hash=self.cfg.hash())


@dataclass(frozen=True)
class Shard:
    """index (int): position in the plan; id (str): hash of files + backend + config; items: ((path, label), ...)."""

    index: int
    id: str
    items: tuple


def plan_shards(items: Sequence, job: Job) -> list:
    """Cut (path, label) `items` into consecutive shards of `job.shard_size` files -> list[Shard]."""
    shards = []
    for index, start in enumerate(range(0, len(items), job.shard_size)):
        chunk = tuple((str(p), str(y)) for p, y in items[start:start + job.shard_size])
        key = json.dumps([chunk, job.backend, job.cfg.hash()])
        shards.append(Shard(index, hashlib.sha256(key.encode()).hexdigest()[:16], chunk))
    return shards


def split_done(shards: Sequence[Shard], job: Job):
    """(results of the shards already complete, shards still to do). A shard is complete when its
    marker exists and its Parquet file too (where it featurised any file)."""
    done, todo = [], []
    for s in shards:
        marker = read_done(job.out, s.id)
        complete = marker is not None and (marker["featurised"] == 0 or shard_path(job.out, s.index, s.id).is_file())
        (done if complete else todo).append(marker if complete else s)
    return done, todo


@functools.lru_cache(maxsize=8)
def _extractor(backend: str, cfg_json: str, device: str):
    """One extractor per (backend, config, device) per process (a Ray worker keeps it across tasks)."""
    return create_extractor(backend, MFCCConfig.from_json(cfg_json), device=device)


def _compute(extractor, waves: list) -> list:
    """Features of each clip: one batched call where lengths agree and the dB floor is per clip,
    else one call per clip -> list of float32 (n_mfcc, n_frames_i) arrays."""
    with torch.no_grad():
        if len({len(w) for w in waves}) == 1 and extractor.cfg.top_db_scope != "batch":
            return list(extractor(np.stack(waves)).detach().cpu().numpy())
        return [extractor(w).detach().cpu().numpy() for w in waves]


def featurise_shard(shard: Shard, job: Job) -> dict:
    """Decode, resample, fix the length (if cfg.sample_size) and featurise every file of `shard`;
    write its Parquet file and then its completion marker, both atomically.

    Files that fail to load (features.AudioLoadError) or give non-finite features are left out of
    the Parquet file and get a skip_reason in the manifest rows.

    Returns:
        dict: id, index, shard_file (name or None), rows (list of manifest dicts path, label,
        n_frames, skip_reason), files, featurised, audio_s (decoded seconds of the featurised files),
        seconds (wall time of this shard).
    """
    start = time.perf_counter()
    cfg = job.cfg
    extractor = _extractor(job.backend, cfg.to_json(), job.device)
    rows, waves, kept, audio = {}, [], [], []
    for path, label in shard.items:
        rows[path] = dict(path=path, label=label, n_frames=None, skip_reason="")
        try:
            w = load_audio(path, cfg.sample_rate, resampler=cfg.resampler)
        except AudioLoadError as err:
            rows[path]["skip_reason"] = err.reason
            continue
        audio.append(len(w) / cfg.sample_rate)
        waves.append(fix_length(w, cfg.sample_size) if cfg.sample_size is not None else w)
        kept.append((path, label))
    feats = _compute(extractor, waves) if waves else []
    good = []
    for (path, label), f, a in zip(kept, feats, audio):
        if np.isfinite(f).all():
            good.append((path, label, f, a))
            rows[path]["n_frames"] = int(f.shape[-1])
        else:
            rows[path]["skip_reason"] = NON_FINITE
    name = None
    if good:
        target = shard_path(job.out, shard.index, shard.id)
        write_shard(target, [g[0] for g in good], [g[1] for g in good], [g[2] for g in good],
                    dict(job.describe(), shard_id=shard.id))
        name = target.name
    result = dict(id=shard.id, index=shard.index, shard_file=name, rows=list(rows.values()),
                  files=len(shard.items), featurised=len(good), audio_s=float(sum(g[3] for g in good)),
                  seconds=time.perf_counter() - start)
    write_text_atomic(done_path(job.out, shard.id), job_json(result))
    if job.delay_s:
        time.sleep(job.delay_s)
    return result


# ----------------------------------------------------------------------------- engines
def run_single_process(shards: Sequence[Shard], job: Job, *, on_done: Optional[Callable] = None) -> list:
    """Featurise `shards` one after the other in this process -> list of featurise_shard results."""
    results = []
    for s in shards:
        results.append(featurise_shard(s, job))
        if on_done:
            on_done(results[-1])
    return results


def start_ray(*, workers: Optional[int] = None, address: Optional[str] = None, local: bool = False) -> float:
    """Start Ray locally with `workers` CPUs (logs not forwarded, no dashboard), or connect to the
    cluster at `address` (or $RAY_ADDRESS unless `local`); nothing where Ray is already up.
    Returns the seconds taken."""
    import os

    import ray

    start = time.perf_counter()
    if not ray.is_initialized():
        address = address or (None if local else os.environ.get("RAY_ADDRESS")) or None
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, log_to_driver=False, include_dashboard=False)
    return time.perf_counter() - start


def cluster_slots(device: str) -> int:
    """What the running Ray cluster offers: its CPUs, or its GPUs for device "cuda" (at least 1)."""
    import ray

    return max(1, int(ray.cluster_resources().get("GPU" if device == "cuda" else "CPU", 1)))


class _ShardActor:
    """A GPU worker: keeps its extractor on its device across shards."""

    def run(self, shard: Shard, job: Job) -> dict:
        return featurise_shard(shard, job)


def gpu_actors(n: int) -> list:
    """`n` Ray actors with one GPU (and one CPU) each, for `run_ray(..., actors=...)`."""
    import ray

    actor_cls = ray.remote(num_gpus=1, num_cpus=1)(_ShardActor)
    return [actor_cls.remote() for _ in range(n)]


def run_ray(shards: Sequence[Shard], job: Job, *, workers: int, on_done: Optional[Callable] = None,
            actors: Optional[list] = None) -> list:
    """Featurise `shards` on the running Ray cluster with at most `workers` shards in flight.

    CPU jobs: one Ray task per shard (num_cpus=1). CUDA jobs: `workers` actors (num_gpus=1 each; the
    first `workers` of `actors` where given, so a caller can reuse warm ones), fed one shard at a
    time. Returns featurise_shard results in completion order; a failing shard raises its error here.
    """
    import ray

    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers={workers!r}: must be a positive integer")
    queue = list(shards)
    results, running = [], {}
    if job.device == "cuda":
        idle = list(actors[:workers]) if actors else gpu_actors(min(workers, len(queue)))
        submit = lambda s, a: a.run.remote(s, job)          # noqa: E731
    else:
        task = ray.remote(num_cpus=1)(featurise_shard)
        idle = [None] * workers
        submit = lambda s, a: task.remote(s, job)            # noqa: E731
    while queue or running:
        while queue and idle:
            actor = idle.pop()
            running[submit(queue.pop(0), actor)] = actor
        ready, _ = ray.wait(list(running), num_returns=1)
        for ref in ready:
            idle.append(running.pop(ref))
            results.append(ray.get(ref))
            if on_done:
                on_done(results[-1])
    return results
