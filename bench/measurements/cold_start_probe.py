"""Run in a fresh process by measurements/cold_start.py: import time, first call, steady call, and
peak memory of one call per batch size, printed as one JSON line. On CUDA the context is made first
and timed apart (`cuda_context_s`); the first call then holds the cuFFT plans, kernel loads and the
backend's own set-up.

    python -m bench.measurements.cold_start_probe BACKEND DEVICE CONFIG_JSON BATCH_SIZES_JSON

The backend's own library is imported first (its import is what a user pays), then the project's
registry; the import time covers both.
"""
from __future__ import annotations

import time

_T0 = time.perf_counter()

import importlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402


def status_bytes(field: str):
    """A /proc/self/status field in bytes (not getrusage: ru_maxrss survives exec, so a child would
    report its parent's peak)."""
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return None


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where the kernel refuses."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def main(argv) -> dict:
    backend, device, cfg_json, batches = argv[0], argv[1], argv[2], json.loads(argv[3])
    import numpy as np
    import torch

    from features import MFCCConfig, create_extractor
    from features.backends import get

    importlib.import_module(get(backend).library)
    t_import = time.perf_counter() - _T0
    cfg = MFCCConfig.from_json(cfg_json)

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    x = (0.1 * np.random.default_rng(0).standard_normal((1, cfg.sample_size))).astype(np.float32)
    t_context = None
    if device == "cuda":                        # the CUDA context alone, before the first call's own costs
        t0 = time.perf_counter()
        torch.zeros(1, device=device)
        sync()
        t_context = time.perf_counter() - t0
    t0 = time.perf_counter()
    ext = create_extractor(backend, cfg, device=device)
    ext(x)
    sync()
    t_first = time.perf_counter() - t0
    steady = []
    for _ in range(5):
        t0 = time.perf_counter()
        ext(x)
        sync()
        steady.append(time.perf_counter() - t0)
    memory = []
    for b in batches:
        xb = (0.1 * np.random.default_rng(1).standard_normal((b, cfg.sample_size))).astype(np.float32)
        if device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            before = torch.cuda.memory_allocated()
            ext(xb)
            sync()
            peak, exact = torch.cuda.max_memory_allocated(), True
        else:
            exact = reset_peak()
            before = status_bytes("VmRSS")
            ext(xb)
            peak = status_bytes("VmHWM")
        memory.append(dict(batch_size=b, peak_bytes=int(peak), above_baseline_bytes=int(peak - before),
                           kind="cuda" if device == "cuda" else "rss", peak_reset=exact))
    return dict(import_s=t_import, cuda_context_s=t_context, first_call_s=t_first, steady_call_s=float(np.median(steady)), memory=memory)


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
