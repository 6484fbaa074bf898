"""Batch invariance: for each backend, device and top_db scope it honours, the first clips computed one
at a time against the same clips inside a batch whose loudness spreads over 60 dB."""
from __future__ import annotations

import numpy as np

from features import create_extractor
from features.backends import get
from reports.records import BatchInvariance

from .support.mfcc_agreement import agreement_clips, compare
from ..grid import BATCH_INVARIANCE_CLIPS

NAME = "batch_invariance"
TABLES = ("batch_invariance",)
NEEDS_DATA = True
ALONE = 16


def measure(backend: str, cfg, x: np.ndarray, *, device: str, n_alone: int = ALONE) -> list[BatchInvariance]:
    """One record per top_db scope `backend` honours."""
    rows = []
    gains = np.geomspace(0.01, 10.0, len(x)).astype(np.float32)[:, None]
    batch = x * gains
    for scope in ("clip", "batch", "off"):
        scoped = cfg.replace(top_db_scope=scope)
        if not get(backend).honours(scoped):
            continue
        ext = create_extractor(backend, scoped, device=device)
        inside = ext(batch).cpu().numpy()[:n_alone]
        alone = np.concatenate([ext(batch[i:i + 1]).cpu().numpy() for i in range(min(n_alone, len(x)))])
        diff = compare(alone, inside)
        rows.append(BatchInvariance(backend=backend, device=device, scope=scope, n_clips=len(alone),
                                    batch_size=len(x), max_abs_error=diff["max_abs_error"],
                                    rel_error=diff["rel_error"]))
    return rows


def run(ctx) -> dict:
    x = agreement_clips(ctx.splits, ctx.cfg, BATCH_INVARIANCE_CLIPS).waveforms
    rows = []
    for backend, device in ctx.pairs():
        ctx.progress(f"batch invariance: {backend} on {device}")
        rows += measure(backend, ctx.config_for(backend), x, device=device)
    return {"batch_invariance": rows}
