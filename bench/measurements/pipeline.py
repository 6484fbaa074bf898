"""The training input pipeline: samples per second delivered to the model, decode and resample included.

Three ways to feed a model MFCCs, each over the same files (the training split's, or generated WAVs):
- "dataloader": each CPU-only backend's MFCCs (librosa's) computed per clip inside a torch DataLoader's
  workers (0, 1, 2, 4, ... up to os.cpu_count()), the batch handed to the model on the CPU;
- "on_device": workers only decode; each (backend, device) of ctx.pairs() turns every decoded
  batch into MFCCs in the training process, on its device;
- "cache": a warm model.cache.FeatureCache read back batch by batch.
No model step runs: a record's rate is what the input side can deliver. The decode cost (soundfile,
resample, fix_length) and the feature cost are timed apart in this process; `limiting_stage` is the
stage that takes the most time per sample once the workers' parallel share is counted. Rates are the
steady state: each loader keeps its workers and is timed on its second pass over the files (a loader
that restarts its workers every epoch, PyTorch's default, also pays their start-up once per epoch).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from features import create_extractor, fix_length, load_audio
from features.backends import REFERENCE, get
from reports.records import Pipeline

from .support.clip_files import train_files
from ..grid import Sizes
from ..timing import synchronize

NAME = "pipeline"
TABLES = ("pipeline",)
NEEDS_DATA = True
N_CLIPS = Sizes(small=64, full=384)
BATCH_SIZE = Sizes(small=16, full=32)


def decode(path, cfg, size=None) -> np.ndarray:
    """One clip as every mode here reads it: decoded, resampled to cfg.sample_rate with cfg.resampler, cut
    or padded to `size` samples (default cfg.sample_size) -> np.float32 (size,)."""
    return fix_length(load_audio(path, cfg.sample_rate, resampler=cfg.resampler), size or cfg.sample_size)


class DecodedClips(torch.utils.data.Dataset):
    """Item i: the i-th file decoded, resampled to cfg.sample_rate and fixed to cfg.sample_size ->
    np.float32 (sample_size,); with `backend` set, that clip's MFCCs instead (n_mfcc, n_frames).

    Args:
        paths (list[str]): audio files. cfg (MFCCConfig): decoding and feature settings.
        backend (str | None, None): a CPU backend computed per clip in the worker (None: decode only).
    """

    def __init__(self, paths, cfg, backend=None):
        self.paths, self.cfg, self.backend = list(paths), cfg, backend
        self._extractor = None

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        cfg = self.cfg
        wave = decode(self.paths[i], cfg)
        if self.backend is None:
            return wave
        if self._extractor is None:                      # built in the worker that uses it
            self._extractor = create_extractor(self.backend, cfg)
        with torch.no_grad():
            return self._extractor(wave)


def worker_counts(n_cpu: int, small: bool) -> list:
    """0, 1, 2, 4, ... and n_cpu itself (small sizes: 0 and n_cpu)."""
    if small:
        return sorted({0, n_cpu})
    counts, k = {0, n_cpu}, 1
    while k < n_cpu:
        counts.add(k)
        k *= 2
    return sorted(counts)


def one_thread_per_worker(worker_id: int) -> None:
    """DataLoader `worker_init_fn`: one BLAS/OpenMP thread in each worker (PyTorch already gives its
    workers one torch thread). Without it N workers on N cores each start a BLAS pool as wide as the
    machine, and the oversubscribed pools made 2 librosa workers slower than none on 2 cores here."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def deliver(loader, consume) -> tuple:
    """One untimed pass over `loader` (workers started, each one's first call made: librosa's numba
    compile, for one), then a timed pass, `consume` on each batch. Returns (samples, seconds) of the
    timed pass: the steady state of a loader that keeps its workers (persistent_workers=True)."""
    for batch in loader:
        consume(batch)
    n, start = 0, time.perf_counter()
    for batch in loader:
        consume(batch)
        n += len(batch)
    return n, time.perf_counter() - start


def per_sample(fn, items, *, repeat: int = 1) -> float:
    """Seconds per item of fn(item) over `items` (after one warm-up call)."""
    fn(items[0])
    start = time.perf_counter()
    for _ in range(repeat):
        for x in items:
            fn(x)
    return (time.perf_counter() - start) / (repeat * len(items))


def _limit(costs: dict) -> str:
    """The stage name with the largest per-sample cost."""
    return max(costs, key=costs.get)


def measure(paths, cfg, *, pairs, batch_size: int, workers: list, progress=print) -> list[Pipeline]:
    """Pipeline records over `paths` (see the module docstring); pairs: [(backend, device type)]."""
    decode_s = per_sample(lambda p: decode(p, cfg), paths)
    waves = np.stack([decode(p, cfg) for p in paths[:batch_size]])
    records = []

    def record(backend, device, mode, w, n, seconds, feat_s, limiting):
        records.append(Pipeline(backend=backend, device=device, mode=mode, workers=w, batch_size=batch_size,
                                samples_per_s=n / seconds, decode_s_per_sample=decode_s if mode != "cache" else 0.0,
                                features_s_per_sample=feat_s, limiting_stage=limiting, n_samples=n))

    for backend in dict.fromkeys(b for b, _ in pairs if get(b).devices == ("cpu",)):  # CPU-only libraries
        ext = create_extractor(backend, cfg)
        feat_s = per_sample(ext, list(waves))
        for w in workers:
            progress(f"pipeline: {backend} in {w} DataLoader worker(s)")
            loader = torch.utils.data.DataLoader(DecodedClips(paths, cfg, backend), batch_size=batch_size,
                                                 num_workers=w, persistent_workers=w > 0,
                                                 worker_init_fn=one_thread_per_worker)
            n, seconds = deliver(loader, lambda b: b)
            record(backend, "cpu", "dataloader", w, n, seconds, feat_s, _limit(dict(decode=decode_s, features=feat_s)))

    for backend, device_type in pairs:
        device = torch.device(device_type)
        ext = create_extractor(backend, cfg, device=device)
        host = torch.from_numpy(waves)
        transfer_s = 0.0
        if device.type != "cpu":
            transfer_s = per_sample(lambda b: (b.to(device), synchronize(device)), [host], repeat=5) / len(host)
        on_dev = host.to(device)
        with torch.no_grad():
            feat_s = per_sample(lambda b: (ext(b), synchronize(device)), [on_dev], repeat=5) / len(host)

            def consume(batch):
                ext(batch.to(device, non_blocking=True))
                synchronize(device)

            for w in workers:
                progress(f"pipeline: {backend} on {device_type}, decoding in {w} DataLoader worker(s)")
                loader = torch.utils.data.DataLoader(DecodedClips(paths, cfg), batch_size=batch_size, num_workers=w,
                                                     persistent_workers=w > 0, pin_memory=device.type == "cuda",
                                                     worker_init_fn=one_thread_per_worker)
                n, seconds = deliver(loader, consume)
                parallel = dict(decode=decode_s / w if w else decode_s, transfer=transfer_s, features=feat_s)
                record(backend, device_type, "on_device", w, n, seconds, feat_s, _limit(parallel))

    progress("pipeline: warm feature cache")
    records.append(_cache_record(paths, cfg, batch_size, waves.shape[-1]))
    return records


def _cache_record(paths, cfg, batch_size: int, size: int) -> Pipeline:
    """Read a warm FeatureCache (filled with the reference backend's features first) batch by batch."""
    from model.cache import FeatureCache, clip_key

    keys = [clip_key(hashlib.sha1(Path(p).read_bytes()).hexdigest(), cfg.sample_rate, cfg.resampler) for p in paths]
    ext = create_extractor(REFERENCE, cfg)

    def waves(idx):
        return np.stack([decode(paths[i], cfg, size) for i in idx])

    with tempfile.TemporaryDirectory(prefix="mfcc-bench-cache-") as tmp:
        cache = FeatureCache(tmp)
        cache.get_or_compute(REFERENCE, cfg, keys, waves, ext)              # fill: not timed
        batches = [keys[i:i + batch_size] for i in range(0, len(keys), batch_size)]
        n, seconds = deliver(batches, lambda b: torch.from_numpy(cache.get_or_compute(REFERENCE, cfg, b, waves, ext)))
    read_s = seconds / max(n, 1)
    return Pipeline(backend=REFERENCE, device="cpu", mode="cache", workers=0, batch_size=batch_size,
                    samples_per_s=n / seconds, decode_s_per_sample=0.0, features_s_per_sample=read_s,
                    limiting_stage="features", n_samples=n)


def run(ctx) -> dict:
    """{"pipeline": [Pipeline]}."""
    n_clips, batch_size = N_CLIPS.pick(ctx.small), BATCH_SIZE.pick(ctx.small)
    pairs = [(b, d) for b, d in ctx.pairs() if get(b).honours(ctx.cfg)]   # one config for every row
    with train_files(ctx.splits, n_clips) as items:
        paths = [p for p, _ in items]
        ctx.progress(f"pipeline: {len(paths)} files, batches of {batch_size}")
        records = measure(paths, ctx.cfg, pairs=pairs, batch_size=batch_size,
                          workers=worker_counts(os.cpu_count() or 1, ctx.small), progress=ctx.progress)
    return {"pipeline": records}
