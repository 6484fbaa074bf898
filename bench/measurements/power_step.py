"""What each backend would gain from the cheaper power step: |X|^2 as real^2 + imag^2 instead of its
own (torchaudio's `abs().pow(2)`, librosa's `np.abs(S) ** 2`), alone and inside the whole call.

For every backend whose declared stages (`Backend.stage_pipeline`) hand a complex spectrum to a
"power" stage, under a power-2 config: the stage timed both ways on the same STFT output, then the
stages chained end to end both ways (the whole call as the backend computes it, and the same with
only the power stage swapped), timed in alternation (A, B, A, B, ...) so drift hits both alike;
with the largest difference of the two outputs. `scripts/upstream_power_step.py` is the ten-line
version of this for a torchaudio maintainer, on stock `torchaudio.transforms.MFCC`.

Records (table "power_step"): backend, device, batch_size, duration_s, stage_stock_s, stage_cheap_s,
stage_speedup, whole_stock_s, whole_cheap_s, whole_speedup, max_abs_diff, rel_diff.
"""
from __future__ import annotations

import numpy as np
import torch

from features import create_extractor
from features.backends import get
from reports.records import PowerStep

from .support.batches import make_batch
from ..grid import Sizes
from ..timing import time_pairs

NAME = "power_step"
TABLES = ("power_step",)
NEEDS_DATA = False
POINTS = Sizes(small=((64, 1.0),), full=((64, 1.0), (256, 1.0)))     # (batch_size, duration_s)
PAIRS = Sizes(small=10, full=40)      # alternating timed pairs per comparison


def cheap_power(spec):
    """|X|^2 of a complex torch tensor or NumPy array as real^2 + imag^2 (same values to rounding)."""
    if isinstance(spec, torch.Tensor):
        return spec.real.square() + spec.imag.square()
    return np.square(spec.real) + np.square(spec.imag)


def _is_complex(value) -> bool:
    """A complex tensor or array (`Chunks`, as `librosa_torch` hands on, are not a spectrum to swap)."""
    if isinstance(value, torch.Tensor):
        return value.is_complex()
    return isinstance(value, np.ndarray) and np.iscomplexobj(value)


def alternate(a, b, *, device: str, pairs: int) -> tuple[float, float]:
    """Median seconds of a() and b(), timed in alternation (bench.timing.time_pairs)."""
    times_a, times_b = time_pairs(a, b, device=device, pairs=pairs)
    return float(np.median(times_a)), float(np.median(times_b))


def measure(backend: str, cfg, *, device: str, batch_size: int, duration_s: float, pairs: int):
    """One PowerStep record, or None where the backend's stages have no complex-input power stage."""
    host = make_batch(batch_size, duration_s, cfg.sample_rate)
    with torch.inference_mode():
        ext = create_extractor(backend, cfg.replace(sample_size=host.shape[-1]), device=device)
        pipeline = ext.stage_pipeline()
        names = [stage for stage, _ in pipeline or ()]
        if "power" not in names or cfg.power != 2.0:
            return None
        k = names.index("power")
        spec = host
        for _, fn in pipeline[:k]:
            spec = fn(spec)
        if not _is_complex(spec):
            return None
        stock = pipeline[k][1]
        cheaper = pipeline[:k] + [("power", cheap_power)] + pipeline[k + 1:]

        def chain(stages):
            def call():
                value = host
                for _, fn in stages:
                    value = fn(value)
                return value
            return call

        stage_stock, stage_cheap = alternate(lambda: stock(spec), lambda: cheap_power(spec), device=device, pairs=pairs)
        spec = None         # the spectrum is freed before the whole calls are timed
        whole_stock, whole_cheap = alternate(chain(pipeline), chain(cheaper), device=device, pairs=pairs)
        a = torch.as_tensor(chain(pipeline)()).double().cpu()
        b = torch.as_tensor(chain(cheaper)()).double().cpu()
    return PowerStep(backend=backend, device=device, batch_size=batch_size, duration_s=duration_s,
                     stage_stock_s=stage_stock, stage_cheap_s=stage_cheap, stage_speedup=stage_stock / stage_cheap,
                     whole_stock_s=whole_stock, whole_cheap_s=whole_cheap, whole_speedup=whole_stock / whole_cheap,
                     max_abs_diff=float((a - b).abs().max()), rel_diff=float((a - b).norm() / a.norm()))


def run(ctx) -> dict:
    """{"power_step": [PowerStep]}."""
    rows = []
    for backend, device in ctx.pairs():
        if ctx.cfg.power != 2.0 or not get(backend).honours(ctx.cfg):
            continue
        for batch, duration in POINTS.pick(ctx.small):
            ctx.progress(f"power step: {backend} on {device}, batch {batch} x {duration} s, stock against real^2 + imag^2")
            row = measure(backend, ctx.cfg, device=device, batch_size=batch, duration_s=duration,
                          pairs=PAIRS.pick(ctx.small))
            if row is None:
                break
            rows.append(row)
    return {"power_step": rows}
