"""Loading results files and the tables the report draws from (pandas).

A *run* is a :class:`Run`: one results.json read by :meth:`reports.run_results.RunResults.load` (current
schema, unreadable records removed) as a dict of its top-level fields and, per table, its records
(reports.records), with what :func:`load_runs` knows about the file as attributes (no key is added to the
results). Readers take records with :func:`records`; :func:`frame` is the one place a table becomes a
DataFrame.

No backend is named here: backends come from ``results["backends"]`` and the records.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from reports import records as rec
from reports import schema
from reports.run_results import RunResults
from reports.series import Series, is_gpu

_ABS_PATH = re.compile(r"""(?<![\w.~/-])(?:[A-Za-z]:[\\/]|/)[^\s'",;:=)\]]+""")


def redact_paths(text: str) -> str:
    """``text`` with each absolute filesystem path replaced by ``…/<basename>``."""
    def _short(match: re.Match) -> str:
        name = re.split(r"[\\/]", match.group(0).rstrip("/\\"))[-1]
        return f"…/{name}" if name else "…"
    return _ABS_PATH.sub(_short, text)


def wall_seconds(run: dict) -> float | None:
    """The run's wall time: a GPU session's whole session (its `session` record), else the run's `wall_s` (a
    session merged before this rule kept its first step's time there)."""
    session = run.get("session")
    if isinstance(session, dict) and num(session.get("wall_s")) is not None:
        return num(session["wall_s"])
    return num(run.get("wall_s"))


def num(value: Any) -> float | None:
    """``value`` as a finite float, or ``None`` (missing, null, NaN, text, bool)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


class Run(dict):
    """One loaded results file: the results dict itself, and as attributes:

    Attributes:
        label (str): the display label, unique among the runs loaded together (see :func:`run_label`).
        source (str): the file's name relative to its run folder ("<folder>/results.json"), never an
            absolute path.
        dir (Path | None): the folder, to find pytest-benchmark JSON beside it.
        problems (list[str]): what the reader removed, one line each.
    """

    def __init__(self, results: dict, *, source: str = "", dir: Path | None = None,
                 problems: Iterable[str] = (), label: str = ""):
        super().__init__(results)
        self.source, self.dir, self.problems = source, dir, list(problems)
        self.label = label or run_label(self)

    @classmethod
    def of(cls, results: RunResults, **kwargs: Any) -> "Run":
        """A :class:`~reports.run_results.RunResults` as a run: its set top-level fields, and its tables'
        records. Keyword arguments as for the constructor."""
        top = {k: v for k, v in results.as_dict().items() if k not in rec.RECORDS}
        return cls({**top, **{t: list(rows) for t, rows in results.tables.items()}}, **kwargs)


def records(run: dict, table: str) -> list[Any]:
    """The records of ``table`` in ``run`` (reports.records instances; ``[]`` when absent). Rows given as
    dicts (a run built by hand) become records, their undeclared fields left out."""
    value = run.get(table)
    if not isinstance(value, list):
        return []
    cls = rec.RECORDS[table]
    known = set(rec.fields(table))
    out: list[Any] = []
    for r in value:
        if isinstance(r, cls):
            out.append(r)
        elif isinstance(r, dict):
            out.append(cls(**{k: v for k, v in r.items() if k in known}))
    return out


def frame(run: dict, table: str) -> pd.DataFrame:
    """``table``'s records as a DataFrame, one column per declared field: the one place records become a table."""
    return pd.DataFrame([dataclasses.asdict(r) for r in records(run, table)],
                        columns=list(schema.RECORD_LISTS.get(table, ())))


def run_label(run: dict) -> str:
    """Display label: ``label``, else GPU name, else CPU model, else the file name."""
    env = run.get("environment") if isinstance(run.get("environment"), dict) else {}
    for candidate in (run.get("label"), env.get("gpu_name"), env.get("cpu_model")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return getattr(run, "source", "") or "run"


def results_path(path: str | Path) -> Path:
    """``path``, or ``path/results.json`` when ``path`` is a folder."""
    path = Path(path)
    return path / "results.json" if path.is_dir() else path


def load_runs(paths: Iterable[str | Path]) -> tuple[list[dict], list[str]]:
    """Read results files (folders holding results.json work too).

    Returns:
        (runs, problems): list[Run] (labels made unique: "x", "x (2)", ...); problems as one-line strings
        naming the file and the record the report could not read.
    Raises:
        ValueError / OSError: a file that is missing, not JSON or of an unreadable schema version.
    """
    runs, problems, seen = [], [], Counter()
    for path in paths:
        path = results_path(path)
        if not path.is_file():
            raise OSError(f"{path.name}: no such results file")
        results, found = RunResults.load(path)
        run = Run.of(results, source=f"{path.parent.name}/{path.name}", dir=path.parent, problems=found)
        seen[run.label] += 1
        if seen[run.label] > 1:
            run.label = f"{run.label} ({seen[run.label]})"
        runs.append(run)
        problems += found
    return runs, problems


def backend_order(runs: list[dict]) -> list[str]:
    """Every backend of every run, in the order of ``results["backends"]`` (then as first seen)."""
    names: list[str] = []
    for run in runs:
        names += [b for b in run.get("backends") or [] if isinstance(b, str)]
    for run in runs:
        for table, field in (("throughput", "backend"), ("accuracy", "train_backend"), ("agreement", "backend"),
                             ("cold_start", "backend"), ("memory", "backend")):
            names += [getattr(r, field) for r in records(run, table) if isinstance(getattr(r, field), str)]
    return list(dict.fromkeys(names))


def reference(run: dict) -> str:
    """The run's reference backend (``results["reference"]``, default :data:`schema.DEFAULT_REFERENCE`)."""
    ref = run.get("reference")
    return ref if isinstance(ref, str) and ref else schema.DEFAULT_REFERENCE


def definition(run: dict, backend: str) -> str | None:
    """The MFCC definition a backend follows (``backend_info[b]["definition"]``), if recorded."""
    info = (run.get("backend_info") or {}).get(backend)
    return info.get("definition") if isinstance(info, dict) else None


def series_of(backend: str, device: str, transfer: Any = None) -> Series:
    """The :class:`~reports.series.Series` of a backend on a device (``transfer`` kept on accelerators only)."""
    return Series(backend, device, bool(transfer) if is_gpu(device) and transfer is not None else None)


def throughput_points(run: dict) -> pd.DataFrame:
    """One throughput row per (backend, device, transfer, batch_size, duration_s).

    Thread-sweep rows (``thread_sweep`` true) are left out wherever the main grid measured the point;
    where only sweep rows exist the one with the most threads stands. Columns added: ``transfer``
    (bool, False on the CPU), ``series`` (a :class:`~reports.series.Series`), ``lo_s``/``hi_s`` (the spread
    the verdict uses: min and max of ``pass_medians_s`` when there are two or more passes, else
    ``q1_s``/``q3_s``, else ``median_s``), ``spread_basis`` ("passes" | "IQR" | "none").
    """
    df = frame(run, "throughput")
    if df.empty:
        return df.assign(transfer=[], series=[], lo_s=[], hi_s=[], spread_basis=[])
    df["transfer"] = df["includes_transfer"].map(bool) & df["device"].map(is_gpu)
    df["sweep"] = df["thread_sweep"].map(bool)
    df["_threads"] = pd.to_numeric(df["threads"], errors="coerce").fillna(0)
    df = df.sort_values(["sweep", "_threads"], ascending=[True, False])
    df = df.drop_duplicates(["backend", "device", "transfer", "batch_size", "duration_s"], keep="first")
    spreads = [spread(r) for r in df.to_dict("records")]
    df["lo_s"] = [s[0] for s in spreads]
    df["hi_s"] = [s[1] for s in spreads]
    df["spread_basis"] = [s[2] for s in spreads]
    df["series"] = [series_of(b, d, t) for b, d, t in zip(df["backend"], df["device"], df["transfer"])]
    return df.drop(columns=["sweep", "_threads"]).sort_values(["batch_size", "duration_s"]).reset_index(drop=True)


def spread(rec: dict) -> tuple[float, float, str]:
    """(low, high, basis) of a throughput record's time: min and max of its per-pass medians ("passes"),
    else its quartiles ("IQR"), else its median twice ("none")."""
    passes = [num(v) for v in rec.get("pass_medians_s") or [] if num(v) is not None]
    if len(passes) >= 2:
        return min(passes), max(passes), "passes"
    q1, q3 = num(rec.get("q1_s")), num(rec.get("q3_s"))
    if q1 is not None and q3 is not None:
        return q1, q3, "IQR"
    return rec["median_s"], rec["median_s"], "none"


def nearest(values: Iterable[float], want: float) -> float | None:
    """The value closest to ``want`` in log space (ties go to the larger one)."""
    values = sorted({v for v in values if v and v > 0}, reverse=True)
    return min(values, key=lambda v: abs(math.log(v / want))) if values else None


def grid(df: pd.DataFrame) -> tuple[list[float], list[float]]:
    """The measured batch sizes and clip durations of a throughput frame, ascending."""
    if df.empty:
        return [], []
    return sorted(set(df["batch_size"])), sorted(set(df["duration_s"]))


def clip_counts(info: dict, *, val: bool = True) -> str:
    """"2,430 train / 270 val / 300 test clips", or "3,000 clips" where a measurement split them its own way
    (dataset_info without train/test counts: leave-one-speaker-out)."""
    if info.get("n_train") is None and info.get("n_clips") is not None:
        return f"{info['n_clips']:,} clips"
    def n(key: str) -> str:
        return f"{info[key]:,}" if isinstance(info.get(key), int) else "—"
    return f"{n('n_train')} train / " + (f"{n('n_val')} val / " if val else "") + f"{n('n_test')} test clips"


def dataset_key(run: dict) -> tuple:
    """What two runs must share to be overlaid: dataset name, split, class list and MFCC config."""
    info = run.get("dataset_info") if isinstance(run.get("dataset_info"), dict) else {}
    config = run.get("config") if isinstance(run.get("config"), dict) else {}
    return (info.get("name") or run.get("dataset"), info.get("split"), tuple(info.get("classes") or ()),
            tuple(sorted((k, str(v)) for k, v in config.items())))


def overlay_warnings(runs: list[Run]) -> list[str]:
    """One line per pair of overlaid runs whose datasets or configs differ."""
    out = []
    first = runs[0] if runs else None
    for run in runs[1:]:
        a, b = dataset_key(first), dataset_key(run)
        if a[:3] != b[:3]:
            out.append(f"runs {first.label!r} and {run.label!r} used different datasets "
                       f"({a[0]}/{a[1]} against {b[0]}/{b[1]}): their accuracies are not comparable")
        if a[3] != b[3]:
            diff = sorted(k for k, v in set(a[3]) ^ set(b[3]))
            out.append(f"runs {first.label!r} and {run.label!r} used different MFCC configs "
                       f"(differing: {', '.join(dict.fromkeys(diff))}): their speeds are not like for like")
    return out
