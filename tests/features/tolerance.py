"""How the feature tests compare numbers: relative distances and bounds scaled to float rounding.

Results of computations that differ in batch composition, thread count or kernel are compared with a
bound derived from the dtype's rounding and the values' size, never bitwise; bitwise comparison is
kept for the same computation run twice (e.g. the declared stages chained against the call).
"""
from __future__ import annotations

import numpy as np

EPS = {"float32": float(np.finfo(np.float32).eps), "float64": float(np.finfo(np.float64).eps)}


def rel_error(ref, out) -> float:
    """Relative Frobenius distance ||out - ref|| / ||ref|| of `out` from the reference `ref`."""
    ref, out = np.asarray(ref, dtype=np.float64), np.asarray(out, dtype=np.float64)
    return float(np.linalg.norm(ref - out) / np.linalg.norm(ref))


def assert_rounding_close(out, ref, k: float, dtype: str = "float32") -> None:
    """max|out - ref| <= k * eps(dtype) * max|ref|: equal up to `k` roundings of the largest value."""
    bound = k * EPS[dtype] * float(np.max(np.abs(ref)))
    worst = float(np.max(np.abs(np.asarray(out, dtype=np.float64) - np.asarray(ref, dtype=np.float64))))
    assert worst <= bound, f"max |difference| {worst:.3g} above {k} eps * max|ref| = {bound:.3g}"
