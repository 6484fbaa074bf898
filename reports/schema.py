"""The results format (``results.json``) and its version, defined once.

``bench`` writes it (and may import this module to validate what it wrote); ``reports`` reads it.
A results file is one JSON object: the top-level fields in :data:`TOP_LEVEL` and one list of flat
records per table in :data:`RECORD_LISTS`.

* :data:`SCHEMA_VERSION` -- the version written today (2).
* :data:`RECORD_LISTS` -- table name -> every field its records may carry (documentation).
* :data:`REQUIRED_FIELDS` -- table name -> {field: accepted JSON type(s)} every record must carry.
* :func:`validate` -- the problems of a results dict, as one-line strings (empty list: valid).
* :func:`upgrade` -- a schema-1 results dict rewritten as schema 2 (a copy).
* :func:`read` -- a file read, upgraded and split into (results, problems), bad records removed.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

SCHEMA_VERSION = 2
#: The versions :func:`read` accepts (1 is upgraded on reading).
READABLE_VERSIONS = (1, 2)
#: The reference backend when a file names none (schema 1 files list it first in ``backends``).
DEFAULT_REFERENCE = "librosa"

NUMBER = (int, float)
TEXT = (str,)
FLAG = (bool,)
LIST = (list,)
DICT = (dict,)
MAYBE_TEXT = (str, type(None))

#: Top-level fields -> accepted types. Those in TOP_LEVEL_REQUIRED must be present.
TOP_LEVEL = {
    "schema_version": (int,), "label": MAYBE_TEXT, "quick": FLAG, "dataset": MAYBE_TEXT,
    "dataset_info": DICT, "environment": DICT, "config": DICT, "backends": LIST, "reference": TEXT,
    "backend_info": DICT, "complete": FLAG, "measurements": LIST, "thinned": LIST, "failed": LIST,
    "session": DICT, "profile": MAYBE_TEXT, "wall_s": NUMBER,
}
TOP_LEVEL_REQUIRED = ("schema_version", "backends", "reference")

#: Table -> every field its records may carry.
RECORD_LISTS: dict[str, tuple[str, ...]] = {
    "throughput": ("backend", "device", "batch_size", "duration_s", "threads", "thread_sweep",
                   "includes_transfer", "median_s", "q1_s", "q3_s", "iqr_s", "repeats", "clips_per_s",
                   "realtime_factor", "realtime_factor_q1", "realtime_factor_q3", "audio_s", "passes",
                   "pass_medians_s", "ceiling_fraction", "config"),
    "ceiling": ("device", "batch_size", "duration_s", "fft_s", "mel_s", "total_s", "realtime_factor", "passes",
                "chunk_clips", "whole_batch_s", "chunked_s"),
    "scaling": ("backend", "device", "batch_size", "exponent", "durations_s"),
    "overhead": ("backend", "device", "batch_size", "duration_s", "interface_s", "direct_s", "overhead",
                 "overhead_q1", "overhead_q3", "pairs"),
    "cold_start": ("backend", "device", "import_s", "cuda_context_s", "first_call_s", "steady_call_s"),
    "memory": ("backend", "device", "duration_s", "batch_size", "peak_bytes", "above_baseline_bytes", "kind",
               "peak_reset"),
    "io": ("stage", "method", "files", "audio_s", "seconds", "realtime_factor", "from_sr", "to_sr"),
    "agreement": ("backend", "reference", "device", "preset", "definition", "max_abs_error", "mean_abs_error",
                  "rel_error", "correlation", "shapes_match", "note"),
    "agreement_per_coeff": ("backend", "reference", "preset", "coeff", "rel_error", "max_abs_error"),
    "ablation": ("parameter", "value", "max_abs_error", "rel_error", "rank"),
    "batch_invariance": ("backend", "device", "scope", "max_abs_error", "rel_error"),
    "accuracy": ("train_backend", "test_backend", "preset", "split", "seed", "test_accuracy", "n_test", "epochs",
                 "train_seconds"),
    "generalisation": ("phase", "setting", "group", "toward", "changes", "cmvn", "backend", "preset", "config",
                       "seed", "split", "test_accuracy", "val_accuracy", "epochs", "best_epoch", "n_train", "n_test",
                       "train_seconds", "rule"),
    "epoch_time": ("path", "epoch_seconds", "test_accuracy"),
    "skipped": ("file", "reason"),
    "stages": ("backend", "device", "batch_size", "duration_s", "stage", "median_s", "q1_s", "q3_s", "share",
               "whole_s", "stages_sum_s", "sum_ratio", "within_10pct", "note"),
    "power_step": ("backend", "device", "batch_size", "duration_s", "stage_stock_s", "stage_cheap_s", "stage_speedup",
                   "whole_stock_s", "whole_cheap_s", "whole_speedup", "max_abs_diff", "rel_diff"),
    "pipeline": ("backend", "device", "mode", "workers", "batch_size", "samples_per_s", "decode_s_per_sample",
                 "features_s_per_sample", "limiting_stage", "n_samples"),
    "corpus_scaling": ("backend", "device", "engine", "workers", "files", "audio_hours", "wall_s",
                       "audio_hours_per_hour", "audio_hours_per_hour_per_worker", "speedup_vs_one_worker",
                       "efficiency", "overhead_vs_single_process", "engine_start_s"),
    "projection": ("backend", "device", "resource", "count", "corpus_hours", "projected_wall_h", "basis", "label"),
    "crossover": ("backend", "device", "includes_transfer", "competitor", "competitor_device", "duration_s",
                  "crossover_batch", "batch_sizes", "backend_s", "competitor_s", "note"),
}
STAGES = ("stft", "power", "mel", "db", "dct", "lifter", "h2d", "other")

#: Table -> {field: accepted types} that every record must carry for the report to read it.
REQUIRED_FIELDS: dict[str, dict[str, tuple]] = {
    "throughput": {"backend": TEXT, "device": TEXT, "batch_size": NUMBER, "duration_s": NUMBER,
                   "median_s": NUMBER, "realtime_factor": NUMBER},
    "ceiling": {"device": TEXT, "batch_size": NUMBER, "duration_s": NUMBER, "total_s": NUMBER},
    "scaling": {"backend": TEXT, "device": TEXT, "batch_size": NUMBER, "exponent": NUMBER},
    "overhead": {"backend": TEXT, "device": TEXT, "overhead": NUMBER},
    "cold_start": {"backend": TEXT, "device": TEXT},
    "memory": {"backend": TEXT, "device": TEXT, "batch_size": NUMBER, "duration_s": NUMBER},
    "io": {"stage": TEXT, "method": TEXT, "realtime_factor": NUMBER},
    "agreement": {"backend": TEXT, "reference": TEXT, "preset": TEXT, "rel_error": NUMBER},
    "agreement_per_coeff": {"preset": TEXT, "coeff": NUMBER},
    "ablation": {"parameter": TEXT, "rel_error": NUMBER},
    "batch_invariance": {"backend": TEXT, "scope": TEXT, "max_abs_error": NUMBER},
    "accuracy": {"train_backend": TEXT, "test_backend": TEXT, "preset": TEXT, "test_accuracy": NUMBER},
    "generalisation": {"phase": TEXT, "setting": TEXT, "group": TEXT, "seed": NUMBER, "test_accuracy": NUMBER},
    "epoch_time": {"path": TEXT, "epoch_seconds": NUMBER},
    "skipped": {"file": TEXT, "reason": TEXT},
    "stages": {"backend": TEXT, "device": TEXT, "batch_size": NUMBER, "duration_s": NUMBER, "stage": TEXT,
               "median_s": NUMBER},
    "power_step": {"backend": TEXT, "device": TEXT, "batch_size": NUMBER, "stage_stock_s": NUMBER,
                   "stage_cheap_s": NUMBER, "whole_stock_s": NUMBER, "whole_cheap_s": NUMBER},
    "pipeline": {"backend": TEXT, "device": TEXT, "mode": TEXT, "samples_per_s": NUMBER},
    "corpus_scaling": {"backend": TEXT, "device": TEXT, "engine": TEXT, "workers": NUMBER,
                       "audio_hours_per_hour": NUMBER},
    "projection": {"backend": TEXT, "device": TEXT, "resource": TEXT, "count": NUMBER,
                   "projected_wall_h": NUMBER},
    "crossover": {"backend": TEXT, "device": TEXT, "competitor": TEXT, "duration_s": NUMBER, "batch_sizes": LIST},
}
#: Optional fields whose type is still checked where present (None allowed).
OPTIONAL_TYPES: dict[str, dict[str, tuple]] = {
    "throughput": {"pass_medians_s": LIST, "q1_s": NUMBER, "q3_s": NUMBER, "includes_transfer": FLAG,
                   "thread_sweep": FLAG, "threads": NUMBER},
    "stages": {"whole_s": NUMBER, "share": NUMBER},
    "crossover": {"crossover_batch": NUMBER},
    "accuracy": {"seed": NUMBER},
}


def _type_ok(value, types: tuple) -> bool:
    if bool not in types and isinstance(value, bool):
        return False  # True is an int to Python, never a number here
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return isinstance(value, types)


def _type_name(types: tuple) -> str:
    names = {int: "integer", float: "number", str: "text", bool: "true/false", list: "list", dict: "object",
             type(None): "null"}
    return " or ".join(dict.fromkeys(names[t] for t in types if t is not int or float not in types))


def record_problem(table: str, record) -> str | None:
    """Why one record of ``table`` cannot be read (``None`` when it can).

    Args: table (str): a key of :data:`RECORD_LISTS`; record: anything found in the list.
    """
    if not isinstance(record, dict):
        return f"not an object ({type(record).__name__})"
    for name, types in REQUIRED_FIELDS.get(table, {}).items():
        if name not in record or record[name] is None:
            return f"field {name!r} missing"
        if not _type_ok(record[name], types):
            return f"field {name!r} is {record[name]!r}, expected {_type_name(types)}"
    for name, types in OPTIONAL_TYPES.get(table, {}).items():
        if record.get(name) is not None and not _type_ok(record[name], types):
            return f"field {name!r} is {record[name]!r}, expected {_type_name(types)}"
    if table == "throughput" and isinstance(record.get("pass_medians_s"), list):
        if not all(_type_ok(v, NUMBER) for v in record["pass_medians_s"]):
            return "field 'pass_medians_s' holds a non-number"
    return None


def _describe(table: str, i: int, record) -> str:
    """``table[i] (backend x, device y, ...)``: where a bad record sits, in words a reader can find."""
    if not isinstance(record, dict):
        return f"{table}[{i}]"
    keys = [k for k in ("backend", "train_backend", "test_backend", "device", "preset", "batch_size",
                        "duration_s", "stage", "mode") if isinstance(record.get(k), (str, int, float))]
    return f"{table}[{i}] (" + ", ".join(f"{k} {record[k]}" for k in keys[:4]) + ")" if keys else f"{table}[{i}]"


def validate(results) -> list[str]:
    """Every problem of a results dict, one line each, naming the table, index and field.

    Args:
        results (dict): a parsed results.json (schema 2; upgrade schema 1 first with :func:`upgrade`).
    Returns:
        list[str]: empty when the file is valid.
    """
    if not isinstance(results, dict):
        return [f"top level is {type(results).__name__}, expected an object"]
    problems = []
    version = results.get("schema_version")
    if version != SCHEMA_VERSION:
        problems.append(f"schema_version is {version!r}, expected {SCHEMA_VERSION}")
    for name in TOP_LEVEL_REQUIRED:
        if name not in results:
            problems.append(f"top-level field {name!r} missing")
    for name, types in TOP_LEVEL.items():
        if results.get(name) is not None and not _type_ok(results[name], types):
            problems.append(f"top-level field {name!r} is {type(results[name]).__name__}, "
                            f"expected {_type_name(types)}")
    for table in RECORD_LISTS:
        value = results.get(table)
        if value is None:
            continue
        if not isinstance(value, list):
            problems.append(f"{table}: is {type(value).__name__}, expected a list of records")
            continue
        for i, rec in enumerate(value):
            why = record_problem(table, rec)
            if why:
                problems.append(f"{_describe(table, i, rec)}: {why}")
    return problems


def _devices_seen(results: dict, backend: str) -> list[str]:
    seen = {r.get("device") for r in results.get("throughput") or [] if isinstance(r, dict)
            and r.get("backend") == backend and isinstance(r.get("device"), str)}
    return sorted(seen) or ["cpu"]


def upgrade(results: dict) -> dict:
    """A schema-1 results dict rewritten as schema 2 (a deep copy; schema 2 comes back unchanged).

    Schema 1 knew two backends: the reference (first in ``backends``) and one other. Its agreement
    records had no ``backend``/``reference``; its throughput records no ``config``; the top level no
    ``reference``, ``backend_info``, ``complete``, ``measurements`` or ``thinned``.
    """
    if not isinstance(results, dict) or results.get("schema_version") != 1:
        return results
    out = copy.deepcopy(results)
    backends = [b for b in out.get("backends") or [] if isinstance(b, str)]
    if not backends:  # very old files: the backends are whatever the throughput table names
        backends = list(dict.fromkeys(r.get("backend") for r in out.get("throughput") or []
                                      if isinstance(r, dict) and isinstance(r.get("backend"), str)))
    reference = backends[0] if backends else DEFAULT_REFERENCE
    other = backends[1] if len(backends) > 1 else None
    env = out.get("environment") if isinstance(out.get("environment"), dict) else {}
    out["schema_version"] = SCHEMA_VERSION
    out["backends"] = backends
    out["reference"] = reference
    out.setdefault("backend_info", {b: {"devices": _devices_seen(out, b), "library": b, "version": env.get(b),
                                        "definition": reference, "description": "", "defaults_preset": None}
                                    for b in backends})
    out.setdefault("complete", None)  # schema 1 did not record it
    out.setdefault("measurements", [t for t in RECORD_LISTS if out.get(t)])
    out.setdefault("thinned", [])
    for rec in out.get("throughput") or []:
        if isinstance(rec, dict):
            rec.setdefault("config", "matched")
    for table in ("agreement", "agreement_per_coeff"):
        for rec in out.get(table) or []:
            if isinstance(rec, dict):
                rec.setdefault("backend", other)
                rec.setdefault("reference", reference)
                if table == "agreement":
                    rec.setdefault("definition", reference)
    split = (out.get("dataset_info") or {}).get("split") if isinstance(out.get("dataset_info"), dict) else None
    for rec in out.get("accuracy") or []:
        if isinstance(rec, dict):
            rec.setdefault("split", split)
    return out


def read(path: str | Path) -> tuple[dict, list[str]]:
    """Read a results file: parse, upgrade schema 1, and drop the records the report cannot read.

    Args:
        path (str | Path): a results.json.
    Returns:
        (dict, list[str]): the results (schema 2, bad records removed) and one problem per removed
        record or bad field, each naming the file.
    Raises:
        ValueError: not JSON, not an object, or a schema version this code cannot read.
    """
    path = Path(path)
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name}: not valid JSON ({exc})") from exc
    if not isinstance(results, dict):
        raise ValueError(f"{path.name}: expected a JSON object at top level")
    version = results.get("schema_version")
    if version not in READABLE_VERSIONS:
        raise ValueError(f"{path.name}: schema_version {version!r}; this report reads {READABLE_VERSIONS}")
    results = upgrade(results)
    problems = [f"{path.name}: {p}" for p in validate(results)]
    for table in RECORD_LISTS:
        value = results.get(table)
        if value is None:
            continue
        if not isinstance(value, list):
            results[table] = []
            continue
        results[table] = [r for r in value if record_problem(table, r) is None]
    for name, types in TOP_LEVEL.items():  # a mistyped top-level field is dropped (and named above)
        if results.get(name) is not None and not _type_ok(results[name], types):
            results.pop(name)
    return results, problems
