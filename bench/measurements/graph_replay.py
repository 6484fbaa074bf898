"""Where a GPU call's time goes: the call as a user makes it, the same forward without the input check, and the
forward captured once as a CUDA graph and replayed.

At a training batch a CUDA backend's time is mostly the host's: Python, the input check (a NaN test that waits
for the device) and one kernel launch per step of the MFCC, each a few microseconds, while the GPU's own work
is tens of microseconds. A CUDA graph (torch.cuda.CUDAGraph) records the kernels once and replays them with one
launch; what it saves is launch overhead, what it leaves is the device's work. The three times at the same
point, interleaved pass by pass, say how much of the call is the library, how much the launches and how much
the GPU; `max_rel_diff` checks that the replay computes what the call does (on a fresh random batch copied into
the captured input).

Runs only where the accelerator is CUDA (`ctx.options.accelerator`); elsewhere it measures nothing and says
so. A backend whose forward cannot be captured (it syncs with the host, or copies from it) gets a "refused"
record with the error's first line; the other backends are still measured.

Record per (backend, point): call_s, forward_s, graph_s (median seconds per call over the passes, the device
synchronised around each call), their per-pass medians, audio_s, max_rel_diff, status, reason.
"""
from __future__ import annotations

import statistics
import time

import torch

from features import create_extractor
from features.backends import get, runs_on
from reports.records import GraphReplay

from .support.batches import make_batch
from ..timing import time_call

NAME = "graph_replay"
TABLES = ("graph_replay",)
NEEDS_DATA = False
#: (batch size, clip seconds): one clip, a training batch, the issue's 256 x 1 s point, long recordings
POINTS = ((1, 1.0), (64, 1.0), (256, 1.0), (256, 10.0))
WARMUP = 3


def capture(forward, static_in: torch.Tensor) -> tuple[torch.cuda.CUDAGraph, torch.Tensor]:
    """`forward(static_in)` recorded as a CUDA graph (after WARMUP calls on a side stream, as the PyTorch docs
    ask, so that cuFFT plans and the caching allocator are settled). Returns (graph, the output tensor each
    replay overwrites)."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(WARMUP):
            forward(static_in)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_out = forward(static_in)
    return graph, static_out


def rel_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    """||a - b|| / ||b|| in float64 (0 where both are zero)."""
    a64, b64 = a.double(), b.double()
    denom = float(torch.linalg.vector_norm(b64))
    return float(torch.linalg.vector_norm(a64 - b64)) / denom if denom else float(torch.linalg.vector_norm(a64))


def measure_point(ctx, backend: str, batch_size: int, duration_s: float) -> GraphReplay:
    """The three times of `backend` on CUDA at one point, or a refused record saying why."""
    cfg = ctx.config_for(backend).replace(sample_size=int(round(duration_s * ctx.cfg.sample_rate)))
    base = dict(backend=backend, device="cuda", batch_size=batch_size, duration_s=duration_s,
                audio_s=batch_size * duration_s)
    ext = create_extractor(backend, cfg, device="cuda")
    static_in = torch.from_numpy(make_batch(batch_size, duration_s, cfg.sample_rate)).to("cuda")
    try:
        graph, static_out = capture(ext.forward, static_in)
    except Exception as exc:        # noqa: BLE001 - any capture error is this backend's refusal, said in one line
        torch.cuda.synchronize()
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return GraphReplay(**base, status="refused", reason=f"cannot be captured as a CUDA graph: {first[:200]}")
    fresh = torch.randn_like(static_in) * 0.1
    static_in.copy_(fresh)
    graph.replay()
    diff = rel_diff(static_out, ext(fresh))
    static_in.copy_(torch.from_numpy(make_batch(batch_size, duration_s, cfg.sample_rate)).to("cuda"))
    ways = {"call": lambda: ext(static_in), "forward": lambda: ext.forward(static_in), "graph": graph.replay}
    passes: dict[str, list[float]] = {way: [] for way in ways}
    for _ in range(max(ctx.grid.passes, 1)):
        for way, fn in ways.items():        # interleaved: each pass times the three in turn
            passes[way].append(time_call(fn, device="cuda", warmup=WARMUP, min_repeats=5,
                                         min_time_s=ctx.grid.min_time_s).median_s)
    median = {way: statistics.median(v) for way, v in passes.items()}
    return GraphReplay(**base, status="measured", call_s=median["call"], forward_s=median["forward"],
                       graph_s=median["graph"], call_pass_medians_s=passes["call"],
                       forward_pass_medians_s=passes["forward"], graph_pass_medians_s=passes["graph"],
                       max_rel_diff=diff)


def run(ctx) -> dict:
    """{"graph_replay": [GraphReplay]}: every chosen backend that runs on CUDA and computes the matched config,
    at each of POINTS; nothing without a CUDA accelerator."""
    if ctx.options.accelerator != "cuda" or not torch.cuda.is_available():
        ctx.progress("graph_replay: CUDA graphs need a CUDA GPU; none is measured in this run, nothing to do")
        return {"graph_replay": []}
    rows = []
    with torch.inference_mode():
        for backend in [b for b in ctx.backends if runs_on(b, "cuda") and get(b).honours(ctx.cfg)]:
            for batch_size, duration_s in POINTS:
                if ctx.options.deadline is not None and time.monotonic() > ctx.options.deadline:
                    ctx.progress(f"graph_replay: the deadline passed before {backend} at {batch_size} x {duration_s:g} s")
                    return {"graph_replay": rows}
                ctx.progress(f"graph_replay: {backend} on cuda, {batch_size} x {duration_s:g} s")
                rows.append(measure_point(ctx, backend, batch_size, duration_s))
    return {"graph_replay": rows}
