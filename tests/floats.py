"""Float comparisons for tests, with tolerances derived from float32 rounding.

Two float32 computations of the same value that batch differently (a clip alone or in a batch of three),
run on another thread count, or meet another BLAS kernel (OpenBLAS picks kernels per CPU) sum their terms
in another order, so they can differ in the last bits. Comparing them bitwise fails on some CPUs and
proves nothing; comparing them with a tiny absolute tolerance fails on large values (an MFCC c0 near
-400 has a float32 spacing of 3e-5). So tests compare such results against the largest magnitude in
the reference:

    max |actual - expected|  <=  ulps * EPS32 * max |expected|

EPS32 (2**-23) is float32's relative spacing. The default, ULPS = 64, covers what a reordering can do
to an MFCC: the mel product sums n_fft/2 + 1 = 257 float32 terms (blocked or pairwise order: a few eps
relative, up to ~8 for log2(257)), the dB step turns a relative error d into 10/ln(10) * d = 4.3 d
absolute, and the DCT sums n_mels (40) such values (sqrt(40) = 6.3 growth); 8 * 4.3 * 6.3 / 4 (dB
values are at most a quarter of the array's largest magnitude) ~ 55 -> 64. Seen on a 2-core AMD EPYC:
0.55 ulps of max|MFCC| for a librosa clip alone against in a batch of three. Defects this suite
guards against are orders of magnitude larger (a floor taken across a batch moved a quiet clip by
181 dB units; a changed setting moves MFCCs by 1e-2 relative and more).

Where bitwise identity *is* the property (a cache hit returns the stored bytes; a resumed shard is
not rewritten; chained stages are the same code as the call), tests check it exactly, and only it.
"""
from __future__ import annotations

import numpy as np
import torch

EPS = {"float32": float(np.finfo(np.float32).eps), "float64": float(np.finfo(np.float64).eps)}
EPS32 = EPS["float32"]      # 1.19e-7
ULPS = 64


def _array(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def rel_error(ref, out) -> float:
    """Relative Frobenius distance ||out - ref|| / ||ref|| of `out` from the reference `ref`."""
    ref, out = _array(ref), _array(out)
    return float(np.linalg.norm(ref - out) / np.linalg.norm(ref))


def scaled_error(actual, expected) -> float:
    """max |actual - expected| / max |expected| (inf where the shapes differ or a value is not finite)."""
    a, e = _array(actual), _array(expected)
    if a.shape != e.shape or not (np.isfinite(a).all() and np.isfinite(e).all()):
        return float("inf")
    scale = float(np.abs(e).max()) if e.size else 0.0
    return float(np.abs(a - e).max()) / scale if scale > 0 else float(np.abs(a - e).max())


def assert_rounding_close(actual, expected, k: float = ULPS, dtype: str = "float32", *, what: str = "") -> None:
    """Assert max |actual - expected| <= k * eps(dtype) * max |expected| (same shape, all finite): equal up
    to `k` roundings of the largest value."""
    err = scaled_error(actual, expected)
    bound = k * EPS[dtype]
    assert err <= bound, (f"{what + ': ' if what else ''}max|diff| / max|expected| = {err:.3g} > "
                          f"{k} {dtype} eps ({bound:.3g}); shapes {np.shape(actual)} vs {np.shape(expected)}")


def same_bytes(a, b) -> bool:
    """Bitwise equality (the same dtype, shape and bytes): for properties that are about identity."""
    a, b = (x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x) for x in (a, b))
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
