"""Speed by thread count, as values: per workload the answer names, each CPU backend's milliseconds per call
at every thread count measured, and its ratio to the reference at the same thread count.

Inside DataLoader workers torch runs one thread each (and a corpus job's workers often do too), so a
backend's all-cores speed is not its speed there: this module puts the one-thread rows (the thread sweep,
bench.grid.ThroughputGrid.thread_sweep_points) beside the all-cores ones (the main grid's default thread
count). It returns values only; the answer and the page word them.

    from reports.threads import thread_rows
    rows = thread_rows(run)        # list[ThreadRow], workload by workload, the reference first

A ratio is the reference's median time over the backend's at the same thread count (> 1: the backend
is faster), its range from the two rows' per-pass ranges, and its verdict by the speed rule
(reports.speed_rule.RULE: "faster", "slower" or "even").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from reports.data import spread, backend_order, frame, is_gpu, num, reference
from reports.series import Series
from reports.speed_rule import SCENARIOS, Speed, decide

#: (workload, batch size, clip duration in s): the answer's workloads timed at a fixed point
WORKLOADS = tuple((name, batch, duration) for name, batch, duration in SCENARIOS if batch is not None)


@dataclass(frozen=True)
class ThreadRow:
    """One backend at one workload and thread count, on the CPU.

    Attributes:
        workload (str): the workload's name (reports.speed_rule.SCENARIOS).
        batch_size (int), duration_s (float): the point it was timed at.
        backend (str): the backend.
        threads (int | None): the thread count it ran with (torch's, and BLAS's in a thread sweep); None
            where the run did not record it.
        all_cores (bool): the main grid's row at the default thread count (False: a thread-sweep row).
        median_ms (float): median milliseconds per call.
        lo_ms (float), hi_ms (float): the lowest and highest per-pass median (the IQR where one pass).
        is_reference (bool): the backend is the run's reference (then the ratio fields are None).
        ratio (float | None): the reference's median over this one's at the same thread count (> 1: faster);
            None where the reference was not timed at that count.
        ratio_lo (float | None), ratio_hi (float | None): the ratio's range from the two per-pass ranges.
        verdict (str | None): "faster", "slower" or "even" by reports.speed_rule's rule.
    """

    workload: str
    batch_size: int
    duration_s: float
    backend: str
    threads: Optional[int]
    all_cores: bool
    median_ms: float
    lo_ms: float
    hi_ms: float
    is_reference: bool
    ratio: Optional[float] = None
    ratio_lo: Optional[float] = None
    ratio_hi: Optional[float] = None
    verdict: Optional[Speed] = None


def _rows_at(run: dict, batch: int, duration: float) -> dict[tuple, dict]:
    """(backend, threads) -> the CPU throughput record at (batch, duration), kernels only; where the main
    grid and the sweep both timed a thread count, the main grid's row."""
    df = frame(run, "throughput")
    if df.empty:
        return {}
    out: dict[tuple, dict] = {}
    for rec in df.to_dict("records"):
        if is_gpu(rec["device"]) or num(rec.get("median_s")) is None:
            continue
        if num(rec["batch_size"]) != batch or num(rec["duration_s"]) != duration:
            continue
        threads = int(rec["threads"]) if num(rec.get("threads")) is not None else None
        key = (rec["backend"], threads)
        if key not in out or (out[key].get("thread_sweep") and not rec.get("thread_sweep")):
            out[key] = rec
    return out


def thread_rows(run: dict) -> list[ThreadRow]:
    """Every CPU backend's time at each workload of :data:`WORKLOADS` and each thread count the run timed
    it at, with its ratio to the reference at the same count.

    Args:
        run (dict): one results dict (reports.data.load_runs or reports.schema.read).
    Returns:
        list[ThreadRow]: by workload, then backend (the run's order, the reference first), then the
        all-cores row before the thread-sweep rows (fewest threads first). Empty where nothing was timed.
    """
    ref = reference(run)
    order = backend_order([run])
    out = []
    for workload, batch, duration in WORKLOADS:
        rows = _rows_at(run, batch, duration)
        keys = sorted(rows, key=lambda k: (k[0] != ref, order.index(k[0]) if k[0] in order else len(order),
                                           bool(rows[k].get("thread_sweep")), k[1] or 0))
        for backend, threads in keys:
            rec = rows[(backend, threads)]
            lo, hi, _ = spread(rec)
            fields = dict(workload=workload, batch_size=batch, duration_s=duration, backend=backend,
                          threads=threads, all_cores=not rec.get("thread_sweep"), median_ms=rec["median_s"] * 1e3,
                          lo_ms=lo * 1e3, hi_ms=hi * 1e3, is_reference=backend == ref)
            other = rows.get((ref, threads))
            if backend != ref and other is not None:
                o_lo, o_hi, _ = spread(other)
                cmp = decide(rec["median_s"], lo, hi, other["median_s"], o_lo, o_hi, names=(Series(backend, str(rec.get("device") or "cpu")), Series(ref, str(other.get("device") or "cpu"))))
                fields.update(ratio=cmp.ratio, ratio_lo=cmp.lo, ratio_hi=cmp.hi, verdict=cmp.verdict)
            out.append(ThreadRow(**fields))
    return out
