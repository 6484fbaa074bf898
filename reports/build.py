"""Build a self-contained HTML report from ``results.json`` files.

Command line::

    python -m reports.build RESULTS [RESULTS ...] [--bench-json F [F ...]] --out DIR

``RESULTS`` are ``results.json`` files (or folders holding one); several
runs are overlaid in every plot and get one column each in the headline
table. ``--bench-json`` takes files written by ``pytest --benchmark-json``.

Writes ``DIR/index.html`` and every plot as ``DIR/<name>.png`` and
``DIR/<name>.svg``. The HTML embeds the PNGs as base64 data URIs and uses
inline CSS only, so it opens from disk with no server and no network, and
it holds no absolute filesystem paths.

From Python: :func:`build_report`.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import re
import sys
import traceback
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import matplotlib.pyplot as plt

from reports import plots
from reports.data import (
    USUAL_BATCH, USUAL_DURATION_S, agreement_matched, backend_key, load_benchmarks, load_runs, num,
    records, redact_paths, same_backend_accuracy, skew_accuracy, speedup,
)

PLACEHOLDER = "not measured in this run"
NA = "—"


# --------------------------------------------------------------------------
# Number formatting
# --------------------------------------------------------------------------

def fmt(value, kind: str = "num") -> str:
    """Format a table cell.

    ``kind``: ``num`` (3 significant figures, thousands separators from
    1,000), ``rtf`` (realtime factor: whole numbers with separators from
    100), ``int``, ``pct`` (fraction shown as percent), ``mib`` (bytes shown
    in MiB), ``x`` (ratio, "12.3×"). Text is shown with absolute paths
    redacted; ``None`` becomes an em dash.
    """
    if value is None:
        return NA
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return " × ".join(fmt(v, "int") for v in value) if value else NA
    if isinstance(value, dict):
        return ", ".join(f"{k}={fmt(v)}" for k, v in value.items()) or NA
    x = num(value) if isinstance(value, (int, float)) else None
    if x is None:
        return redact_paths(str(value))
    if kind == "pct":
        return f"{x * 100:.1f} %"
    if kind == "mib":
        return _sig3(x / 2**20) + " MiB"
    if kind == "x":
        return _sig3(x) + "×"
    if kind == "int" or (kind == "num" and isinstance(value, int)):
        return f"{x:,.0f}"
    if kind == "rtf" and abs(x) >= 100:
        return f"{x:,.0f}"
    return _sig3(x)


def _sig3(x: float) -> str:
    """3 significant figures; thousands separators from 1,000 up."""
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


# --------------------------------------------------------------------------
# Page model
# --------------------------------------------------------------------------

@dataclass
class Table:
    """An HTML table: ``headers`` and rows of already formatted strings."""

    headers: list[str]
    rows: list[list[str]]
    title: str = ""


@dataclass
class Block:
    """One plot (or placeholder) with the tables behind it."""

    slug: str
    title: str
    caption: str
    figure: Callable | None = None          # runs -> Figure | None; None = no plot for this block
    tables: list[Table] = field(default_factory=list)
    missing: str = ""                      # what was absent, for the placeholder
    empty: str = ""                        # text instead of the placeholder for an empty table


def _with_run(runs: list[dict], run: dict, row: list[str]) -> list[str]:
    return ([run["_label"]] + row) if len(runs) > 1 else row


def _run_header(runs: list[dict], headers: list[str]) -> list[str]:
    return (["run"] + headers) if len(runs) > 1 else headers


def _record_table(runs: list[dict], key: str, columns: list[tuple[str, str, str]],
                  sort=None, title: str = "") -> Table:
    """Table of the flat records under ``key``; columns are (field, header, fmt kind)."""
    rows = []
    for run in runs:
        recs = records(run, key)
        if sort:
            recs = sorted(recs, key=sort)
        for r in recs:
            rows.append(_with_run(runs, run, [fmt(r.get(f), k) for f, _, k in columns]))
    return Table(_run_header(runs, [h for _, h, _ in columns]), rows, title)


# --------------------------------------------------------------------------
# 1. Headline
# --------------------------------------------------------------------------

def _speedup_cell(s: dict | None, device: str) -> str:
    if s is None:
        return PLACEHOLDER
    where = f"batch {s['batch']:g}, {s['duration']:g} s"
    text = fmt(s["value"], "x") + (f" ({where})" if s["exact"] else f" (closest measured point: {where})")
    if device == "cuda" and s.get("includes_transfer") is not None:
        text += " incl. host→device copy" if s["includes_transfer"] else " kernels only"
    return text


def _agreement_cell(rec: dict | None, metric: str) -> str:
    if rec is None or num(rec.get(metric)) is None:
        return PLACEHOLDER
    device = rec.get("device")
    return fmt(rec.get(metric)) + (f" (torchaudio on {device})" if device not in (None, "cpu") else "")


def _skew_cells(run: dict, preset: str | None = None) -> dict[tuple[str, str], str]:
    """(train, test) backend → "accuracy (±pp vs train backend on itself)" at `preset` (default matched)."""
    base = {str(r.get("train_backend")): num(r.get("test_accuracy")) for r in same_backend_accuracy(run, preset)}
    cells = {}
    for r in skew_accuracy(run, preset):
        train, test, acc = str(r["train_backend"]), str(r["test_backend"]), num(r["test_accuracy"])
        delta = f" ({(acc - base[train]) * 100:+.1f} pp vs {train}→{train})" if base.get(train) is not None else ""
        cells.setdefault((train, test), fmt(acc, "pct") + delta)
    return cells


def headline_table(runs: list[dict]) -> Table:
    """Decision figures, one column per run."""
    def row(name: str, cells: list[str]) -> None:
        rows.append([name] + cells)

    rows: list[list[str]] = []
    sp = {d: [speedup(r, d) for r in runs] for d in ("cpu", "cuda")}
    row(f"speedup torchaudio CPU over librosa (batch {USUAL_BATCH}, {USUAL_DURATION_S:g} s clips)",
        [_speedup_cell(s, "cpu") for s in sp["cpu"]])
    row("speedup torchaudio CUDA over librosa", [_speedup_cell(s, "cuda") for s in sp["cuda"]])
    row("realtime factor librosa (same point)",
        [fmt((c or g)["librosa_rtf"], "rtf") if (c or g) else PLACEHOLDER for c, g in zip(sp["cpu"], sp["cuda"])])
    for d in ("cpu", "cuda"):
        row(f"realtime factor torchaudio {d.upper()} (same point)",
            [fmt(s["torchaudio_rtf"], "rtf") if s else PLACEHOLDER for s in sp[d]])

    agree = [agreement_matched(r) for r in runs]
    row("agreement, preset matched: max abs error", [_agreement_cell(a, "max_abs_error") for a in agree])
    row("agreement, preset matched: relative error", [_agreement_cell(a, "rel_error") for a in agree])

    same = [{backend_key(r.get("train_backend"), r.get("device")): r for r in same_backend_accuracy(run)}
            for run in runs]
    keys = sorted({k for s in same for k in s}, key=lambda k: (k not in plots.BACKEND_COLORS, k))
    for k in keys:
        row(f"test accuracy, {k} (train = test backend, preset matched)",
            [fmt(s[k].get("test_accuracy"), "pct") if k in s else PLACEHOLDER for s in same])
    if not keys:
        row("test accuracy (train = test backend, preset matched)", [PLACEHOLDER] * len(runs))

    skew = [_skew_cells(run) for run in runs]
    pairs = sorted({p for s in skew for p in s})
    for train, test in pairs:
        row(f"train/serve skew: train {train} → serve {test} (accuracy)",
            [s.get((train, test), PLACEHOLDER) for s in skew])
    if not pairs:
        row("train/serve skew (train ≠ test backend)", [PLACEHOLDER] * len(runs))
    others = sorted({str(r.get("preset")) for run in runs for r in records(run, "accuracy")} - {"matched", "None"})
    for preset in others:
        skew = [_skew_cells(run, preset) for run in runs]
        for train, test in sorted({p for s in skew for p in s}):
            row(f"train/serve skew, preset {preset}: train {train} → serve {test} (accuracy)",
                [s.get((train, test), PLACEHOLDER) for s in skew])
    overhead = [{str(r.get("backend")): r for r in records(run, "overhead")} for run in runs]
    for backend in sorted({b for o in overhead for b in o}):
        row(f"interface overhead vs calling {backend} directly (batch 64, 1 s)",
            [f"{num(o[backend].get('overhead')) * 100:+.1f} %" if backend in o and num(o[backend].get("overhead"))
             is not None else PLACEHOLDER for o in overhead])
    row("quick run", [fmt(bool(r.get("quick"))) for r in runs])
    return Table(["decision figure"] + [r["_label"] for r in runs], rows)


ENV_FIELDS = ["cpu_model", "cpu_threads", "gpu_name", "cuda_driver", "cuda_version", "python", "platform",
              "torch", "torchaudio", "librosa", "numpy", "soundfile", "soxr", "git_commit", "date", "command"]


def environment_tables(runs: list[dict]) -> list[Table]:
    """Where each run came from, and its MFCC configuration."""
    envs = [r.get("environment") if isinstance(r.get("environment"), dict) else {} for r in runs]
    rows = [["results file"] + [r["_source"] for r in runs],
            ["dataset"] + [fmt(r.get("dataset")) for r in runs],
            ["schema version"] + [fmt(r.get("schema_version")) for r in runs]]
    extra = sorted({k for e in envs for k in e} - set(ENV_FIELDS))
    for key in ENV_FIELDS + extra:
        no_gpu = key == "gpu_name"  # null gpu_name in a recorded environment means "no GPU"
        rows.append([key] + ["none" if no_gpu and e and e.get(key) is None else fmt(e.get(key)) for e in envs])
    tables = [Table(["environment"] + [r["_label"] for r in runs], rows)]
    configs = [r.get("config") if isinstance(r.get("config"), dict) else {} for r in runs]
    keys = list(dict.fromkeys(k for c in configs for k in c))
    if keys:
        tables.append(Table(["MFCC parameter"] + [r["_label"] for r in runs],
                            [[k] + [fmt(c.get(k)) for c in configs] for k in keys], "MFCC configuration"))
    return tables


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------

def _cols(spec: str) -> list[tuple[str, str, str]]:
    """Column spec "field:header:kind; ..." → [(field, header, fmt kind)]."""
    return [tuple((part.strip().split(":") + [""])[:3]) for part in spec.split(";")]


#: Table columns per record list: field:header:format kind (see :func:`fmt`).
COLUMNS = {
    "throughput": _cols("backend:backend; device:device; includes_transfer:H2D copy; batch_size:batch (clips):int; "
                        "duration_s:clip (s):num; threads:threads:int; median_s:median (s):num; iqr_s:IQR (s):num; "
                        "clips_per_s:clips/s:rtf; realtime_factor:realtime factor:rtf; "
                        "realtime_factor_q1:RTF q1:rtf; realtime_factor_q3:RTF q3:rtf; "
                        "ceiling_fraction:ceiling fraction:num; repeats:repeats:int"),
    "scaling": _cols("backend:backend; device:device; batch_size:batch (clips):int; exponent:exponent:num"),
    "ceiling": _cols("device:device; batch_size:batch (clips):int; duration_s:clip (s):num; fft_s:FFT (s):num; "
                     "mel_s:mel (s):num; total_s:total (s):num; realtime_factor:ceiling realtime factor:rtf"),
    "cold_start": _cols("backend:backend; device:device; import_s:import (s):num; "
                        "first_call_s:first call (s):num; steady_call_s:steady call (s):num"),
    "memory": _cols("backend:backend; device:device; kind:kind; batch_size:batch (clips):int; "
                    "duration_s:clip (s):num; peak_bytes:peak:mib; above_baseline_bytes:above baseline:mib"),
    "io": _cols("stage:stage; method:method; files:files:int; audio_s:audio (s):num; seconds:wall (s):num; "
                "realtime_factor:realtime factor:rtf"),
    "agreement": _cols("preset:preset; librosa_preset:librosa preset; torchaudio_preset:torchaudio preset; "
                       "device:device; dtype:dtype; max_abs_error:max abs error:num; "
                       "mean_abs_error:mean abs error:num; rel_error:relative error:num; "
                       "correlation:correlation:num; shape_librosa:shape librosa; "
                       "shape_torchaudio:shape torchaudio; shapes_match:shapes match; n_clips:clips:int"),
    "ablation": _cols("rank:rank:int; parameter:parameter; value:value; max_abs_error:max abs error:num; "
                      "rel_error:relative error:num"),
    "batch_invariance": _cols("backend:backend; device:device; scope:scope; max_abs_error:max abs error:num; "
                              "rel_error:relative error:num"),
    "agreement_per_coeff": _cols("preset:preset; coeff:coefficient:int; max_abs_error:max abs error:num; "
                                 "mean_abs_error:mean abs error:num"),
    "accuracy": _cols("train_backend:train backend; test_backend:test backend; preset:preset; device:device; "
                      "test_accuracy:test accuracy:pct; train_seconds:train (s):num; "
                      "extraction_seconds:extraction (s):num; epochs:epochs:int; n_train:n train:int; "
                      "n_test:n test:int"),
    "epoch_time": _cols("path:path; device:device; epoch_seconds:epoch (s):num; test_accuracy:test accuracy:pct"),
    "skipped": _cols("file:file; reason:reason"),
}


def _sort_key(*fields: str):
    """Sort records by ``fields`` (numbers numerically, anything else as text)."""
    return lambda r: tuple((0, num(r.get(f)), "") if num(r.get(f)) is not None else (1, 0, str(r.get(f)))
                           for f in fields)


def _table(runs: list[dict], key: str, sort=None, title: str = "") -> Table:
    return _record_table(runs, key, COLUMNS[key], sort, title)


def sections(runs: list[dict]) -> list[tuple[str, str, list[Block]]]:
    """The report's sections as (anchor, heading, blocks)."""
    return [
        ("headline", "1. Headline", [
            Block("speedup", "Decision figures",
                  f"Speedup is the ratio of realtime factors at batch {USUAL_BATCH} and {USUAL_DURATION_S:g} s clips "
                  "(or the closest point both backends were measured at, named in the cell). Accuracy and skew use "
                  "preset matched. One column per run.",
                  plots.speedup_figure, [headline_table(runs)], "throughput records for librosa and torchaudio"),
            Block("environment", "Environment", "Where each run came from.", None, environment_tables(runs)),
        ]),
        ("throughput", "2. Throughput", [
            Block("throughput_batch", "Realtime factor vs batch size",
                  "Log-log; band = interquartile range of the repeats. CUDA is drawn with the host→device copy "
                  "(solid) and kernels only (x markers, faded). Where several thread counts were measured the "
                  "largest is plotted; the table lists every record.",
                  plots.throughput_batch_figure,
                  [_table(runs, "throughput", _sort_key("backend", "device", "includes_transfer", "duration_s",
                                                         "batch_size", "threads"))],
                  "throughput records"),
            Block("throughput_duration", "Realtime factor vs clip duration",
                  "Fitted cost exponent (cost ∝ duration^exponent) from the scaling records in the legend.",
                  plots.throughput_duration_figure, [_table(runs, "scaling")],
                  "throughput records at two or more clip durations"),
            Block("ceiling", "Fraction of the device ceiling",
                  "Ceiling = the same batch through a bare FFT + mel matrix product on the device; 1 means nothing "
                  "but those two steps costs time.",
                  plots.ceiling_figure, [_table(runs, "ceiling", title="Ceiling")], "ceiling_fraction values"),
            Block("cold_start", "Cold start", "Import, first call and a steady-state call, in seconds (log scale).",
                  plots.cold_start_figure, [_table(runs, "cold_start")], "cold_start records"),
            Block("memory", "Peak memory", "Host RSS for CPU runs, CUDA allocator peak for GPU runs.",
                  plots.memory_figure, [_table(runs, "memory")], "memory records"),
            Block("io", "Decode and resample", "Realtime factor of reading and resampling the dataset's files.",
                  plots.io_figure, [_table(runs, "io")], "io (decode / resample) records"),
        ]),
        ("agreement", "3. Agreement", [
            Block("agreement_presets", "Error per preset",
                  "How far torchaudio's MFCCs are from librosa's under each parameter preset; matched is the "
                  "configuration meant to agree. Bar colour = torchaudio's device.",
                  plots.agreement_presets_figure, [_table(runs, "agreement")], "agreement records"),
            Block("ablation", "Ablation",
                  "Starting from matched, one parameter changed at a time; ranked by relative error.",
                  plots.ablation_figure, [_table(runs, "ablation", _sort_key("rank"))], "ablation records"),
            Block("example_clip", "One real clip",
                  "MFCC coefficient × frame for both backends, and |difference| (log colour).",
                  plots.example_clip_figure, [example_clip_table(runs)], "example_clip"),
            Block("batch_invariance", "Batch invariance",
                  "Same clip extracted alone and inside a batch; scope = what normalisation statistics are "
                  "computed over. Exact zeros are drawn at the axis floor and labelled.",
                  plots.batch_invariance_figure, [_table(runs, "batch_invariance")], "batch_invariance records"),
            Block("agreement_per_coeff", "Error per MFCC coefficient",
                  "Max abs error per coefficient, one line per preset.",
                  plots.per_coeff_figure, [_table(runs, "agreement_per_coeff")], "agreement_per_coeff records"),
        ]),
        ("accuracy", "4. Accuracy", [
            Block("accuracy", "Accuracy per backend",
                  "Classifier trained and tested on features from the same backend (preset matched), with the "
                  "time spent extracting features and training.",
                  plots.accuracy_figure, [_accuracy_table(runs, same=True)],
                  "accuracy records with train = test backend"),
            Block("skew", "Train/serve skew",
                  "Rows: backend the classifier was trained on; columns: backend computing features at test time.",
                  plots.skew_figure, [_accuracy_table(runs, same=False)],
                  "accuracy records with train ≠ test backend"),
            Block("confusion", "Confusion matrices", "Same backend for training and test, preset matched.",
                  plots.confusion_figure, [per_class_table(runs)], "confusion matrix in the accuracy records"),
            Block("epoch_time", "Epoch time", "Seconds per training epoch for each way of feeding features.",
                  plots.epoch_time_figure, [_table(runs, "epoch_time")], "epoch_time records"),
        ]),
    ]


def _accuracy_table(runs: list[dict], same: bool) -> Table:
    """Accuracy records: train = test backend at preset matched (``same``), or all of them."""
    rows, cols = [], COLUMNS["accuracy"]
    order = _sort_key("preset", "train_backend", "test_backend")
    for run in runs:
        recs = same_backend_accuracy(run) if same else records(run, "accuracy")
        recs = sorted(recs, key=lambda r: (r.get("preset") != "matched", order(r)))
        rows += [_with_run(runs, run, [fmt(r.get(f), k) for f, _, k in cols]) for r in recs]
    return Table(_run_header(runs, [h for _, h, _ in cols]), rows)


def per_class_table(runs: list[dict]) -> Table:
    """Per-class accuracy, one column per (run, backend)."""
    cols, labels = [], []
    for run in runs:
        for r in same_backend_accuracy(run):
            pca = r.get("per_class_accuracy")
            if isinstance(pca, dict) and pca:
                name = backend_key(r.get("train_backend"), r.get("device"))
                cols.append((name + (f" — {run['_label']}" if len(runs) > 1 else ""), pca))
                labels += [k for k in pca if k not in labels]
    rows = [[str(lab)] + [fmt(p.get(lab), "pct") for _, p in cols] for lab in labels]
    return Table(["class"] + [c for c, _ in cols], rows, "Per-class accuracy")


def example_clip_table(runs: list[dict]) -> Table:
    """File, preset, shapes and difference summary of each run's example clip."""
    import numpy as np

    rows = []
    for run in runs:
        clip = run.get("example_clip")
        if not isinstance(clip, dict):
            continue
        try:
            a, b = np.asarray(clip.get("librosa"), float), np.asarray(clip.get("torchaudio"), float)
            n, t = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
            d = np.abs(a[:n, :t] - b[:n, :t])
            stats = [fmt(float(d.max())), fmt(float(d.mean()))]
            shapes = [fmt(list(a.shape)), fmt(list(b.shape))]
        except (TypeError, ValueError, IndexError):
            stats, shapes = [NA, NA], [NA, NA]
        rows.append(_with_run(runs, run, [fmt(clip.get("file")), fmt(clip.get("preset"))] + shapes + stats))
    headers = ["file", "preset", "shape librosa", "shape torchaudio", "max |diff|", "mean |diff|"]
    return Table(_run_header(runs, headers), rows)


def benchmark_block(benchmarks: list[dict]) -> Block:
    """The pytest-benchmark section's block (a file column when several files were given)."""
    several = len({b["_source"] for b in benchmarks}) > 1
    rows = []
    for b in sorted(benchmarks, key=lambda b: (str(b.get("group")), str(b.get("name")))):
        stats = b.get("stats") or {}
        info = b.get("extra_info") if isinstance(b.get("extra_info"), dict) else {}
        row = [fmt(b.get("group")), fmt(b.get("name")), fmt(stats.get("median")), fmt(stats.get("iqr")),
               fmt(stats.get("rounds"), "int"), fmt(info) if info else NA]
        rows.append(([b["_source"]] + row) if several else row)
    headers = ["group", "name", "median (s)", "IQR (s)", "rounds", "extra_info"]
    return Block("pytest_benchmark", "pytest-benchmark results",
                 "Median time per call from pytest-benchmark JSON files.",
                 lambda _runs: plots.pytest_benchmark_figure(benchmarks, several),
                 [Table((["file"] + headers) if several else headers, rows)], "--bench-json file given")


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1d1d1f;
  background:#f6f7f9;line-height:1.45}
main{max-width:1240px;margin:0 auto;padding:24px 28px 60px;background:#fff;box-shadow:0 0 12px rgba(0,0,0,.06)}
h1{margin:0 0 4px;font-size:1.7em}h2{margin-top:44px;padding-bottom:4px;border-bottom:2px solid #0072B2}
h3{margin:28px 0 4px}p.meta{color:#555;margin:0 0 10px;font-size:.92em}
p.caption{color:#444;margin:2px 0 10px;font-size:.93em;max-width:980px}
nav{background:#f0f3f7;padding:8px 12px;border-radius:6px;font-size:.93em}nav a{margin-right:14px}
figure{margin:6px 0 10px}figure img{max-width:100%;height:auto;border:1px solid #e3e6ea;border-radius:4px}
figcaption{font-size:.82em;color:#666}
table{border-collapse:collapse;font-size:.84em;margin:6px 0 14px}
th,td{border:1px solid #d8dce1;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr:nth-child(even) td{background:#fafbfc}td.na{color:#9a6700;font-style:italic}
table.compare{font-size:.92em}table.compare td.n{text-align:left}table.compare td:first-child{font-weight:600}
.placeholder{border:2px dashed #c9a227;background:#fffbea;color:#7a5d00;padding:18px;margin:8px 0;border-radius:6px;
  font-style:italic}
.error{border:2px solid #c0392b;background:#fdecea;color:#8e2a1f;padding:12px;border-radius:6px}
details{margin:4px 0 12px}summary{cursor:pointer;color:#0072B2;font-size:.9em}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px -1px 12px;border-radius:2px}
.tablewrap{overflow-x:auto}
"""


_NUMERIC = re.compile(r"^[-+]?[\d,]*\.?\d+(e[-+]?\d+)?( ?(%|×|MiB))?$")


def _cell_html(c: str) -> str:
    if c == PLACEHOLDER:
        return f'<td class="na">{html.escape(c)}</td>'
    return f'<td class="{"n" if _NUMERIC.match(c) else "t"}">{html.escape(c)}</td>'


def _table_html(t: Table, cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in t.headers)
    body = "".join("<tr>" + "".join(_cell_html(c) for c in row) + "</tr>" for row in t.rows)
    title = f"<h4>{html.escape(t.title)}</h4>" if t.title else ""
    return (f'{title}<div class="tablewrap"><table class="{cls}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _placeholder(what: str) -> str:
    detail = f" (no {html.escape(what)})" if what else ""
    return f'<div class="placeholder">{PLACEHOLDER}{detail}</div>'


def _save_figure(fig, out_dir: Path, slug: str) -> str:
    """Write ``slug``.png and .svg, close the figure, return the PNG as base64."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    png = buf.getvalue()
    (out_dir / f"{slug}.png").write_bytes(png)
    fig.savefig(out_dir / f"{slug}.svg", format="svg", metadata={"Date": None})
    plt.close(fig)
    return base64.b64encode(png).decode("ascii")


def _block_html(block: Block, runs: list[dict], out_dir: Path) -> str:
    parts = [f'<h3 id="{block.slug}">{html.escape(block.title)}</h3>',
             f'<p class="caption">{html.escape(block.caption)}</p>']
    if block.figure is not None:
        try:
            fig = block.figure(runs)
        except Exception as exc:  # a bad record must not cost the whole report
            where = traceback.extract_tb(exc.__traceback__)[-1]
            warnings.warn(f"plot {block.slug} failed: {type(exc).__name__}: {exc} "
                          f"({Path(where.filename).name}:{where.lineno})", stacklevel=2)
            plt.close("all")
            fig, error = None, f"{type(exc).__name__}: {exc}"
        else:
            error = None
        if fig is not None:
            data = _save_figure(fig, out_dir, block.slug)
            parts.append(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(block.title)}">'
                         f'<figcaption>also as <a href="{block.slug}.png">PNG</a> · '
                         f'<a href="{block.slug}.svg">SVG</a></figcaption></figure>')
        else:
            for ext in ("png", "svg"):  # no stale plot from an earlier build beside this page
                (out_dir / f"{block.slug}.{ext}").unlink(missing_ok=True)
            parts.append(f'<div class="error">plot failed: {html.escape(error)}</div>' if error
                         else _placeholder(block.missing))
    for t in block.tables:
        if not t.rows:
            if block.empty:
                parts.append(f'<p class="meta">{html.escape(block.empty)}</p>')
            elif block.figure is None or (t.title and len(block.tables) > 1):
                parts.append((f"<h4>{html.escape(t.title)}</h4>" if t.title else "") + _placeholder(block.missing))
            continue
        cls = "compare" if block.slug in ("speedup", "environment") else ""
        if len(t.rows) > 20 and block.figure is not None:
            parts.append(f"<details><summary>table: {len(t.rows)} rows</summary>{_table_html(t, cls)}</details>")
        else:
            parts.append(_table_html(t, cls))
    return "\n".join(parts)


def _legend_html() -> str:
    return ('<p class="meta legend">Colours in every plot:'
            + "".join(f'<span style="background:{c}"></span>{html.escape(k)}'
                      for k, c in plots.BACKEND_COLORS.items())
            + ". Line style / hatching tells runs apart.</p>")


def render(runs: list[dict], benchmarks: list[dict], out_dir: Path) -> str:
    """The whole page as a string (also writes the plot files)."""
    secs = sections(runs)
    secs.append(("pytest-benchmark", "pytest-benchmark", [benchmark_block(benchmarks)]))
    secs.append(("skipped", "Skipped inputs",
                 [Block("skipped", "Files skipped during the run", "Inputs the run could not use, and why.",
                        None, [_table(runs, "skipped")], empty="No files were skipped.")]))
    body = []
    for anchor, heading, blocks in secs:
        body.append(f'<section id="{anchor}"><h2>{html.escape(heading)}</h2>')
        body += [_block_html(b, runs, out_dir) for b in blocks]
        body.append("</section>")
    nav = "".join(f'<a href="#{a}">{html.escape(h)}</a>' for a, h, _ in secs)
    sources = ", ".join(f"{r['_label']} ({r['_source']})" for r in runs) or "no results files"
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MFCC benchmark: librosa vs torchaudio</title>
<style>{CSS}</style></head>
<body><main>
<h1>MFCC benchmark: librosa vs torchaudio</h1>
<p class="meta">Runs: {html.escape(sources)}. Built {stamp}.</p>
{_legend_html()}
<nav>{nav}</nav>
{chr(10).join(body)}
</main></body></html>
"""


def _results_path(p: str | Path) -> Path:
    p = Path(p)
    return p / "results.json" if p.is_dir() else p


def build_report(results_paths: Iterable[str | Path], out_dir: str | Path,
                 bench_json_paths: Iterable[str | Path] = ()) -> Path:
    """Build ``out_dir/index.html`` (and the plot files) and return its path.

    ``results_paths``: ``results.json`` files, or folders holding one.
    ``bench_json_paths``: optional ``pytest --benchmark-json`` files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = load_runs(_results_path(p) for p in results_paths)
    benchmarks = load_benchmarks(bench_json_paths)
    page = render(runs, benchmarks, out_dir)
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m reports.build",
                                     description="Build a self-contained HTML report from results.json files.")
    parser.add_argument("results", nargs="+", help="results.json files (or folders holding one)")
    parser.add_argument("--bench-json", nargs="+", action="extend", default=[], metavar="F",
                        help="pytest-benchmark JSON files (pytest --benchmark-json)")
    parser.add_argument("--out", required=True, help="output folder for index.html and the plots")
    args = parser.parse_args(argv)
    try:
        index = build_report(args.results, args.out, args.bench_json)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
