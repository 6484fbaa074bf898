"""The answer grid's words: a cell ("6.61 ms against librosa's 13 ms: 2× [1.9–2.1×] faster, 2 threads"), a row's
label and setting, what an empty cell says. reports.answer uses them in every rendering; reports.answer_gpu's
ratio words come from here too."""
from __future__ import annotations

from typing import Optional

from reports.answer_grid import Cell, GridRow
from reports.data import is_gpu
from reports.speed_rule import Speed, ratio_text

def threads_text(n: Optional[int]) -> str:
    """"2 threads", "1 thread", or that the run did not record it."""
    return "threads not recorded" if n is None else f"{n} thread{'s' if n != 1 else ''}"


def ms_text(x: float) -> str:
    """Milliseconds as the grid and the GPU line show them: "0.35", "31.2", "1,234"."""
    return f"{x:.3g}" if x < 100 else f"{x:,.0f}"


def ratio_words(ratio: float, lo: float, hi: float, verdict: Speed) -> str:
    """"2.9× [2.7–3.0×] faster", "0.70× [0.66–0.74×] slower", "1.06× [0.98–1.1×] even"."""
    return f"{ratio_text(ratio)} [{ratio_text(lo, unit=False)}–{ratio_text(hi)}] {verdict}"


def cell_text(c: Cell) -> str:
    """"6.61 ms against librosa's 13 ms: 1.97× [1.9–2.0×] faster, 2 threads"; on a GPU: "2.44 ms against
    librosa's 19.4 ms on the 16-thread CPU: 8× [7.6–8.4×] faster" (the copy's inclusion said after the time)."""
    if is_gpu(c.device):
        cpu = f"{c.threads}-thread CPU" if c.threads is not None else "CPU"
        return (f"{ms_text(c.ms)} ms{' (copy included)' if c.transfer else ' (kernels only)'} against {c.reference}'s "
                f"{ms_text(c.reference_ms)} ms on the {cpu}: {ratio_words(c.ratio, c.lo, c.hi, c.verdict)}")
    return (f"{ms_text(c.ms)} ms against {c.reference}'s {ms_text(c.reference_ms)} ms: "
            f"{ratio_words(c.ratio, c.lo, c.hi, c.verdict)}, {threads_text(c.threads)}")


def empty_cell(r: GridRow) -> str:
    """What a grid cell says where that run has no figure: a GPU row on a machine without one, or not measured."""
    return "no GPU in this run" if r.on_gpu else "not measured"


def setting(r: GridRow) -> str:
    """Where and how the row's backend ran: "on the GPU" (each cell says whether the copy is in its time), "one
    thread (DataLoader worker)", "all cores"."""
    return "on the GPU" if r.on_gpu else "one thread (DataLoader worker)" if r.one_thread else "all cores"


def row_label(r: GridRow) -> str:
    """"a training batch, 64 × 1 s, all cores" / "..., one thread (DataLoader worker)" / "..., on the GPU, copy
    included"."""
    return f"{r.workload}, {r.batch_size:g} × {r.duration_s:g} s, {setting(r)}"
