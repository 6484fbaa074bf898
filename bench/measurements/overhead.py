"""Interface overhead: this project's extractor against the wrapped library called directly
(`Backend.direct_call`), same settings and batch, timed call by call in alternation."""
from __future__ import annotations


import numpy as np
import torch

from features import create_extractor
from features.backends import get
from reports.records import Overhead

from .support.batches import make_batch
from ..grid import Sizes
from ..timing import time_pairs

NAME = "overhead"
TABLES = ("overhead",)
NEEDS_DATA = False
PAIRS = Sizes(small=30, full=150)               # timed pairs per backend
PER_CLIP_PAIRS = Sizes(small=10, full=30)       # for a backend that loops over clips (Backend.per_clip)


def measure(backend: str, cfg, *, device: str, batch_size: int = 64, duration_s: float = 1.0, pairs: int = 100,
            warmup: int = 5) -> Overhead:
    """One overhead record: the two are timed A, B, A, B, ... so drift in the machine's speed hits both
    alike; `overhead` is the median of the per-pair ratios, minus one."""
    x = make_batch(batch_size, duration_s, cfg.sample_rate)
    point_cfg = cfg.replace(sample_size=x.shape[-1])
    with torch.inference_mode():
        ours, direct = create_extractor(backend, point_cfg, device=device), get(backend).direct_call(point_cfg, device)
        data = torch.from_numpy(x).to(device) if device != "cpu" else x
        a, b = time_pairs(lambda: ours(data), lambda: direct(data), device=device, pairs=pairs, warmup=warmup)
    ratios = np.asarray(a) / np.asarray(b)
    return Overhead(backend=backend, device=device, batch_size=batch_size, duration_s=duration_s,
                    interface_s=float(np.median(a)), direct_s=float(np.median(b)),
                    overhead=float(np.median(ratios) - 1), overhead_q1=float(np.percentile(ratios, 25) - 1),
                    overhead_q3=float(np.percentile(ratios, 75) - 1), pairs=pairs)


def run(ctx) -> dict:
    """{"overhead": [Overhead]}: one record per (backend, device)."""
    batch, duration = ctx.grid.usual_point
    rows = []
    for backend, device in ctx.pairs():
        ctx.progress(f"overhead: {backend} on {device} against its library called directly")
        per_clip = get(backend).per_clip
        rows.append(measure(backend, ctx.config_for(backend), device=device, batch_size=8 if per_clip else batch,
                            duration_s=duration, pairs=(PER_CLIP_PAIRS if per_clip else PAIRS).pick(ctx.small)))
    return {"overhead": rows}
