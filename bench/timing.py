"""One timer for CPU and CUDA, and its statistics.

On CUDA the device is synchronised before every clock read, so a time covers the work, not the
launch. Every measurement warms up first, then repeats until both a minimum count and a minimum
total time are reached, and reports the median with its interquartile range.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
import torch


@dataclass(frozen=True)
class TimingStats:
    """Seconds per call: median, quartiles, interquartile range, and how many timed calls."""

    median_s: float
    q1_s: float
    q3_s: float
    iqr_s: float
    repeats: int
    samples: tuple = field(default=(), repr=False, compare=False)   # every timed call, in order

    def as_dict(self) -> dict:
        """The statistics, without the raw samples."""
        return dict(median_s=self.median_s, q1_s=self.q1_s, q3_s=self.q3_s, iqr_s=self.iqr_s,
                    repeats=self.repeats)

    @classmethod
    def from_samples(cls, samples) -> "TimingStats":
        arr = np.asarray(samples, dtype=float)
        q1, med, q3 = np.percentile(arr, [25, 50, 75])
        return cls(median_s=float(med), q1_s=float(q1), q3_s=float(q3), iqr_s=float(q3 - q1),
                   repeats=int(arr.size), samples=tuple(float(x) for x in arr))


def synchronize(device: Optional[torch.device | str]) -> None:
    """Wait for queued work on `device` (a no-op on the CPU)."""
    if device is not None and torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def time_pairs(a: Callable[[], object], b: Callable[[], object], *, device="cpu", pairs: int,
               warmup: int = 3) -> tuple[list, list]:
    """Time a() and b() in alternation (A, B, A, B, ...) after `warmup` untimed pairs, so drift in a
    shared machine's speed hits both alike. Synchronises `device` around each call (CUDA).

    Returns:
        (list[float], list[float]): the seconds of each timed call of a and of b, `pairs` each.
    """
    times: tuple[list, list] = ([], [])
    for i in range(warmup + pairs):
        for fn, out in ((a, times[0]), (b, times[1])):
            synchronize(device)
            start = time.perf_counter()
            fn()
            synchronize(device)
            if i >= warmup:
                out.append(time.perf_counter() - start)
    return times


def time_call(fn: Callable[[], object], *, device="cpu", warmup: int = 2, min_repeats: int = 5,
              max_repeats: int = 200, min_time_s: float = 0.5) -> TimingStats:
    """Time `fn()` after `warmup` untimed calls.

    Args:
        fn: the work, with no arguments.
        device (str | torch.device, "cpu"): synchronised before each clock read when it is CUDA.
        warmup (int, 2): untimed calls first.
        min_repeats (int, 5), max_repeats (int, 200): bounds on the timed calls.
        min_time_s (float, 0.5): keep repeating until this much time was timed (within max_repeats).

    Returns:
        TimingStats over the timed calls.
    """
    for _ in range(warmup):
        fn()
    synchronize(device)
    samples: list[float] = []
    total = 0.0
    while len(samples) < max_repeats and (len(samples) < min_repeats or total < min_time_s):
        synchronize(device)
        start = time.perf_counter()
        fn()
        synchronize(device)
        elapsed = time.perf_counter() - start
        samples.append(elapsed)
        total += elapsed
    return TimingStats.from_samples(samples)
