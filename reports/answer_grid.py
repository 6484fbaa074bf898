"""The answer's speed grid, as values: one row per workload and thread count (all cores, then one thread: the
DataLoader-worker case), one column per machine (run), each cell a backend against the reference at the same
thread count; where machines disagree; the fastest backend measured per workload; the GPU line.

    from reports.answer_grid import grid, fastest, gpu_line
    rows = grid(runs, ("torchaudio",))     # list[GridRow]: workload by workload, all cores before one thread
    rows[0].cells                          # tuple[Cell | None, ...]: one per machine, in the order of `machines`
    rows[0].disagrees                      # a ratio above 1 on one machine and below on another, both decided
    fastest(runs, order)                   # list[Fastest]: per machine and workload, the fastest backend measured
    rows[0].on_gpu                         # True: the backend on the GPU, copy included, against the reference
                                           # on the same machine's CPU (those rows come first, where any run has a GPU)

The GPU line's values are in reports.answer_gpu. Values only: reports.answer words them for the terminal, the README and the page.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from reports.data import Run, is_gpu, num, reference, throughput_points
from reports.speed_rule import Speed, compare_rows, scenario_rows
from reports.threads import WORKLOADS, ThreadRow, thread_rows


@dataclass(frozen=True)
class Cell:
    """One backend against the reference on one machine, at one workload and thread count.

    Attributes: run (str: the run's label), backend (str), reference (str), threads (int | None: the thread
    count both ran with; None where not recorded), ms (float: the backend's median ms per call), reference_ms
    (float), ratio (float: reference time / backend time; > 1: the backend is faster), lo, hi (float: the
    ratio's range from the per-pass medians), verdict (Speed: reports.speed_rule.RULE's decision).
    """

    run: str
    backend: str
    reference: str
    threads: Optional[int]
    ms: float
    reference_ms: float
    ratio: float
    lo: float
    hi: float
    verdict: Speed
    device: str = "cpu"
    transfer: bool = False


@dataclass(frozen=True)
class GridRow:
    """One workload at one thread setting for one backend, across machines.

    Attributes: workload (str), batch_size (int), duration_s (float), backend (str), one_thread (bool: the
    one-thread row, torch and BLAS limited to one thread as inside a DataLoader worker; False: all cores),
    cells (tuple[Cell | None, ...]: one per machine of :func:`machines`, None where that run did not time it),
    on_gpu (bool: the backend on the accelerator against the reference on the same machine's CPU, default False).
    """

    workload: str
    batch_size: int
    duration_s: float
    backend: str
    one_thread: bool
    cells: tuple[Optional[Cell], ...]
    on_gpu: bool = False

    @property
    def disagrees(self) -> bool:
        """One machine decides the backend faster and another slower (both outside the even band)."""
        verdicts = {c.verdict for c in self.cells if c is not None}
        return Speed.FASTER in verdicts and Speed.SLOWER in verdicts


def machines(runs: list[Run]) -> list[Run]:
    """The runs with CPU throughput records (one column each), in the order given."""
    return [run for run in runs if any(not is_gpu(d) for d in set(throughput_points(run).get("device", [])))]


def _cell(run: Run, row: ThreadRow, ref: Optional[ThreadRow]) -> Optional[Cell]:
    if ref is None or row.ratio is None or row.ratio_lo is None or row.ratio_hi is None or row.verdict is None:
        return None
    return Cell(run.label, row.backend, ref.backend, row.threads, row.median_ms, ref.median_ms, row.ratio,
                row.ratio_lo, row.ratio_hi, row.verdict)


def _cells(run: Run, backend: str) -> dict[tuple[str, bool], Cell]:
    """(workload, one_thread) -> the backend's cell on this run: all cores (the main grid's thread count) and
    one thread (where the sweep or the main grid timed one)."""
    rows = thread_rows(run)
    out: dict[tuple[str, bool], Cell] = {}
    for r in rows:
        if r.backend != backend:
            continue
        ref = next((x for x in rows if x.is_reference and x.workload == r.workload and x.threads == r.threads), None)
        cell = _cell(run, r, ref)
        if cell is None:
            continue
        if r.all_cores:
            out.setdefault((r.workload, False), cell)
        if r.threads == 1:
            out.setdefault((r.workload, True), cell)
    return out


def gpu_cells(run: Run, backend: str) -> dict[str, Cell]:
    """workload -> `backend` on the run's accelerator (the host→device copy included where it was timed so, else
    kernels only) against the reference on the same machine's CPU at all cores; {} where it never ran on one."""
    df = throughput_points(run)
    if df.empty:
        return {}
    ref, out = reference(run), {}
    for workload, batch, duration in WORKLOADS:
        at = df[(df["batch_size"] == batch) & (df["duration_s"] == duration)]
        on_gpu = at[(at["backend"] == backend) & at["device"].map(is_gpu)].sort_values("transfer", ascending=False)
        cpu_ref = at[(at["backend"] == ref) & ~at["device"].map(is_gpu)]
        if on_gpu.empty or cpu_ref.empty:
            continue
        g, r = on_gpu.iloc[0].to_dict(), cpu_ref.iloc[0].to_dict()
        cmp = compare_rows(g, r)
        threads = num(r.get("threads"))
        out[workload] = Cell(run.label, backend, ref, int(threads) if threads is not None else None,
                             g["median_s"] * 1e3, r["median_s"] * 1e3, cmp.ratio, cmp.lo, cmp.hi, cmp.verdict,
                             device=str(g["device"]), transfer=bool(g["transfer"]))
    return out


def grid(runs: list[Run], backends: tuple[str, ...]) -> list[GridRow]:
    """Per backend of `backends` (each against its run's reference), per workload of reports.threads.WORKLOADS:
    the row on the GPU (the first backend only, where a run timed it on one), the all-cores row, then the
    one-thread row; a row no machine timed is left out."""
    cols = machines(runs)
    per_run = {(run.label, b): _cells(run, b) for run in cols for b in backends}
    # the GPU rows: the first backend only (the question's library: torchaudio on the GPU); the GPU line names
    # the fastest there
    on_gpu = {(run.label, b): gpu_cells(run, b) if b == backends[0] else {} for run in cols for b in backends}
    out = []
    for backend in backends:
        for workload, batch, duration in WORKLOADS:
            cells_gpu = tuple(on_gpu[(run.label, backend)].get(workload) for run in cols)
            if any(c is not None for c in cells_gpu):
                out.append(GridRow(workload, batch, duration, backend, False, cells_gpu, on_gpu=True))
        for workload, batch, duration in WORKLOADS:
            for one in (False, True):
                cells = tuple(per_run[(run.label, backend)].get((workload, one)) for run in cols)
                if any(c is not None for c in cells):
                    out.append(GridRow(workload, batch, duration, backend, one, cells))
    return out


@dataclass(frozen=True)
class Fastest:
    """The fastest backend measured at one workload on one machine (CPU against CPU, all cores).

    Attributes: run (str), workload (str), backend (str), ratio, lo, hi (float: against the reference),
    verdict (Speed), threads (int | None: the main grid's thread count), definition (str | None: whose MFCC
    definition it computes), library (str | None: what it computes with).
    """

    run: str
    workload: str
    backend: str
    ratio: float
    lo: float
    hi: float
    verdict: Speed
    threads: Optional[int]
    definition: Optional[str]
    library: Optional[str]


def main_threads(run: dict) -> Optional[int]:
    """The thread count the run's main grid timed the reference with on the CPU (None where not recorded)."""
    df = throughput_points(run)
    if df.empty or "threads" not in df:
        return None
    ref = df[(df["backend"] == reference(run)) & ~df["device"].map(is_gpu)]["threads"].dropna()
    return int(ref.iloc[0]) if len(ref) else None


def fastest(runs: list[Run], order: list[str]) -> list[Fastest]:
    """Per machine and workload of reports.threads.WORKLOADS, the fastest CPU backend against the reference."""
    names = {w[0] for w in WORKLOADS}
    out = []
    for run in machines(runs):
        info = run.get("backend_info") or {}
        seen = set()
        for r in scenario_rows(run, order):
            if r.cmp is None or r.scenario not in names or is_gpu(r.cmp.a.device) or r.scenario in seen:
                continue
            seen.add(r.scenario)            # rows come fastest first
            found = info.get(r.cmp.a.backend)
            meta: dict = found if isinstance(found, dict) else {}
            out.append(Fastest(run.label, r.scenario, r.cmp.a.backend, r.cmp.ratio, r.cmp.lo, r.cmp.hi, r.cmp.verdict,
                               main_threads(run), meta.get("definition"), meta.get("library")))
    return out
