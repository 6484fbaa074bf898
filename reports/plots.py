"""Matplotlib figures for the report (Agg backend, no display needed).

One function per figure. Each takes the loaded runs (see
:mod:`reports.data`) and returns a :class:`~matplotlib.figure.Figure`, or
``None`` when there is nothing to draw; the caller saves and closes it.

Visual conventions shared by every figure:

* colour = backend: :data:`BACKEND_COLORS` (librosa, torchaudio cpu,
  torchaudio cuda) — the same in every plot;
* line style / marker / hatch = run, by position in the run list;
* log scales wherever the data span orders of magnitude.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from reports.data import (  # noqa: E402
    backend_key, num, pick_value, records, same_backend_accuracy,
    speedup, throughput_points, USUAL_BATCH, USUAL_DURATION_S,
)

# Okabe-Ito colour-blind-safe palette.
BACKEND_COLORS = {
    "librosa": "#0072B2",          # blue
    "torchaudio cpu": "#E69F00",   # orange
    "torchaudio cuda": "#009E73",  # green
}
OTHER_COLOR = "#999999"
#: Colours for things that are not backends (presets, pipeline stages).
CATEGORY_COLORS = ["#CC79A7", "#555555", "#882255", "#C9B458", "#332288", "#AA4499"]
RUN_LINESTYLES = ["-", "--", ":", "-."]
RUN_MARKERS = ["o", "s", "^", "D"]
RUN_HATCHES = ["", "//", "..", "xx"]
#: Stand-in for exact zeros on log axes (drawn, and annotated "0").
ZERO_FLOOR = 1e-12

plt.rcParams.update({
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.fontsize": 8.5,
    "legend.framealpha": 0.85,
    "svg.hashsalt": "mfcc-bench",
    "svg.fonttype": "none",  # text stays text: smaller, searchable, faster
})


def color(backend, device=None) -> str:
    """Colour for a backend (and device); grey for anything unknown."""
    return BACKEND_COLORS.get(backend_key(backend, device), OTHER_COLOR)


def _run_style(i: int) -> dict:
    return {"linestyle": RUN_LINESTYLES[i % 4], "marker": RUN_MARKERS[i % 4]}


def _hatch(i: int) -> str:
    return RUN_HATCHES[i % len(RUN_HATCHES)]


def _name(key: str, run: dict, runs: list) -> str:
    """Legend label: ``key``, plus the run label when several runs overlay."""
    return f"{key} — {run['_label']}" if len(runs) > 1 else key


def _spans_decades(values, decades: float = 1.5) -> bool:
    pos = [v for v in values if v is not None and v > 0]
    return len(pos) > 1 and math.log10(max(pos) / min(pos)) >= decades


def _varies(values) -> bool:
    """True when the per-run choices (durations, batch sizes) differ between runs."""
    return len({v for v in values if v is not None}) > 1


def _first(values):
    return next(v for v in values if v is not None)


def _floor0(v: float) -> float:
    return v if v > 0 else ZERO_FLOOR


def _outside_legend(ax, **kw) -> None:
    """Legend to the right of the axes, so it never hides data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0, **kw)


def _tick(v: float, _pos=None) -> str:
    """Plain tick labels on log axes: 0.001, 1, 10,000 (no 10^x)."""
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:g}"


def finish(fig: Figure) -> Figure:
    """Plain-number ticks on every log axis, then a tight layout."""
    for ax in fig.axes:
        for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            if axis.get_scale() != "log":
                continue
            axis.set_major_formatter(matplotlib.ticker.FuncFormatter(_tick))
            lo, hi = sorted(lim)
            few = lo > 0 and hi / lo < 30
            axis.set_minor_formatter(matplotlib.ticker.FuncFormatter(_tick) if few
                                     else matplotlib.ticker.NullFormatter())
    fig.tight_layout()
    return fig


def _sig(v: float, unit: str = "") -> str:
    """3 significant figures, thousands separators from 1,000: 0.00031, 42.1, 12,346."""
    return (f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}") + unit


def _bars(ax, labels, values, colors, hatches=None, horizontal=False, log=True, fmt=_sig, invert=True):
    """Bar chart with value annotations.

    On a log axis exact zeros are drawn at a floor a decade below the
    smallest value and labelled "0 (exact)"; ``None`` values draw no bar
    and are labelled "n/a". Horizontal charts list top to bottom
    (``invert=False`` for a second axes sharing the first one's y axis).
    ``fmt`` turns a value into its annotation.
    """
    pos = np.arange(len(values))
    positive = [v for v in values if v is not None and v > 0]
    floor = min(positive) / 10 if positive else 1e-12
    shown = [np.nan if v is None else (v if v > 0 else floor) if log else v for v in values]
    kw = dict(color=colors, edgecolor="#333", linewidth=0.6)
    bars = (ax.barh if horizontal else ax.bar)(pos, shown, **kw)
    for bar, h in zip(bars, hatches or []):
        bar.set_hatch(h)
    if horizontal:
        ax.set_yticks(pos, labels)
        if invert:
            ax.invert_yaxis()
    else:
        longest = max((len(line) for lab in labels for line in str(lab).split("\n")), default=0)
        tilt = longest * len(labels) > 95
        ax.set_xticks(pos, labels, rotation=25 if tilt else 0, ha="right" if tilt else "center")
    if log:
        (ax.set_xscale if horizontal else ax.set_yscale)("log")
    for bar, v, h in zip(bars, values, shown):
        text = "n/a" if v is None else "0 (exact)" if (log and v <= 0) else fmt(v)
        if v is None:
            h = floor if log else 0
        if horizontal:
            ax.annotate(text, (h, bar.get_y() + bar.get_height() / 2),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        else:
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, h),
                        xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)
    if log:
        lo, hi = (ax.get_xlim() if horizontal else ax.get_ylim())
        (ax.set_xlim if horizontal else ax.set_ylim)(lo, hi * (8 if horizontal else 3))
    else:
        lo, hi = (ax.get_xlim() if horizontal else ax.get_ylim())
        (ax.set_xlim if horizontal else ax.set_ylim)(lo, hi * 1.12)
    return bars


# --------------------------------------------------------------------------
# 1. Headline
# --------------------------------------------------------------------------

def speedup_figure(runs: list[dict]) -> Figure | None:
    """Bars: torchaudio speedup over librosa per device and run (log scale)."""
    labels, values, colors, hatches = [], [], [], []
    for i, run in enumerate(runs):
        for device in ("cpu", "cuda"):
            s = speedup(run, device)
            if s is None:
                continue
            where = "" if s["exact"] else f"\n(batch {s['batch']:g}, {s['duration']:g} s)"
            labels.append(f"torchaudio {device}{where}" + (f"\n{run['_label']}" if len(runs) > 1 else ""))
            values.append(s["value"])
            colors.append(BACKEND_COLORS[f"torchaudio {device}"])
            hatches.append(_hatch(i))
    if not values:
        return None
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(values) + 2), 4.2))
    _bars(ax, labels, values, colors, hatches, log=_spans_decades(values + [1], 1.0), fmt=lambda v: _sig(v, "×"))
    ax.axhline(1, color="#333", lw=1, ls="--")
    ax.text(ax.get_xlim()[0], 1, " parity with librosa", va="bottom", fontsize=8)
    ax.set_ylabel("speedup over librosa (× realtime factor)")
    ax.set_title(f"Speedup of torchaudio over librosa (CPU) at batch {USUAL_BATCH}, {USUAL_DURATION_S:g} s clips")
    return finish(fig)


# --------------------------------------------------------------------------
# 2. Throughput
# --------------------------------------------------------------------------

def _series_label(key, transfer) -> str:
    if transfer is True:
        return f"{key} (incl. host→device copy)"
    if transfer is False:
        return f"{key} (kernels only)"
    return key


def throughput_batch_figure(runs: list[dict]) -> Figure | None:
    """Realtime factor vs batch size, log-log, IQR bands, at 1 s clips."""
    fig, ax = plt.subplots(figsize=(11.5, 5))
    drawn = False
    all_points = [throughput_points(run) for run in runs]
    durs = [pick_value([p[3] for p in points], USUAL_DURATION_S) for points in all_points]
    varies = _varies(durs)
    for i, (run, points, dur) in enumerate(zip(runs, all_points, durs)):
        series = defaultdict(list)
        for (key, transfer, b, d), rec in points.items():
            if d == dur:
                series[(key, transfer)].append((b, rec))
        for (key, transfer), rows in sorted(series.items(), key=lambda kv: (kv[0][0], kv[0][1] is False)):
            rows.sort(key=lambda r: r[0])
            x = [b for b, _ in rows]
            y = [num(r["realtime_factor"]) for _, r in rows]
            q1 = [num(r.get("realtime_factor_q1")) or v for (_, r), v in zip(rows, y)]
            q3 = [num(r.get("realtime_factor_q3")) or v for (_, r), v in zip(rows, y)]
            style = _run_style(i)
            if transfer is False:
                style["marker"] = "x"
            label = _name(_series_label(key, transfer), run, runs) + (f", {dur:g} s clips" if varies else "")
            ax.plot(x, y, color=BACKEND_COLORS.get(key, OTHER_COLOR), alpha=0.55 if transfer is False else 1,
                    label=label, **style)
            ax.fill_between(x, q1, q3, color=BACKEND_COLORS.get(key, OTHER_COLOR), alpha=0.15, lw=0)
            drawn = True
    if not drawn:
        plt.close(fig)
        return None
    dur_text = "clip duration per run in legend" if varies else f"{_first(durs):g} s clips"
    return _finish_realtime_plot(fig, ax, "batch size (clips)",
                                 f"Throughput vs batch size ({dur_text}); band = interquartile range")


def throughput_duration_figure(runs: list[dict]) -> Figure | None:
    """Realtime factor vs clip duration at batch 64, fitted exponent in legend."""
    fig, ax = plt.subplots(figsize=(11.5, 5))
    drawn = False
    all_points = [throughput_points(run) for run in runs]
    batches = [pick_value([p[2] for p in points], USUAL_BATCH) for points in all_points]
    varies = _varies(batches)
    for i, (run, points, batch) in enumerate(zip(runs, all_points, batches)):
        exps = {}
        for s in records(run, "scaling"):
            k, e = backend_key(s.get("backend"), s.get("device")), num(s.get("exponent"))
            if e is not None and (k not in exps or num(s.get("batch_size")) == batch):
                exps[k] = e
        series = defaultdict(list)
        for (key, transfer, b, d), rec in points.items():
            if b == batch and transfer is not False:
                series[key].append((d, num(rec["realtime_factor"])))
        for key, rows in sorted(series.items()):
            if len(rows) < 2:
                continue
            rows.sort()
            exp = f", cost ∝ duration^{exps[key]:.2f}" if key in exps else ""
            ax.plot(*zip(*rows), color=BACKEND_COLORS.get(key, OTHER_COLOR),
                    label=_name(key + exp, run, runs) + (f", batch {batch:g}" if varies else ""), **_run_style(i))
            drawn = True
    if not drawn:
        plt.close(fig)
        return None
    b_text = "batch size per run in legend" if varies else f"batch {_first(batches):g}"
    return _finish_realtime_plot(fig, ax, "clip duration (s)",
                                 f"Throughput vs clip duration ({b_text}); exponent < 1 = fixed overhead amortised")


def _finish_realtime_plot(fig, ax, xlabel: str, title: str) -> Figure:
    """Log-log axes with realtime factor on y, labelled and titled."""
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("realtime factor (audio s / wall s)")
    ax.set_title(title)
    _outside_legend(ax)
    return finish(fig)


def ceiling_figure(runs: list[dict]) -> Figure | None:
    """Throughput as a fraction of the device's measured FFT+mel ceiling."""
    fig, ax = plt.subplots(figsize=(11.5, 4.6))
    values = []
    all_points = [throughput_points(run) for run in runs]
    durs = [pick_value([p[3] for p, r in points.items() if num(r.get("ceiling_fraction")) is not None],
                       USUAL_DURATION_S) for points in all_points]
    varies = _varies(durs)
    for i, (run, points, dur) in enumerate(zip(runs, all_points, durs)):
        series = defaultdict(list)
        for (key, transfer, b, d), rec in points.items():
            cf = num(rec.get("ceiling_fraction"))
            if d == dur and cf is not None:
                series[(key, transfer)].append((b, cf))
        for (key, transfer), rows in sorted(series.items(), key=lambda kv: (kv[0][0], kv[0][1] is False)):
            rows.sort()
            style = _run_style(i)
            if transfer is False:
                style["marker"] = "x"
            ax.plot(*zip(*rows), color=BACKEND_COLORS.get(key, OTHER_COLOR), alpha=0.55 if transfer is False else 1,
                    label=_name(_series_label(key, transfer), run, runs) + (f", {dur:g} s clips" if varies else ""),
                    **style)
            values += [v for _, v in rows]
    if not values:
        plt.close(fig)
        return None
    ax.set_xscale("log", base=2)
    if _spans_decades(values):
        ax.set_yscale("log")
    ax.axhline(1, color="#333", lw=1, ls="--")
    ax.set_xlabel("batch size (clips)")
    ax.set_ylabel("fraction of device ceiling (1 = FFT+mel only)")
    dur_text = "clip duration per run in legend" if varies else f"{_first(durs):g} s clips"
    ax.set_title(f"Throughput as a fraction of the device's measured ceiling ({dur_text})")
    _outside_legend(ax)
    return finish(fig)


def cold_start_figure(runs: list[dict]) -> Figure | None:
    """Grouped bars: import, first call and steady call time per backend."""
    stages = [("import_s", "import"), ("first_call_s", "first call"), ("steady_call_s", "steady call")]
    series = []  # (key, run index, values)
    for i, run in enumerate(runs):
        for rec in records(run, "cold_start"):
            vals = [num(rec.get(k)) for k, _ in stages]
            if any(v is not None for v in vals):
                series.append((backend_key(rec.get("backend"), rec.get("device")), i, vals))
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(11, 4.6))
    width = 0.8 / len(series)
    for j, (key, i, vals) in enumerate(series):
        x = np.arange(len(stages)) + (j - (len(series) - 1) / 2) * width
        shown = [_floor0(v) if v is not None else np.nan for v in vals]
        bars = ax.bar(x, shown, width, color=BACKEND_COLORS.get(key, OTHER_COLOR), hatch=_hatch(i),
                      edgecolor="#333", linewidth=0.6)
        for bar, v in zip(bars, vals):
            if v is not None:
                ax.annotate(f"{v:.2g}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                            xytext=(0, 2), textcoords="offset points", ha="center", fontsize=7)
    ax.set_xticks(np.arange(len(stages)), [s for _, s in stages])
    ax.set_yscale("log")
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi * 3)
    ax.set_ylabel("time (s, log scale)")
    ax.set_title("Cold start: import, first call (JIT / plan / CUDA init) and steady-state call")
    handles = [Patch(color=BACKEND_COLORS.get(k, OTHER_COLOR), label=k) for k in sorted({k for k, _, _ in series})]
    if len(runs) > 1:
        handles += [Patch(facecolor="white", edgecolor="#333", hatch=_hatch(i), label=f"run: {r['_label']}")
                    for i, r in enumerate(runs)]
    _outside_legend(ax, handles=handles)
    return finish(fig)


def memory_figure(runs: list[dict]) -> Figure | None:
    """Peak memory (MiB) vs batch size per backend, host RSS or CUDA. Where the records carry
    `above_baseline_bytes` (peak less the footprint after import and a first call), that is drawn:
    the libraries' own import footprint would otherwise hide what the batch costs."""
    fig, ax = plt.subplots(figsize=(11.5, 4.6))
    values = []
    every = [r for run in runs for r in records(run, "memory")]
    field = "above_baseline_bytes" if every and all("above_baseline_bytes" in r for r in every) else "peak_bytes"
    all_recs = [[r for r in records(run, "memory")
                 if num(r.get("batch_size")) and num(r.get(field)) is not None] for run in runs]
    durs = [pick_value([num(r.get("duration_s")) for r in recs], USUAL_DURATION_S) for recs in all_recs]
    varies = _varies(durs)
    for i, (run, recs, dur) in enumerate(zip(runs, all_recs, durs)):
        series = defaultdict(list)
        for r in recs:
            if num(r.get("duration_s")) in (dur, None):
                series[(backend_key(r.get("backend"), r.get("device")), r.get("kind") or "?")].append(
                    (num(r["batch_size"]), num(r[field]) / 2**20))
        for (key, kind), rows in sorted(series.items()):
            rows.sort()
            style = _run_style(i)
            kind_text = {"rss": "host RSS", "cuda": "CUDA peak"}.get(kind, kind)
            ax.plot(*zip(*rows), color=BACKEND_COLORS.get(key, OTHER_COLOR),
                    label=_name(f"{key} ({kind_text})", run, runs) + (f", {dur:g} s clips" if varies else ""),
                    **style)
            values += [v for _, v in rows]
    if not values:
        plt.close(fig)
        return None
    ax.set_xscale("log", base=2)
    if _spans_decades([v for v in values if v > 0]) and min(values) > 0:
        ax.set_yscale("log")
    ax.set_xlabel("batch size (clips)")
    ax.set_ylabel("peak memory above baseline (MiB)" if field == "above_baseline_bytes" else "peak memory (MiB)")
    dur_known = [d for d in durs if d is not None]
    dur_text = "" if varies or not dur_known else f" ({dur_known[0]:g} s clips)"
    ax.set_title(f"Peak memory vs batch size{dur_text}")
    _outside_legend(ax)
    return finish(fig)


def io_figure(runs: list[dict]) -> Figure | None:
    """Horizontal bars: realtime factor of decoding and resampling methods."""
    labels, values, colors, hatches = [], [], [], []
    stages = {}
    for i, run in enumerate(runs):
        for r in records(run, "io"):
            v = num(r.get("realtime_factor"))
            if v is None:
                continue
            stage = str(r.get("stage") or "?")
            stages.setdefault(stage, CATEGORY_COLORS[len(stages) % len(CATEGORY_COLORS)])
            labels.append(f"{stage}: {r.get('method', '?')}" + (f" — {run['_label']}" if len(runs) > 1 else ""))
            values.append(v)
            colors.append(stages[stage])
            hatches.append(_hatch(i))
    if not values:
        return None
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.42 * len(values)))
    _bars(ax, labels, values, colors, hatches, horizontal=True, log=_spans_decades(values, 1.0))
    ax.set_xlabel("realtime factor (audio s / wall s)")
    ax.set_title("Decode and resample cost (higher is faster)")
    _outside_legend(ax, handles=[Patch(color=c, label=s) for s, c in stages.items()], title="stage")
    return finish(fig)


# --------------------------------------------------------------------------
# 3. Agreement
# --------------------------------------------------------------------------

def agreement_presets_figure(runs: list[dict]) -> Figure | None:
    """Horizontal log bars: max-abs and relative error per preset; colour = torchaudio's device."""
    rows = []
    for i, run in enumerate(runs):
        for r in records(run, "agreement"):
            if num(r.get("max_abs_error")) is None and num(r.get("rel_error")) is None:
                continue
            key = backend_key("torchaudio", r.get("device"))
            device = r.get("device")
            label = f"{r.get('preset', '?')}" + (f" ({device})" if device not in (None, "cpu") else "")
            if len(runs) > 1:
                label += f" — {run['_label']}"
            rows.append((label, r, BACKEND_COLORS[key], _hatch(i)))
    if not rows:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(12, 1.6 + 0.42 * len(rows)), sharey=True)
    for ax, metric, title in [(axes[0], "max_abs_error", "max |librosa − torchaudio|"),
                              (axes[1], "rel_error", "relative error (‖Δ‖ / ‖librosa‖)")]:
        _bars(ax, [r[0] for r in rows], [num(r[1].get(metric)) for r in rows], [r[2] for r in rows],
              [r[3] for r in rows], horizontal=True, fmt=lambda v: f"{v:.2g}", invert=ax is axes[0])
        ax.set_title(title)
        ax.set_xlabel(f"{title.split(' (')[0]} (log scale)")
    _outside_legend(axes[1], title="torchaudio device", handles=[
        Patch(color=BACKEND_COLORS[k], label=k) for k in sorted({backend_key("torchaudio", r.get("device"))
                                                                 for _, r, _, _ in rows})])
    fig.suptitle("Agreement of librosa and torchaudio MFCCs per parameter preset")
    return finish(fig)


def ablation_figure(runs: list[dict]) -> Figure | None:
    """Horizontal log bars: which single parameter change causes most error."""
    per_run = [(run, [r for r in records(run, "ablation") if num(r.get("rel_error")) is not None]) for run in runs]
    per_run = [(run, recs) for run, recs in per_run if recs]
    if not per_run:
        return None
    n = max(len(recs) for _, recs in per_run)
    fig, axes = plt.subplots(1, len(per_run), figsize=(max(9, 5.5 * len(per_run)), 1.4 + 0.4 * n), squeeze=False)
    for ax, (run, recs) in zip(axes[0], per_run):
        recs = sorted(recs, key=lambda r: -num(r["rel_error"]))
        labels = [f"{r.get('parameter', '?')} = {r.get('value', '?')}" for r in recs]
        _bars(ax, labels, [num(r["rel_error"]) for r in recs], CATEGORY_COLORS[0], horizontal=True,
              fmt=lambda v: f"{v:.2g}")
        ax.set_xlabel("relative error vs matched (log scale)")
        ax.set_title("Ablation: one parameter changed from matched" + (f"\n{run['_label']}" if len(runs) > 1 else ""))
    return finish(fig)


def example_clip_figure(runs: list[dict]) -> Figure | None:
    """Per run with an ``example_clip``: librosa MFCC, torchaudio MFCC, |difference|."""
    clips = []
    for run in runs:
        clip = run.get("example_clip")
        if not isinstance(clip, dict):
            continue
        try:
            a = np.asarray(clip.get("librosa"), dtype=float)
            b = np.asarray(clip.get("torchaudio"), dtype=float)
        except (TypeError, ValueError):
            continue
        if a.ndim == 2 and b.ndim == 2 and a.size and b.size:
            clips.append((run, clip, a, b))
    if not clips:
        return None
    fig, axes = plt.subplots(len(clips), 3, figsize=(13, 3.6 * len(clips)), squeeze=False)
    for row, (run, clip, a, b) in zip(axes, clips):
        n, t = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
        # c0 (log energy) dwarfs the other coefficients: scale colours on c1.. and let c0 saturate.
        rest = np.concatenate([a[1:].ravel(), b[1:].ravel()]) if n > 1 else np.concatenate([a.ravel(), b.ravel()])
        vmin, vmax = np.percentile(rest, [1, 99])
        if vmax <= vmin:
            vmin, vmax = vmin - 1, vmax + 1
        clipped = n > 1 and (min(a[0].min(), b[0].min()) < vmin or max(a[0].max(), b[0].max()) > vmax)
        for ax, data, name in [(row[0], a, "librosa"), (row[1], b, "torchaudio")]:
            im = ax.imshow(data, origin="lower", aspect="auto", cmap="coolwarm", vmin=vmin, vmax=vmax,
                           interpolation="nearest")
            ax.set_title(f"{name} MFCC")
            fig.colorbar(im, ax=ax, label="MFCC value" + (" (c0 saturates)" if clipped else ""),
                         extend="both" if clipped else "neither")
        diff = np.abs(a[:n, :t] - b[:n, :t])
        pos = diff[diff > 0]
        norm = LogNorm(vmin=max(pos.min(), diff.max() * 1e-6), vmax=pos.max()) if pos.size else None
        im = row[2].imshow(np.where(diff > 0, diff, np.nan) if norm else diff, origin="lower", aspect="auto",
                           cmap="magma", norm=norm, interpolation="nearest")
        shape_note = "" if a.shape == b.shape else f" (shapes {a.shape} vs {b.shape}, cropped)"
        row[2].set_title(f"|difference|, max {diff.max():.2g}{shape_note}")
        fig.colorbar(im, ax=row[2], label="|librosa − torchaudio|")
        for ax in row:
            ax.set_xlabel("frame")
            ax.set_ylabel("MFCC coefficient")
        clip_name = os.path.basename(str(clip.get("file") or "clip"))
        run_text = f" — {run['_label']}" if len(runs) > 1 else ""
        row[0].annotate(f"{clip_name}, preset {clip.get('preset', '?')}{run_text}", (0, 1.16),
                        xycoords="axes fraction", fontsize=10, fontweight="bold")
    fig.suptitle("One real clip: both backends' MFCCs and where they differ")
    return finish(fig)


def batch_invariance_figure(runs: list[dict]) -> Figure | None:
    """Horizontal log bars: a clip extracted alone vs inside a batch, per backend and scope."""
    rows = []
    for i, run in enumerate(runs):
        for r in records(run, "batch_invariance"):
            v = num(r.get("max_abs_error"))
            if v is None:
                continue
            key = backend_key(r.get("backend"), r.get("device"))
            label = f"{key}, scope={r.get('scope', '?')}" + (f" — {run['_label']}" if len(runs) > 1 else "")
            rows.append((label, v, BACKEND_COLORS.get(key, OTHER_COLOR), _hatch(i)))
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(10, 1.4 + 0.42 * len(rows)))
    _bars(ax, *zip(*rows), horizontal=True, fmt=lambda v: f"{v:.2g}")
    ax.set_xlabel("max |alone − in batch| (log scale)")
    ax.set_title("Batch invariance: same clip extracted alone vs inside a batch")
    return finish(fig)


def per_coeff_figure(runs: list[dict]) -> Figure | None:
    """Max abs error per MFCC coefficient, one line per preset (and run)."""
    series = defaultdict(list)  # (run index, preset) -> [(coeff, error)]
    for i, run in enumerate(runs):
        for r in records(run, "agreement_per_coeff"):
            k, v = num(r.get("coeff")), num(r.get("max_abs_error"))
            if k is not None and v is not None:
                series[(i, str(r.get("preset", "?")))].append((k, v))
    if not series:
        return None
    positive = [v for rows in series.values() for _, v in rows if v > 0]
    floor = min(positive) / 10 if positive else ZERO_FLOOR  # exact zeros drawn at the floor
    presets: dict = {}
    fig, ax = plt.subplots(figsize=(11.5, 4.6))
    for (i, preset), rows in sorted(series.items()):
        presets.setdefault(preset, CATEGORY_COLORS[len(presets) % len(CATEGORY_COLORS)])
        rows.sort()
        ax.plot([k for k, _ in rows], [v if v > 0 else floor for _, v in rows], color=presets[preset],
                label=_name(preset, runs[i], runs), **_run_style(i))
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("MFCC coefficient index")
    ax.set_ylabel("max |librosa − torchaudio| (log scale)")
    ax.set_title("Agreement per MFCC coefficient, by preset")
    _outside_legend(ax, title="preset")
    return finish(fig)


# --------------------------------------------------------------------------
# 4. Accuracy
# --------------------------------------------------------------------------

def accuracy_figure(runs: list[dict]) -> Figure | None:
    """Test accuracy per backend (same backend train+test) and its time cost."""
    rows = []
    for i, run in enumerate(runs):
        for r in same_backend_accuracy(run):
            acc = num(r.get("test_accuracy"))
            if acc is None:
                continue
            key = backend_key(r.get("train_backend"), r.get("device"))
            label = key.replace(" ", "\n", 1) + (f"\n{run['_label']}" if len(runs) > 1 else "")
            rows.append((label, acc * 100, BACKEND_COLORS.get(key, OTHER_COLOR), _hatch(i),
                         num(r.get("extraction_seconds")), num(r.get("train_seconds"))))
    if not rows:
        return None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(max(10, 2.4 * len(rows) + 3), 4.6))
    labels, accs, colors, hatches = (list(col) for col in list(zip(*rows))[:4])
    _bars(ax1, labels, accs, colors, hatches, log=False, fmt=lambda v: f"{v:.1f} %")
    ax1.set_ylim(0, 109)
    ax1.set_ylabel("test accuracy (%)")
    ax1.set_title("Test accuracy (train and test on the same backend)")
    x = np.arange(len(rows))
    ext = [r[4] or 0 for r in rows]  # missing times draw no bar and read "n/a"
    trn = [r[5] or 0 for r in rows]
    b1 = ax2.bar(x, ext, color=colors, edgecolor="#333", linewidth=0.6)
    b2 = ax2.bar(x, trn, bottom=ext, color=colors, alpha=0.4, edgecolor="#333", linewidth=0.6)
    for bars in (b1, b2):
        for bar, h in zip(bars, hatches):
            bar.set_hatch(h)
    for xi, r in zip(x, rows):
        text = "\n".join(f"{name} {_sig(v, ' s') if v is not None else 'n/a'}"
                         for name, v in (("extract", r[4]), ("train", r[5])))
        ax2.annotate(text, (xi, (r[4] or 0) + (r[5] or 0)), xytext=(0, 2),
                     textcoords="offset points", ha="center", fontsize=8)
    ax2.set_ylim(0, max(e + t for e, t in zip(ext, trn)) * 1.3 or 1)
    ax2.set_xticks(x, labels)
    ax2.set_ylabel("time (s)")
    ax2.set_title("Time: feature extraction (solid) + training (light)")
    _outside_legend(ax2, handles=[Patch(facecolor="#666", label="feature extraction"),
                                  Patch(facecolor="#666", alpha=0.4, label="training")])
    return finish(fig)


def skew_figure(runs: list[dict]) -> Figure | None:
    """Heatmaps of accuracy with train_backend (rows) vs test_backend (columns)."""
    panels = []
    for run in runs:
        recs = [r for r in records(run, "accuracy") if num(r.get("test_accuracy")) is not None
                and r.get("train_backend") is not None and r.get("test_backend") is not None]
        by_preset = defaultdict(list)
        for r in recs:
            by_preset[str(r.get("preset", "?"))].append(r)
        for preset in sorted(by_preset, key=lambda p: (p != "matched", p)):
            sub = by_preset[preset]
            if any(r["train_backend"] != r["test_backend"] for r in sub):
                panels.append((run, preset, sub))
    if not panels:
        return None
    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols + 1, 3.9 * nrows), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, (run, preset, sub) in zip(axes.flat, panels):
        names = sorted({str(r["train_backend"]) for r in sub} | {str(r["test_backend"]) for r in sub})
        grid = np.full((len(names), len(names)), np.nan)
        for r in sub:
            i, j = names.index(str(r["train_backend"])), names.index(str(r["test_backend"]))
            if np.isnan(grid[i, j]):
                grid[i, j] = num(r["test_accuracy"]) * 100
        im = ax.imshow(grid, cmap="viridis", vmin=0, vmax=100)
        for (i, j), v in np.ndenumerate(grid):
            ax.text(j, i, "n/a" if np.isnan(v) else f"{v:.1f} %", ha="center", va="center",
                    color="white" if (np.isnan(v) or v < 60) else "black", fontsize=10)
        ax.set_xticks(range(len(names)), names)
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel("test backend (serving)")
        ax.set_ylabel("train backend")
        ax.grid(False)
        ax.set_title(f"preset {preset}" + (f" — {run['_label']}" if len(runs) > 1 else ""))
        fig.colorbar(im, ax=ax, label="test accuracy (%)", shrink=0.85)
    fig.suptitle("Train/serve skew: accuracy when features at serving come from another backend")
    return finish(fig)


def confusion_figure(runs: list[dict]) -> Figure | None:
    """Confusion matrices (row-normalised colour, counts annotated)."""
    panels = []
    for run in runs:
        for r in same_backend_accuracy(run):
            try:
                m = np.asarray(r.get("confusion"), dtype=float)
            except (TypeError, ValueError):
                continue
            if m.ndim == 2 and m.shape[0] == m.shape[1] and m.size:
                panels.append((run, r, m))
    if not panels:
        return None
    panels = panels[:6]
    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.8 * ncols + 0.8, 4.5 * nrows), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, (run, r, m) in zip(axes.flat, panels):
        sums = m.sum(axis=1, keepdims=True)
        frac = np.divide(m, sums, out=np.zeros_like(m), where=sums > 0)
        im = ax.imshow(frac, cmap="Blues", vmin=0, vmax=1)
        labels = r.get("labels") if isinstance(r.get("labels"), list) and len(r["labels"]) == len(m) \
            else [str(i) for i in range(len(m))]
        for (i, j), v in np.ndenumerate(m):
            if v:
                ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=7,
                        color="white" if frac[i, j] > 0.5 else "black")
        ax.set_xticks(range(len(m)), labels, fontsize=8)
        ax.set_yticks(range(len(m)), labels, fontsize=8)
        ax.set_xlabel("predicted label")
        ax.set_ylabel("true label")
        ax.grid(False)
        key = backend_key(r.get("train_backend"), r.get("device"))
        acc = num(r.get("test_accuracy"))
        ax.set_title(f"{key}" + (f", {acc * 100:.1f} %" if acc is not None else "")
                     + (f"\n{run['_label']}" if len(runs) > 1 else ""), color=BACKEND_COLORS.get(key, "black"))
        fig.colorbar(im, ax=ax, label="fraction of true class", shrink=0.8)
    fig.suptitle("Confusion matrices (same backend for training and test)")
    return finish(fig)


def epoch_time_figure(runs: list[dict]) -> Figure | None:
    """Horizontal bars: seconds per training epoch per feature path."""
    labels, values, colors, hatches = [], [], [], []
    for i, run in enumerate(runs):
        for r in records(run, "epoch_time"):
            v = num(r.get("epoch_seconds"))
            if v is None:
                continue
            path = str(r.get("path", "?"))
            acc = num(r.get("test_accuracy"))
            labels.append(path + (f" ({acc * 100:.1f} %)" if acc is not None else "")
                          + (f" — {run['_label']}" if len(runs) > 1 else ""))
            values.append(v)
            colors.append(color(path, r.get("device")))
            hatches.append(_hatch(i))
    if not values:
        return None
    fig, ax = plt.subplots(figsize=(9, 1.3 + 0.45 * len(values)))
    _bars(ax, labels, values, colors, hatches, horizontal=True, log=_spans_decades(values),
          fmt=lambda v: _sig(v, " s"))
    ax.set_xlabel("time per training epoch (s)")
    ax.set_title("Epoch time per feature path (test accuracy in brackets)")
    return finish(fig)


# --------------------------------------------------------------------------
# pytest-benchmark
# --------------------------------------------------------------------------

def _bench_color(bench: dict) -> str:
    info = {**(bench.get("params") or {}), **(bench.get("extra_info") or {})}
    backend = info.get("backend") or bench.get("name", "")
    device = info.get("device") or ("cuda" if "cuda" in str(bench.get("name", "")).lower() else "cpu")
    return color(backend, device)


def pytest_benchmark_figure(benchmarks: list[dict], several_sources: bool = False) -> Figure | None:
    """Horizontal bars of median time per benchmark, grouped by group."""
    rows = []
    for b in benchmarks:
        med = num((b.get("stats") or {}).get("median"))
        if med is not None:
            name = str(b.get("name", "?")) + (f" [{b['_source']}]" if several_sources else "")
            rows.append((str(b.get("group") or "(no group)"), name, med, _bench_color(b)))
    if not rows:
        return None
    rows.sort(key=lambda r: (r[0], r[2]))
    groups = list(dict.fromkeys(r[0] for r in rows))
    fig, ax = plt.subplots(figsize=(10, 1.4 + 0.38 * (len(rows) + len(groups))))
    y, pos, labels = 0, [], []
    for g in groups:
        ax.text(0, y, f"group: {g}", transform=ax.get_yaxis_transform(), fontweight="bold",
                va="center", ha="left", fontsize=9)
        y += 1
        for r in rows:
            if r[0] == g:
                pos.append(y)
                labels.append(r[1])
                y += 1
    bars = ax.barh(pos, [r[2] for g in groups for r in rows if r[0] == g],
                   color=[r[3] for g in groups for r in rows if r[0] == g], edgecolor="#333", linewidth=0.6)
    for bar in bars:
        ax.annotate(_sig(bar.get_width() * 1e3, " ms"), (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(pos, labels, fontsize=8)
    ax.set_ylim(y - 0.5, -0.8)
    ax.set_xscale("log")
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo, hi * 6)
    ax.set_xlabel("median time per call (s, log scale)")
    ax.set_title("pytest-benchmark: median time per benchmark, grouped by group")
    present = [k for k, c in BACKEND_COLORS.items() if c in {r[3] for r in rows}]
    if present:
        _outside_legend(ax, handles=[Patch(color=BACKEND_COLORS[k], label=k) for k in present])
    return finish(fig)
