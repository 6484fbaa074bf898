"""The results format's tables (``results.json``) and its version, defined once.

A results file is one JSON object: the top-level fields of :class:`reports.run_results.RunResults` (which
reads, validates and writes the whole file) and one list of flat records per table in :data:`RECORD_LISTS`.

* :data:`SCHEMA_VERSION` -- the version written today (5: backends go by their current names,
  :data:`RENAMED_IN_5`; 4: accuracy records say how their training ended).
* :mod:`reports.records` -- one frozen dataclass per table: its fields, their types, which are required.
  Everything below is derived from them.
* :data:`RECORD_LISTS` -- table name -> its fields in declaration order (the CSV's columns).
* :data:`REQUIRED_FIELDS` -- table name -> the fields every record must carry (no default).
* :func:`table_problems` -- the problems of a results dict's tables, as one-line strings.
* :func:`upgrade` -- a schema-1 to -4 results dict rewritten as schema 5 (a copy).
* :func:`current_backend` -- a backend name as schema 5 spells it (for readers of files beside results.json).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import typing
from typing import Any

from reports import records

SCHEMA_VERSION = 5
#: The versions :func:`read` accepts (1 to 4 are upgraded on reading).
READABLE_VERSIONS = (1, 2, 3, 4, 5)
#: The reference backend when a file names none (schema 1 files list it first in ``backends``).
DEFAULT_REFERENCE = "librosa"

JSONObject = dict[str, Any]                        # a parsed JSON object (results.json's top level, a record)
Types = tuple[type, ...]                           # the Python types a JSON value may have
Rule = tuple[Types | None, bool, Types | None, bool]   # (types or None for any, null allowed, list items, required)

#: Backends renamed in schema 5, old name -> new: `fast` computes librosa's MFCC numbers in torch, so it is
#: called `librosa_torch`. The results format's own record of the rename, kept for good (this module imports
#: only the standard library, for the GPU session; features.backends.RENAMED is the command line's alias
#: table, kept for one release; a test checks that every alias there is upgraded here).
RENAMED_IN_5: dict[str, str] = {"fast": "librosa_torch"}
#: The record fields that name a backend (in any table that has them).
BACKEND_FIELDS = ("backend", "reference", "competitor", "train_backend", "test_backend")

NUMBER = (int, float)
TEXT = (str,)
FLAG = (bool,)
LIST = (list,)
DICT = (dict,)

#: Table -> its fields in declaration order (derived from the record classes in reports.records).
RECORD_LISTS: dict[str, tuple[str, ...]] = {table: records.fields(table) for table in records.RECORDS}
STAGES = ("stft", "power", "mel", "db", "dct", "lifter", "h2d", "other")

_JSON_TYPES = {str: TEXT, int: NUMBER, float: NUMBER, bool: FLAG, list: LIST, dict: DICT}


def field_rule(hint: Any) -> tuple[Types | None, bool, Types | None]:
    """(accepted types or None for any, null allowed, element types of a list or None) of one type hint."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is typing.Union:
        inner = [a for a in args if a is not type(None)]
        types, _, items = field_rule(inner[0]) if len(inner) == 1 else (None, True, None)
        return types, True, items
    if hint is typing.Any:
        return None, True, None
    origin = typing.get_origin(hint) or hint
    items = _JSON_TYPES.get(args[0]) if origin is list and args else None
    return _JSON_TYPES[origin], False, items


def _rules(cls: type) -> dict[str, Rule]:
    hints = typing.get_type_hints(cls)
    return {f.name: (*field_rule(hints[f.name]), f.default is dataclasses.MISSING and f.default_factory is
                     dataclasses.MISSING) for f in dataclasses.fields(cls)}


#: Table -> {field: (accepted types or None, null allowed, list element types or None, required)},
#: derived from the record classes' type hints.
FIELD_RULES: dict[str, dict[str, Rule]] = {table: _rules(cls) for table, cls in records.RECORDS.items()}
#: Table -> the fields every record must carry (those without a default in reports.records).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {t: tuple(f for f, rule in r.items() if rule[3])
                                               for t, r in FIELD_RULES.items()}


def type_ok(value: Any, types: Types) -> bool:
    if bool not in types and isinstance(value, bool):
        return False  # True is an int to Python, never a number here
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return isinstance(value, types)


def type_name(types: Types) -> str:
    names = {int: "integer", float: "number", str: "text", bool: "true/false", list: "list", dict: "object",
             type(None): "null"}
    return " or ".join(dict.fromkeys(names[t] for t in types if t is not int or float not in types))


def record_problem(table: str, record: Any) -> str | None:
    """Why one record of ``table`` cannot be read (``None`` when it can): a required field missing or
    null, or a field of the wrong type. Fields the table does not declare are not checked.

    Args: table (str): a key of :data:`RECORD_LISTS`; record: anything found in the list.
    """
    if not isinstance(record, dict):
        return f"not an object ({type(record).__name__})"
    for name, (types, nullable, items, required) in FIELD_RULES.get(table, {}).items():
        value = record.get(name)
        if value is None:
            if required:
                return f"field {name!r} missing"
            continue
        if types is not None and not type_ok(value, types):
            return f"field {name!r} is {value!r}, expected {type_name(types)}"
        if items is not None and not all(type_ok(v, items) for v in value):
            return f"field {name!r} holds a non-{type_name(items)}"
    return None


def _describe(table: str, i: int, record: Any) -> str:
    """``table[i] (backend x, device y, ...)``: where a bad record sits, in words a reader can find."""
    if not isinstance(record, dict):
        return f"{table}[{i}]"
    keys = [k for k in ("backend", "train_backend", "test_backend", "device", "preset", "batch_size",
                        "duration_s", "stage", "mode") if isinstance(record.get(k), (str, int, float))]
    return f"{table}[{i}] (" + ", ".join(f"{k} {record[k]}" for k in keys[:4]) + ")" if keys else f"{table}[{i}]"


def table_problems(results: JSONObject) -> list[str]:
    """Every problem of a results dict's tables, one line each, naming the table, index and field (the top
    level is reports.run_results.validate's)."""
    problems = []
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


def drop_unreadable(results: JSONObject) -> None:
    """Remove, in place, every record :func:`record_problem` refuses (a table that is no list becomes [])."""
    for table in RECORD_LISTS:
        value = results.get(table)
        if value is None:
            continue
        results[table] = [r for r in value if record_problem(table, r) is None] if isinstance(value, list) else []


def _devices_seen(results: JSONObject, backend: str) -> list[str]:
    seen: set[str] = {r["device"] for r in results.get("throughput") or [] if isinstance(r, dict)
            and r.get("backend") == backend and isinstance(r.get("device"), str)}
    return sorted(seen) or ["cpu"]


def _upgrade_1_to_2(out: JSONObject) -> None:
    """A schema-1 results dict rewritten as schema 2, in place.

    Schema 1 knew two backends: the reference (first in ``backends``) and one other. Its agreement
    records had no ``backend``/``reference``; its throughput records no ``config``; the top level no
    ``reference``, ``backend_info``, ``complete``, ``measurements`` or ``thinned``.
    """
    backends = [b for b in out.get("backends") or [] if isinstance(b, str)]
    if not backends:  # very old files: the backends are whatever the throughput table names
        backends = list(dict.fromkeys(r["backend"] for r in out.get("throughput") or []
                                      if isinstance(r, dict) and isinstance(r.get("backend"), str)))
    reference = backends[0] if backends else DEFAULT_REFERENCE
    other = backends[1] if len(backends) > 1 else None
    env = out["environment"] if isinstance(out.get("environment"), dict) else {}
    out["schema_version"] = 2
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


def _upgrade_2_to_3(out: JSONObject) -> None:
    """A schema-2 results dict rewritten as schema 3, in place: every record of every table carries
    every field its record class declares, in declaration order (a field it lacked is null; a field
    the class does not declare is kept after them). No value changes."""
    for table, names in RECORD_LISTS.items():
        value = out.get(table)
        if isinstance(value, list):
            out[table] = [dict({n: rec.get(n) for n in names}, **{k: v for k, v in rec.items() if k not in names})
                          if isinstance(rec, dict) else rec for rec in value]
    out["schema_version"] = 3


def _upgrade_3_to_4(out: JSONObject) -> None:
    """A schema-3 results dict rewritten as schema 4, in place: every record carries every field declared
    today (as in :func:`_upgrade_2_to_3`), and each accuracy record that lacks them gains ``max_epochs``
    and ``stopped_early``. Schema 3 did not record the epoch limit; every training of a run shares one,
    so the most epochs any of the run's trainings ran stands for it (the limit itself unless every
    training stopped early), and ``stopped_early`` is ``epochs < max_epochs``. ``best_epoch`` stays null."""
    _upgrade_2_to_3(out)
    accuracy = [r for r in out.get("accuracy") or [] if isinstance(r, dict)]
    counted = [r for r in accuracy if type_ok(r.get("epochs"), (int,))]
    for rec in accuracy:
        if rec.get("max_epochs") is None and counted:
            rec["max_epochs"] = max(r["epochs"] for r in counted)
        if rec.get("stopped_early") is None and type_ok(rec.get("epochs"), (int,)) \
                and type_ok(rec.get("max_epochs"), (int,)):
            rec["stopped_early"] = rec["epochs"] < rec["max_epochs"]
    out["schema_version"] = 4


def current_backend(name: Any) -> Any:
    """A backend name as schema 5 spells it: the new name of a renamed backend (:data:`RENAMED_IN_5`), any
    other value unchanged. For readers of the files a run keeps beside results.json (pytest-benchmark.json)."""
    return RENAMED_IN_5.get(name, name) if isinstance(name, str) else name


def _renamed_keys(value: JSONObject) -> JSONObject:
    """A dict keyed by backend (backend_info, example_clip) with renamed backends' keys renamed, in its order."""
    return {current_backend(k): v for k, v in value.items()}


def _renamed_thinned(entry: Any) -> Any:
    """One ``thinned`` entry, ``"<backend>: batch 1, 64 x 1.0 s only"`` (bench.grid's format), with its
    backend renamed."""
    if not isinstance(entry, str):
        return entry
    backend, sep, rest = entry.partition(": ")
    return f"{current_backend(backend)}{sep}{rest}" if sep else entry


def _upgrade_4_to_5(out: JSONObject) -> None:
    """A schema-4 results dict rewritten as schema 5, in place: every backend a schema-4 file names by an
    old name (:data:`RENAMED_IN_5`) is named by its new one -- in ``backends``, ``reference``, the keys of
    ``backend_info`` and ``example_clip``, each ``thinned`` entry, and every record's backend fields
    (:data:`BACKEND_FIELDS`). Text that only mentions a backend (the recorded ``environment.command``, a
    GPU session step's description) stays as it was written. No number changes."""
    if isinstance(out.get("backends"), list):
        out["backends"] = [current_backend(b) for b in out["backends"]]
    if "reference" in out:
        out["reference"] = current_backend(out["reference"])
    for key in ("backend_info", "example_clip"):
        if isinstance(out.get(key), dict):
            out[key] = _renamed_keys(out[key])
    if isinstance(out.get("thinned"), list):
        out["thinned"] = [_renamed_thinned(t) for t in out["thinned"]]
    for table in RECORD_LISTS:
        rows = out.get(table)
        for rec in rows if isinstance(rows, list) else []:
            if isinstance(rec, dict):
                rec.update({f: current_backend(rec[f]) for f in BACKEND_FIELDS if f in rec})
    out["schema_version"] = 5


def upgrade(results: JSONObject) -> JSONObject:
    """An older results dict rewritten as schema :data:`SCHEMA_VERSION` (a deep copy; a current or
    unknown version comes back unchanged).

    Args:
        results (dict): a parsed results.json of schema 1, 2, 3, 4 or 5.
    Returns:
        dict: schema 5.
    """
    if not isinstance(results, dict) or results.get("schema_version") not in (1, 2, 3, 4):
        return results
    out = copy.deepcopy(results)
    if out["schema_version"] == 1:
        _upgrade_1_to_2(out)
    if out["schema_version"] == 2:
        _upgrade_2_to_3(out)
    if out["schema_version"] == 3:
        _upgrade_3_to_4(out)
    _upgrade_4_to_5(out)
    return out
