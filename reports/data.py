"""Loading results files and picking the records the report shows.

Everything here is tolerant of missing keys, ``None`` values and empty
lists: a helper that finds nothing returns ``None`` or ``[]`` and the
caller renders a "not measured in this run" placeholder.

A *run* is the dict from one ``results.json`` (schema_version 1) with two
private keys added by :func:`load_runs`: ``_label`` (unique display label)
and ``_source`` (the file's base name, never its absolute path).
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

SCHEMA_VERSION = 1
USUAL_BATCH = 64
USUAL_DURATION_S = 1.0

_ABS_PATH = re.compile(r"""(?<![\w.~/-])(?:[A-Za-z]:[\\/]|/)[^\s'",;:=)\]]+""")


def redact_paths(text: str) -> str:
    """Replace absolute filesystem paths in ``text`` with ``…/<basename>``.

    Results files record the command line and clip names, which may hold
    absolute paths of the machine they ran on; the report must not.
    """

    def _short(match: re.Match) -> str:
        path = match.group(0).rstrip("/\\")
        name = re.split(r"[\\/]", path)[-1]
        return f"…/{name}" if name else "…"

    return _ABS_PATH.sub(_short, text)


def num(value: Any) -> float | None:
    """``value`` as a finite float, or ``None`` (missing, null, NaN, text)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def records(run: dict, key: str) -> list[dict]:
    """The list of flat records under ``key``; ``[]`` when absent or malformed."""
    value = run.get(key)
    if not isinstance(value, list):
        return []
    return [r for r in value if isinstance(r, dict)]


def run_label(run: dict) -> str:
    """Display label of a run: ``label``, else GPU name, else CPU model."""
    if run.get("_label"):
        return run["_label"]
    env = run.get("environment") or {}
    for candidate in (run.get("label"), env.get("gpu_name"), env.get("cpu_model")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return run.get("_source") or "run"


def _read_json(path: Path):
    """The parsed JSON in `path`; ValueError naming the file when it is not valid JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name}: not valid JSON ({exc})") from exc


def load_runs(paths: Iterable[str | Path]) -> list[dict]:
    """Load results files, adding unique ``_label`` and ``_source`` keys."""
    runs: list[dict] = []
    seen: Counter = Counter()
    for path in paths:
        path = Path(path)
        run = _read_json(path)
        if not isinstance(run, dict):
            raise ValueError(f"{path.name}: expected a JSON object at top level")
        version = run.get("schema_version")
        if version != SCHEMA_VERSION:
            warnings.warn(
                f"{path.name}: schema_version {version!r}, this report reads "
                f"{SCHEMA_VERSION}; rendering what it can",
                stacklevel=2,
            )
        run["_source"] = path.name
        label = run_label(run)
        seen[label] += 1
        run["_label"] = label if seen[label] == 1 else f"{label} ({seen[label]})"
        runs.append(run)
    return runs


def load_benchmarks(paths: Iterable[str | Path]) -> list[dict]:
    """Benchmarks from pytest-benchmark JSON files, each with ``_source`` added."""
    out: list[dict] = []
    for path in paths:
        path = Path(path)
        data = _read_json(path)
        for bench in (data or {}).get("benchmarks") or []:
            if isinstance(bench, dict):
                out.append({**bench, "_source": path.name})
    return out


def backend_key(backend: Any, device: Any = None) -> str:
    """Canonical name used for colours and labels.

    ``"librosa"``, ``"torchaudio cpu"`` or ``"torchaudio cuda"``; anything
    else comes back lower-cased as it is.
    """
    name = str(backend or "").lower()
    dev = str(device or "").lower()
    if "librosa" in name:
        return "librosa"
    if "torchaudio" in name:
        return "torchaudio cuda" if ("cuda" in name or "cuda" in dev) else "torchaudio cpu"
    return name or "unknown"


def _closeness(batch: float, duration: float, want_batch: float, want_duration: float) -> float:
    """Distance in log space between a measured point and the wanted one."""
    return abs(math.log(batch / want_batch)) + abs(math.log(duration / want_duration))


def throughput_points(run: dict) -> dict[tuple, dict]:
    """One throughput record per (backend key, transfer, batch, duration).

    CUDA rows measured with and without the host-to-device copy stay
    separate (``transfer`` is True/False; None on CPU). Where several thread
    counts were measured at one point the row with the most threads wins.
    """
    best: dict[tuple, dict] = {}
    for rec in records(run, "throughput"):
        batch, dur, rtf = num(rec.get("batch_size")), num(rec.get("duration_s")), num(rec.get("realtime_factor"))
        if not batch or not dur or not rtf or batch <= 0 or dur <= 0 or rtf <= 0:
            continue
        key = backend_key(rec.get("backend"), rec.get("device"))
        transfer = bool(rec.get("includes_transfer")) if "cuda" in key else None
        point = (key, transfer, batch, dur)
        threads = num(rec.get("threads")) or 0
        if point not in best or threads > (num(best[point].get("threads")) or 0):
            best[point] = rec
    return best


def speedup(run: dict, device: str, batch: float = USUAL_BATCH,
            duration: float = USUAL_DURATION_S) -> dict | None:
    """Realtime-factor ratio torchaudio(``device``) / librosa at a point.

    Uses (``batch``, ``duration``) when both backends were measured there,
    else the closest point measured for both. CUDA uses rows that include
    the host-to-device copy when there are any. Returns a dict with
    ``value``, ``batch``, ``duration``, ``exact``, ``librosa_rtf``,
    ``torchaudio_rtf``, ``includes_transfer`` — or ``None``.
    """
    points = throughput_points(run)
    want = "torchaudio cuda" if device == "cuda" else "torchaudio cpu"
    lib = {(b, d): r for (k, _, b, d), r in points.items() if k == "librosa"}
    ta_all = {(t, b, d): r for (k, t, b, d), r in points.items() if k == want}
    if want == "torchaudio cuda" and any(t for t, _, _ in ta_all):
        ta = {(b, d): r for (t, b, d), r in ta_all.items() if t}
    else:
        ta = {(b, d): r for (_, b, d), r in ta_all.items()}
    common = sorted(set(lib) & set(ta), key=lambda p: (_closeness(*p, batch, duration), -p[0]))
    if not common:
        return None
    b, d = common[0]
    lib_rtf, ta_rtf = num(lib[(b, d)]["realtime_factor"]), num(ta[(b, d)]["realtime_factor"])
    return {
        "value": ta_rtf / lib_rtf,
        "batch": b,
        "duration": d,
        "exact": (b, d) == (batch, duration),
        "librosa_rtf": lib_rtf,
        "torchaudio_rtf": ta_rtf,
        "includes_transfer": ta[(b, d)].get("includes_transfer") if device == "cuda" else None,
    }


def pick_value(values: Iterable[float], prefer: float) -> float | None:
    """``prefer`` if it is among ``values``, else the most frequent value."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    if prefer in values:
        return prefer
    counts = Counter(values)
    return max(counts, key=lambda v: (counts[v], -abs(math.log(v / prefer)) if v > 0 else -1e9))


def matched_preset(recs: list[dict], key: str = "preset") -> str | None:
    """``"matched"`` if any record uses it, else the most common preset."""
    presets = [r.get(key) for r in recs if r.get(key) is not None]
    if not presets:
        return None
    return "matched" if "matched" in presets else Counter(presets).most_common(1)[0][0]


def same_backend_accuracy(run: dict, preset: str | None = None) -> list[dict]:
    """Accuracy records with train_backend == test_backend at `preset` (default: the matched preset)."""
    recs = [r for r in records(run, "accuracy")
            if r.get("train_backend") is not None and r.get("train_backend") == r.get("test_backend")]
    preset = preset or matched_preset(recs)
    return [r for r in recs if r.get("preset") == preset]


def skew_accuracy(run: dict, preset: str | None = None) -> list[dict]:
    """Accuracy records with train_backend != test_backend at `preset` (default: the matched preset)."""
    all_recs = records(run, "accuracy")
    preset = preset or matched_preset(all_recs)
    return [r for r in all_recs
            if r.get("preset") == preset and r.get("train_backend") != r.get("test_backend")
            and num(r.get("test_accuracy")) is not None]


def agreement_matched(run: dict) -> dict | None:
    """The agreement record for preset ``matched`` (CPU torchaudio first)."""
    recs = [r for r in records(run, "agreement") if r.get("preset") == "matched"]
    recs.sort(key=lambda r: 0 if str(r.get("device", "cpu")).lower() == "cpu" else 1)
    return recs[0] if recs else None
