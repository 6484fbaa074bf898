"""The speed rule: which choice is faster per workload, decided by a stated, noise-aware rule, and the
words the README and the page both give each verdict (`verdict_words`).

The rule (asv-like, printed on the page as :data:`RULE`): over the per-pass medians of each side,
A is faster than B when the ranges [min, max] of their per-pass medians do not overlap and the
ratio of their medians exceeds :data:`THRESHOLD`; otherwise the two are "even".

Comparisons are between *series*: a backend on a device, on an accelerator with or without the
host-to-device copy; every series is compared with the reference backend on the CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd

from reports.data import is_gpu, nearest, num, records, reference, series_of, throughput_points
from reports.series import Series

THRESHOLD = 1.10
RULE = (f"A is faster than B when the ranges [min, max] of their per-pass medians do not overlap and the "
        f"ratio of their medians exceeds {THRESHOLD:.2f} (asv's rule: the one airspeed velocity, a Python "
        "benchmarking tool, applies); otherwise \"even\". Each pass times the whole grid once and gives one median "
        "per point; where a point has fewer than two passes, the middle half of its timed calls (interquartile "
        "range) stands in for the pass range.")
#: Scenarios a user recognises: (name, batch size, clip duration in s). Batch None = the largest measured.
SCENARIOS = [
    ("one clip at a time (inference)", 1, 1.0),
    ("a training batch", 64, 1.0),
    ("long recordings (10 s clips, batched)", 64, 10.0),
    ("a whole corpus", None, 1.0),
]


class Speed(StrEnum):
    """What :data:`RULE` decided about ``a`` against ``b``."""

    FASTER = "faster"       # a is faster
    SLOWER = "slower"       # a is slower
    EVEN = "even"           # the passes do not separate them, or the ratio is within the threshold


@dataclass
class Comparison:
    """``a`` against ``b`` at one point: ratio = time(b) / time(a), so > 1 means a is faster."""

    a: Series
    b: Series
    ratio: float
    lo: float           # the ratio's range, from the two spreads
    hi: float
    verdict: Speed
    basis: str = "passes"

    @property
    def single(self) -> bool:
        """One measurement a side (rates with no spread): the threshold alone decided."""
        return self.basis == "single measurement"

    @property
    def winner(self) -> Series | None:
        return self.a if self.verdict is Speed.FASTER else self.b if self.verdict is Speed.SLOWER else None

    def text(self) -> str:
        """``"nnaudio cpu, 3.5× [2.9–4.4]"`` or ``"even (1.04× [0.8–1.3])"``."""
        shown = max(self.ratio, 1 / self.ratio)
        lo, hi = (self.lo, self.hi) if self.ratio >= 1 else (1 / self.hi, 1 / self.lo)
        span = f"{ratio_text(shown)} [{ratio_text(lo, unit=False)}–{ratio_text(hi)}]"
        return f"{self.winner}, {span}" if self.winner else f"even ({ratio_text(self.ratio)})"


def ratio_text(x: float, unit: bool = True) -> str:
    """``3.5×``, ``1.04×``, ``12×``, ``120×``: two significant figures (three near 1), whole numbers from 100."""
    if x >= 99.5:
        text = f"{x:,.0f}"
    else:
        text = f"{x:.{3 if 0.9 < x < 1.1 else 2}g}"
    return text + ("×" if unit else "")


def decide(a_med: float, a_lo: float, a_hi: float, b_med: float, b_lo: float, b_hi: float,
           *, names: tuple[Series, Series] = (Series("a", "cpu"), Series("b", "cpu")), basis: str = "passes", threshold: float = THRESHOLD) -> Comparison:
    """Apply :data:`RULE` to two times (seconds; smaller is faster).

    Args: the median, lower and upper end of each side's spread (s); names (tuple[Series, Series]); basis
    (str): what the spreads are, for the page; threshold (float, default 1.10).
    """
    if threshold <= 1:
        raise ValueError(f"threshold={threshold!r}: must exceed 1")
    ratio = b_med / a_med
    lo, hi = b_lo / a_hi, b_hi / a_lo
    if a_hi < b_lo and ratio > threshold:
        verdict = Speed.FASTER
    elif b_hi < a_lo and ratio < 1 / threshold:
        verdict = Speed.SLOWER
    else:
        verdict = Speed.EVEN
    return Comparison(names[0], names[1], ratio, lo, hi, verdict, basis)


def decide_rates(a: float, b: float, *, names: tuple[Series, Series] = (Series("a", "cpu"), Series("b", "cpu")), threshold: float = THRESHOLD) -> Comparison:
    """Two rates (larger is faster) with no spread recorded: the threshold alone decides."""
    return decide(1 / a, 1 / a, 1 / a, 1 / b, 1 / b, 1 / b, names=names, basis="single measurement",
                  threshold=threshold)


def compare_rows(a: dict, b: dict) -> Comparison:
    """:func:`decide` over two throughput rows of :func:`reports.data.throughput_points`."""
    basis = "passes" if a["spread_basis"] == b["spread_basis"] == "passes" else "IQR"
    return decide(a["median_s"], a["lo_s"], a["hi_s"], b["median_s"], b["lo_s"], b["hi_s"],
                  names=(a["series"], b["series"]), basis=basis)


def reference_series(df: pd.DataFrame, ref: str) -> pd.DataFrame:
    """The reference backend's rows: on the CPU where measured there, else its first device."""
    rows = df[df["backend"] == ref]
    if rows.empty:
        return rows
    cpu = rows[~rows["device"].map(is_gpu)]
    return cpu if not cpu.empty else rows[rows["device"] == rows["device"].iloc[0]]


def question_of(device: str, transfer: bool) -> str:
    """The device-pair question a series answers against the reference on the CPU."""
    if not is_gpu(device):
        return "CPU vs CPU"
    return f"{device.upper()} vs CPU, " + ("incl. host→device copy" if transfer else "kernels only")


def questions(run: dict, order: list[str]) -> dict[str, list[Series]]:
    """Device-pair question -> the series that answer it (backend order), reference excluded."""
    df = throughput_points(run)
    ref = reference(run)
    out: dict[str, list[Series]] = {}
    if df.empty:
        return out
    df = df.assign(_o=df["backend"].map(lambda b: order.index(b) if b in order else len(order)))
    for row in df.sort_values(["_o", "device", "transfer"], ascending=[True, True, False]).to_dict("records"):
        if row["backend"] == ref and not is_gpu(row["device"]):
            continue
        out.setdefault(question_of(row["device"], row["transfer"]), [])
        if row["series"] not in out[question_of(row["device"], row["transfer"])]:
            out[question_of(row["device"], row["transfer"])].append(row["series"])
    return dict(sorted(out.items(), key=lambda kv: (kv[0] != "CPU vs CPU", "kernels" in kv[0], kv[0])))


def heatmap_cells(run: dict, series: Series) -> pd.DataFrame:
    """Every point where ``series`` and the reference were both measured: batch_size, duration_s and
    the :class:`Comparison` (column ``cmp``)."""
    df = throughput_points(run)
    ref = reference_series(df, reference(run))
    mine = df[df["series"] == series]
    merged = mine.merge(ref, on=["batch_size", "duration_s"], suffixes=("", "_ref"))
    rows = []
    for r in merged.to_dict("records"):
        b = {k[:-4]: v for k, v in r.items() if k.endswith("_ref")}
        rows.append({"batch_size": r["batch_size"], "duration_s": r["duration_s"], "cmp": compare_rows(r, b)})
    return pd.DataFrame(rows, columns=["batch_size", "duration_s", "cmp"])


def scenario_point(df: pd.DataFrame, batch: float | None, duration: float) -> tuple[float, float] | None:
    """The measured (batch, duration) nearest the scenario's (``batch`` None = the largest batch)."""
    if df.empty:
        return None
    batches = set(df["batch_size"])
    b = max(batches) if batch is None else nearest(batches, batch)
    d = nearest(set(df[df["batch_size"] == b]["duration_s"]), duration)
    return (b, d) if d is not None else None


@dataclass
class VerdictRow:
    """One row of the verdict table."""

    scenario: str
    question: str
    point: str          # where it was measured, e.g. "batch 64 × 1 s"
    cmp: Comparison | None
    note: str = ""
    at: tuple[float, float] | None = None     # (batch size, clip duration s) of a throughput point; None: a rate


def scenario_rows(run: dict, order: list[str]) -> list[VerdictRow]:
    """Per scenario and device-pair question: every series of that question against the reference,
    fastest first.

    "A whole corpus" uses the corpus_scaling table where present (rates at the most workers), else
    the pipeline table, else the largest measured batch.
    """
    df = throughput_points(run)
    ref = reference(run)
    ref_rows = reference_series(df, ref)
    qs = questions(run, order)
    out: list[VerdictRow] = []
    for name, batch, duration in SCENARIOS:
        if batch is None:
            corpus = corpus_rows(run, name, order)
            if corpus:
                out += corpus
                continue
        point = scenario_point(ref_rows, batch, duration)
        for question, members in qs.items():
            if point is None:
                out.append(VerdictRow(name, question, "—", None, "the reference was not measured"))
                continue
            b, d = point
            ref_row = ref_rows[(ref_rows["batch_size"] == b) & (ref_rows["duration_s"] == d)].iloc[0].to_dict()
            cands = df[(df["series"].isin(members)) & (df["batch_size"] == b) & (df["duration_s"] == d)]
            where = f"batch {b:g} × {d:g} s"
            if batch is not None and (b, d) != (batch, duration):
                where += f" (nearest to {batch:g} × {duration:g} s)"
            elif batch is None:
                where += " (the largest batch; no corpus run)"
            if cands.empty:
                out.append(VerdictRow(name, question, where, None, "not measured at this point"))
                continue
            for cand in cands.sort_values("median_s").to_dict("records"):     # every pair, fastest first
                out.append(VerdictRow(name, question, where, compare_rows(cand, ref_row), at=(b, d)))
    return out


#: the tables "a whole corpus" is read from, in the page's words
PLAIN = {"corpus_scaling": "corpus run", "pipeline": "training input pipeline"}


def corpus_rows(run: dict, scenario: str, order: list[str]) -> list[VerdictRow]:
    """Whole-corpus verdict rows from corpus_scaling (or pipeline) rates, one per device question."""
    ref = reference(run)
    for table, rate, key in (("corpus_scaling", "audio_hours_per_hour", "workers"),
                             ("pipeline", "samples_per_s", "workers")):
        recs = [r for r in records(run, table) if num(getattr(r, rate))]
        if not recs:
            continue
        best: dict[tuple, Any] = {}
        for r in recs:  # per backend and device: the fastest configuration measured
            k = (r.backend, r.device)
            if k not in best or getattr(r, rate) > getattr(best[k], rate):
                best[k] = r
        ref_keys = [k for k in best if k[0] == ref and not is_gpu(k[1])] or [k for k in best if k[0] == ref]
        if not ref_keys:
            return []
        ref_rec = best[ref_keys[0]]
        rows = []
        by_q: dict[str, list[Any]] = {}
        for (b, d), r in best.items():
            if (b, d) != ref_keys[0]:
                by_q.setdefault("CPU vs CPU" if not is_gpu(d) else f"{d.upper()} vs CPU", []).append(r)
        for q, cands in by_q.items():
            for top in sorted(cands, key=lambda r: -getattr(r, rate)):        # every pair, fastest first
                cmp = decide_rates(getattr(top, rate), getattr(ref_rec, rate),
                                   names=(series_of(top.backend, top.device), series_of(ref, ref_rec.device)))
                where = (f"{PLAIN[table]}: {top.workers} vs {ref_rec.workers} {key}"
                         + (f", {top.engine}" if getattr(top, "engine", None) else f", {getattr(top, 'mode', None)}")
                         .replace("_", " "))
                rows.append(VerdictRow(scenario, q, where, cmp, "one measurement: no pass spread, threshold only"))
        return rows
    return []


def ratio_range_text(cmp: Comparison) -> str:
    """The ratio of the reference's time to the candidate's, with its range, e.g. ``3.5× [2.9–4.4]``."""
    return f"{ratio_text(cmp.ratio)} [{ratio_text(cmp.lo, unit=False)}–{ratio_text(cmp.hi)}]"


def verdict_words(cmp: Comparison) -> tuple[str, str]:
    """(faster choice, why) for one comparison, as the README and the page both word it:
    ``("nnaudio cpu", "faster than librosa cpu")`` or ``("even", "the passes' ranges overlap")``."""
    if cmp.winner:
        loser = cmp.b if cmp.winner == cmp.a else cmp.a
        return cmp.winner.name, f"faster than {loser}"
    overlap = not (cmp.lo > 1 or cmp.hi < 1)
    return "even", ("the passes' ranges overlap" if overlap else f"ratio within {THRESHOLD:.2f}×")
