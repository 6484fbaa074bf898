"""How one combination's features differ from the locked stack's, and whether that is float32 rounding.

    largest_difference(ref, out)   # max over clips of max|out - ref| / max|ref| (per clip); inf if shapes differ
    within_rounding(d)             # d <= ROUNDING (64 float32 eps, the bound tests/floats.py derives)
"""
from __future__ import annotations

import numpy as np

EPS32 = float(np.finfo(np.float32).eps)
ULPS = 64
ROUNDING = ULPS * EPS32     # what reordered float32 sums can do to an MFCC (tests/floats.py gives the derivation)


def largest_difference(ref: np.ndarray, out: np.ndarray) -> float:
    """The largest per-clip relative difference: max over clips b of max|out[b] - ref[b]| / max|ref[b]|.

    Args:
        ref, out (np.ndarray): (B, n_mfcc, n_frames) features of the same clips.
    Returns inf where the shapes differ or a value is not finite (a difference no rounding explains).
    """
    ref, out = np.asarray(ref, np.float64), np.asarray(out, np.float64)
    if ref.shape != out.shape or not (np.isfinite(ref).all() and np.isfinite(out).all()):
        return float("inf")
    axes = tuple(range(1, ref.ndim))
    scale = np.abs(ref).max(axis=axes)
    diff = np.abs(out - ref).max(axis=axes)
    return float(np.max(np.where(scale > 0, diff / np.where(scale > 0, scale, 1), diff)))


def within_rounding(difference: float) -> bool:
    return difference <= ROUNDING
