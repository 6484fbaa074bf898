"""Inputs and thread settings shared by the measurements: a speech-like batch, a thread count."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Optional

import numpy as np
import torch


def make_batch(batch_size: int, duration_s: float, sample_rate: int, seed: int = 0) -> np.ndarray:
    """A (batch, samples) float32 batch of speech-like noise bursts (the values do not change the cost)."""
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * sample_rate))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * np.arange(n) / sample_rate)
    return (0.1 * rng.standard_normal((batch_size, n)) * envelope).astype(np.float32)


@contextmanager
def torch_threads(n: Optional[int]):
    """Run with `n` threads (None: leave as is): torch's intra-op threads and every native thread pool
    threadpoolctl finds (OpenBLAS under NumPy, which librosa's mel product uses; OpenMP), so a one-thread
    measurement is one thread for every library, not only for torch."""
    from threadpoolctl import threadpool_limits

    if n is None:
        yield
        return
    previous = torch.get_num_threads()
    try:
        with threadpool_limits(n):
            torch.set_num_threads(n)
            yield
    finally:
        torch.set_num_threads(previous)
