"""The answer's GPU line, as values: per run that timed a backend on an accelerator, the question's library there
(the host→device copy included, and kernels only) against the reference on the same machine's CPU at a training
batch; its realtime factor at the largest 1 s batch beside the device's bare FFT + mel and a CUDA graph replay of
the same call; the batch from which it beats the reference; and the fastest series on the accelerator.

    from reports.answer_gpu import gpu_line
    line = gpu_line(runs, subjects)     # GpuLine
    line.measured[0].batch              # Cell: training batch on the GPU, copy included, against librosa on the CPU
    line.capable                        # where nothing was measured on one: the backends that run on CUDA

Values only: reports.answer words them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from reports.answer_grid import Cell, gpu_cells
from reports.grid_words import ms_text, ratio_words
from reports.data import Run, is_gpu, num, records, reference, throughput_points
from reports.threads import WORKLOADS

TRAINING = "a training batch"
REALTIME_DURATION_S = 1.0          # the realtime figures are read at the largest batch of 1 s clips


@dataclass(frozen=True)
class Realtime:
    """Seconds of audio per second of work at one point on the accelerator, every figure from the same run.

    Attributes: batch_size (int), duration_s (float), kernels (float | None: the call from a tensor already on the
    device), copy (float | None: from a pinned host tensor, the copy included), graph (float | None: the same
    forward replayed as a captured CUDA graph, graph_replay), bare (float | None: the device's own FFT + mel on
    pre-framed data, the throughput step's yardstick).
    """

    batch_size: int
    duration_s: float
    kernels: Optional[float] = None
    copy: Optional[float] = None
    graph: Optional[float] = None
    bare: Optional[float] = None


@dataclass(frozen=True)
class GpuRun:
    """One run's accelerator figures.

    Attributes: run (str: its label), gpu (str: the device's name), backend (str: the series the line leads
    with: the question's library where it ran on the accelerator, else the fastest there), batch (Cell | None:
    that backend at a training batch on the accelerator, copy included, against the reference on the same
    machine's CPU), kernels_ms (float | None: the same batch from a tensor already on the device), realtime
    (Realtime | None), crossover (int | None: the smallest batch of 1 s clips at which it beat the reference on
    the CPU, copy included), fastest (Cell | None: the fastest backend on the accelerator at a training batch,
    where it is another than `backend`).
    """

    run: str
    gpu: str
    backend: str
    batch: Optional[Cell] = None
    kernels_ms: Optional[float] = None
    realtime: Optional[Realtime] = None
    crossover: Optional[int] = None
    fastest: Optional[Cell] = None


@dataclass(frozen=True)
class GpuLine:
    """What an accelerator measured. Attributes: measured (tuple[GpuRun, ...]: one per run that timed a backend
    on one); capable (tuple[str, ...]: where none did, the backends that run on CUDA); elsewhere (tuple[str, ...]:
    labels of runs that ran on CUDA but timed no throughput there, e.g. one step of a GPU session)."""

    measured: tuple[GpuRun, ...] = ()
    capable: tuple[str, ...] = ()
    elsewhere: tuple[str, ...] = ()


def _rate(audio_s: float, seconds: Optional[float]) -> Optional[float]:
    return audio_s / seconds if seconds else None


def realtime(run: Run, backend: str) -> Optional[Realtime]:
    """`backend`'s realtime factors on the accelerator at the largest batch of REALTIME_DURATION_S clips timed."""
    df = throughput_points(run)
    if df.empty:
        return None
    mine = df[(df["backend"] == backend) & df["device"].map(is_gpu) & (df["duration_s"] == REALTIME_DURATION_S)]
    if mine.empty:
        return None
    batch = int(mine["batch_size"].max())
    at = mine[mine["batch_size"] == batch]
    audio = batch * REALTIME_DURATION_S

    def median(transfer: bool) -> Optional[float]:
        rows = at[at["transfer"] == transfer]
        return float(rows["median_s"].iloc[0]) if len(rows) else None

    graph = next((num(r.graph_s) for r in records(run, "graph_replay") if r.backend == backend
                  and r.status == "measured" and r.batch_size == batch and r.duration_s == REALTIME_DURATION_S), None)
    bare = next((num(r.total_s) for r in records(run, "ceiling") if is_gpu(r.device) and r.batch_size == batch
                 and r.duration_s == REALTIME_DURATION_S), None)
    return Realtime(batch, REALTIME_DURATION_S, _rate(audio, median(False)), _rate(audio, median(True)),
                    _rate(audio, graph), _rate(audio, bare))


def crossover_batch(run: Run, backend: str) -> Optional[int]:
    """The crossover record's batch for `backend` against the reference, 1 s clips (None where not timed or not
    reached)."""
    ref = reference(run)
    return next((r.crossover_batch for r in records(run, "crossover") if r.backend == backend and r.competitor == ref
                 and r.duration_s == REALTIME_DURATION_S), None)


def gpu_run(run: Run, subjects: tuple[str, ...]) -> Optional[GpuRun]:
    """One run's GpuRun (None where it timed nothing on an accelerator)."""
    backends = list(dict.fromkeys(run.get("backends") or []))
    at_batch = {b: c for b in backends if (c := gpu_cells(run, b).get(TRAINING)) is not None and is_gpu(c.device)}
    if not at_batch:
        return None
    fastest = max(at_batch.values(), key=lambda c: c.ratio)
    lead = next((b for b in subjects if b in at_batch), fastest.backend)
    df = throughput_points(run)
    _, batch, duration = next(w for w in WORKLOADS if w[0] == TRAINING)
    kernels = df[(df["backend"] == lead) & df["device"].map(is_gpu) & ~df["transfer"].astype(bool)
                 & (df["batch_size"] == batch) & (df["duration_s"] == duration)]
    env = run.get("environment") or {}
    return GpuRun(run.label, str(env.get("gpu_name") or "GPU"), lead, at_batch[lead],
                  float(kernels["median_s"].iloc[0]) * 1e3 if len(kernels) else None, realtime(run, lead),
                  crossover_batch(run, lead), fastest if fastest.backend != lead else None)


def gpu_line(runs: list[Run], subjects: tuple[str, ...]) -> GpuLine:
    """The GPU line's values over `runs` (`subjects`: the backends the answer puts against the reference)."""
    measured = tuple(g for run in runs if (g := gpu_run(run, subjects)) is not None)
    if measured:
        return GpuLine(measured)
    elsewhere = tuple(run.label for run in runs if any(is_gpu(d) for d in run.get("devices") or []))
    capable = sorted({b for run in runs for b, meta in (run.get("backend_info") or {}).items()
                      if isinstance(meta, dict) and any(is_gpu(d) for d in meta.get("devices") or [])})
    return GpuLine((), tuple(capable), elsewhere)


# ---- words (reports.answer puts them first in every rendering) ----

def rate_text(x: float) -> str:
    """A realtime factor to three significant figures: "711,000×", "2,510,000×", "16,400×"."""
    return f"{float(f'{x:.3g}'):,.0f}×"


def run_words(g: GpuRun, ref: str, *, rows: bool = False) -> str:
    """One run's GPU sentences, ratios worded as the grid words them (`rows`: the grid below has this run's GPU
    rows, so the training batch is said in short)."""
    out = [f"GPU ({g.gpu}):"]
    c = g.batch
    if c is not None:
        copy = "copy included" if c.transfer else "kernels only"
        ratio = ratio_words(c.ratio, c.lo, c.hi, c.verdict)
        if not rows:            # else the grid's rows "on the GPU" say it
            threads = f"{c.threads} threads" if c.threads is not None else "threads not recorded"
            out.append(f"{g.backend} there takes {ms_text(c.ms)} ms per training batch (64 × 1 s, {copy}), {ratio} than "
                       f"{ref}'s {ms_text(c.reference_ms)} ms on the same machine's CPU ({threads})"
                       + (f"; {ms_text(g.kernels_ms)} ms from a tensor already on the GPU." if c.transfer and g.kernels_ms
                          else "."))
    rt = g.realtime
    if rt is not None and rt.kernels is not None:
        extra = [f"{rate_text(rt.copy)} with the copy" if rt.copy else "",
                 f"{rate_text(rt.graph)} replayed as a CUDA graph" if rt.graph else "",
                 f"the bare FFT + mel: {rate_text(rt.bare)}" if rt.bare else ""]
        extra = [e for e in extra if e]
        out.append(f"At {rt.batch_size} × {rt.duration_s:g} s {g.backend} there runs {rate_text(rt.kernels)} realtime"
                   + (f" ({'; '.join(extra)})." if extra else "."))
    if g.crossover is not None:
        out.append(f"It beats {ref} on the CPU from batch {g.crossover} (1 s clips, copy included).")
    if g.fastest is not None:
        f = g.fastest
        out.append(f"Fastest on the GPU at a training batch: {f.backend}, {ratio_words(f.ratio, f.lo, f.hi, f.verdict)} "
                   f"than {ref}.")
    return " ".join(out)


def words(line: GpuLine, ref: str, *, rows: tuple[str, ...] = ()) -> str:
    """The GPU line: what an accelerator measured, or why nothing here was and the command that measures it
    (`rows`: labels of the runs whose GPU rows the grid shows)."""
    if line.measured:
        return " ".join(run_words(g, ref, rows=g.run in rows) for g in line.measured)
    if line.elsewhere:
        return (f"GPU: {', '.join(line.elsewhere)} ran on CUDA but timed no throughput there (the GPU session's "
                "throughput step does; docs/gpu.md).")
    return (f"GPU: not measured (no run here had CUDA); measure it with `make bench-gpu` on a CUDA machine "
            f"(docs/gpu.md): {', '.join(line.capable) or 'no backend here'} "
            f"{'runs' if len(line.capable) == 1 else 'run'} on CUDA.")
