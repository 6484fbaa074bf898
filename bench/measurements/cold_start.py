"""Cold start and peak memory: each (backend, device) in a fresh process (cold_start_probe.py).

Import time, CUDA context (CUDA only), first call (librosa's numba compile; on CUDA the cuFFT plans
and kernel loads), steady call, then peak memory of one call at each batch size of `sample_size`
clips. CPU: peak RSS (VmHWM, reset before
each call where the kernel allows, `peak_reset`); CUDA: max_memory_allocated. `above_baseline_bytes`
is that peak less the memory in use just before the call: what the batch costs, apart from the
libraries' own footprint (torch's CUDA build alone holds hundreds of MB of RSS).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from features.backends import get
from reports.records import ColdStart, Memory

NAME = "cold_start"
TABLES = ("cold_start", "memory")
NEEDS_DATA = False
ROOT = Path(__file__).resolve().parents[2]


def probe(backend: str, device: str, cfg, batch_sizes) -> dict:
    """The probe's JSON for one (backend, device); RuntimeError with its stderr tail if it fails."""
    cmd = [sys.executable, "-m", "bench.measurements.cold_start_probe", backend, device, cfg.to_json(),
           json.dumps(sorted(batch_sizes))]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"cold-start probe for {backend}/{device} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(ctx) -> dict:
    """{"cold_start": [ColdStart], "memory": [Memory]} for every (backend, device) of ctx.pairs(),
    accelerators first; with ctx.options.deadline (a time.monotonic() value) no probe is started after
    it, and the pairs left out are named in the progress lines."""
    cold, memory = [], []
    deadline = ctx.options.deadline
    pairs = sorted(ctx.pairs(), key=lambda pair: pair[1] == "cpu")      # the GPU's first: it is the question
    for i, (backend, device) in enumerate(pairs):
        if deadline is not None and time.monotonic() > deadline:
            ctx.progress(f"cold start: deadline passed; not probed: {', '.join(f'{b}/{d}' for b, d in pairs[i:])}")
            break
        ctx.progress(f"cold start and peak memory: {backend} on {device} (fresh process)")
        cfg = ctx.config_for(backend)
        sizes = [b for b in ctx.grid.memory_batch_sizes if not get(backend).per_clip or b <= 64]
        data = probe(backend, device, cfg, sizes)
        cold.append(ColdStart(backend=backend, device=device, import_s=data["import_s"],
                              cuda_context_s=data.get("cuda_context_s"), first_call_s=data["first_call_s"],
                              steady_call_s=data["steady_call_s"]))
        for m in data["memory"]:
            memory.append(Memory(backend=backend, device=device, duration_s=cfg.sample_size / cfg.sample_rate, **m))
    return {"cold_start": cold, "memory": memory}
