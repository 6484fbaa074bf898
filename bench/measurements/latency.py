"""Single-clip latency percentiles: what serving one request costs, every call timed.

Throughput takes the median of a few calls; a server is judged by its tail. Each backend is called on one
1-second clip (the one-clip workload) at least `calls` times, in rounds of `ROUND` calls that cycle through
the backends (librosa, torchaudio, ..., then again), so drift in a shared machine's speed hits every backend
alike. Each round starts with `WARMUP` untimed calls. p50 and p99 are taken over every timed call of every
round; `round_p50s_s` keeps each round's median, whose spread says how much the machine moved.
"""
from __future__ import annotations

import time

import numpy as np
import torch

from features import create_extractor
from reports.records import Latency

from .support.batches import make_batch
from ..grid import Sizes
from ..timing import synchronize

NAME = "latency"
TABLES = ("latency",)
NEEDS_DATA = False
CALLS = Sizes(small=200, full=1000)     # timed calls per backend and device, at least
ROUND = 100                             # calls per backend before the next one's turn
WARMUP = 5
DURATION_S = 1.0


def percentiles(samples) -> dict:
    """p50, p90, p99, max and mean of `samples` (seconds)."""
    arr = np.asarray(samples, dtype=float)
    p50, p90, p99 = np.percentile(arr, [50, 90, 99])
    return dict(p50_s=float(p50), p90_s=float(p90), p99_s=float(p99), max_s=float(arr.max()), mean_s=float(arr.mean()))


def time_calls(fn, n: int, device) -> list[float]:
    """Seconds of each of `n` calls of fn() (after WARMUP untimed ones), the device synchronised around each."""
    for _ in range(WARMUP):
        fn()
    out = []
    for _ in range(n):
        synchronize(device)
        start = time.perf_counter()
        fn()
        synchronize(device)
        out.append(time.perf_counter() - start)
    return out


def run(ctx) -> dict:
    """{"latency": [Latency]}: each (backend, device) pair of ctx.pairs() on one clip of DURATION_S seconds."""
    calls = CALLS.pick(ctx.small)
    rounds = -(-calls // ROUND)
    clip = make_batch(1, DURATION_S, ctx.cfg.sample_rate)[0]
    callers = {}
    with torch.inference_mode():
        for backend, device in ctx.pairs():
            cfg = ctx.config_for(backend, sample_size=len(clip))
            ext = create_extractor(backend, cfg, device=device)
            data = torch.from_numpy(clip).to(device) if device == "cuda" else clip
            callers[(backend, device)] = (lambda e=ext, x=data: e(x), ctx.config_name(backend))
        ctx.progress(f"latency: {len(callers)} backend/device pair(s), {rounds} round(s) of {ROUND} calls each")
        samples: dict = {key: [] for key in callers}
        for r in range(rounds):
            order = list(callers) if r % 2 == 0 else list(callers)[::-1]
            for key in order:
                samples[key].append(time_calls(callers[key][0], ROUND, key[1]))
    rows = []
    for (backend, device), per_round in samples.items():
        every = [x for rnd in per_round for x in rnd]
        rows.append(Latency(backend=backend, device=device, config=callers[(backend, device)][1], duration_s=DURATION_S,
                            threads=torch.get_num_threads(), calls=len(every), rounds=len(per_round),
                            round_p50s_s=[float(np.median(rnd)) for rnd in per_round], **percentiles(every)))
    return {"latency": rows}
