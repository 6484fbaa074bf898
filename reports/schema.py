"""The results format (``results.json``) and its version, defined once.

``bench`` writes it (and may import this module to validate what it wrote); ``reports`` reads it.
A results file is one JSON object: the top-level fields in :data:`TOP_LEVEL` and one list of flat
records per table in :data:`RECORD_LISTS`.

* :data:`SCHEMA_VERSION` -- the version written today (4: accuracy records say how their training ended).
* :mod:`reports.records` -- one frozen dataclass per table: its fields, their types, which are required.
  Everything below is derived from them.
* :data:`RECORD_LISTS` -- table name -> its fields in declaration order (the CSV's columns).
* :data:`REQUIRED_FIELDS` -- table name -> the fields every record must carry (no default).
* :func:`validate` -- the problems of a results dict, as one-line strings (empty list: valid).
* :func:`upgrade` -- a schema-1, -2 or -3 results dict rewritten as schema 4 (a copy).
* :func:`read` -- a file read, upgraded and split into (results, problems), bad records removed.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import typing
from pathlib import Path

from reports import records

SCHEMA_VERSION = 4
#: The versions :func:`read` accepts (1 to 3 are upgraded on reading).
READABLE_VERSIONS = (1, 2, 3, 4)
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
    "session": DICT, "profile": MAYBE_TEXT, "wall_s": NUMBER, "devices": LIST, "example_clip": DICT,
}
TOP_LEVEL_REQUIRED = ("schema_version", "backends", "reference")

#: Table -> its fields in declaration order (derived from the record classes in reports.records).
RECORD_LISTS: dict[str, tuple[str, ...]] = {table: records.fields(table) for table in records.RECORDS}
STAGES = ("stft", "power", "mel", "db", "dct", "lifter", "h2d", "other")

_JSON_TYPES = {str: TEXT, int: NUMBER, float: NUMBER, bool: FLAG, list: LIST, dict: DICT}


def _field_rule(hint) -> tuple[tuple | None, bool, tuple | None]:
    """(accepted types or None for any, null allowed, element types of a list or None) of one type hint."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is typing.Union:
        inner = [a for a in args if a is not type(None)]
        types, _, items = _field_rule(inner[0]) if len(inner) == 1 else (None, True, None)
        return types, True, items
    if hint is typing.Any:
        return None, True, None
    origin = typing.get_origin(hint) or hint
    items = _JSON_TYPES.get(args[0]) if origin is list and args else None
    return _JSON_TYPES[origin], False, items


def _rules(cls) -> dict[str, tuple]:
    hints = typing.get_type_hints(cls)
    return {f.name: (*_field_rule(hints[f.name]), f.default is dataclasses.MISSING and f.default_factory is
                     dataclasses.MISSING) for f in dataclasses.fields(cls)}


#: Table -> {field: (accepted types or None, null allowed, list element types or None, required)},
#: derived from the record classes' type hints.
FIELD_RULES: dict[str, dict[str, tuple]] = {table: _rules(cls) for table, cls in records.RECORDS.items()}
#: Table -> the fields every record must carry (those without a default in reports.records).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {t: tuple(f for f, rule in r.items() if rule[3])
                                               for t, r in FIELD_RULES.items()}


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
        if types is not None and not _type_ok(value, types):
            return f"field {name!r} is {value!r}, expected {_type_name(types)}"
        if items is not None and not all(_type_ok(v, items) for v in value):
            return f"field {name!r} holds a non-{_type_name(items)}"
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
        results (dict): a parsed results.json (schema 4; upgrade older ones first with :func:`upgrade`).
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


def _upgrade_1_to_2(out: dict) -> None:
    """A schema-1 results dict rewritten as schema 2, in place.

    Schema 1 knew two backends: the reference (first in ``backends``) and one other. Its agreement
    records had no ``backend``/``reference``; its throughput records no ``config``; the top level no
    ``reference``, ``backend_info``, ``complete``, ``measurements`` or ``thinned``.
    """
    backends = [b for b in out.get("backends") or [] if isinstance(b, str)]
    if not backends:  # very old files: the backends are whatever the throughput table names
        backends = list(dict.fromkeys(r.get("backend") for r in out.get("throughput") or []
                                      if isinstance(r, dict) and isinstance(r.get("backend"), str)))
    reference = backends[0] if backends else DEFAULT_REFERENCE
    other = backends[1] if len(backends) > 1 else None
    env = out.get("environment") if isinstance(out.get("environment"), dict) else {}
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


def _upgrade_2_to_3(out: dict) -> None:
    """A schema-2 results dict rewritten as schema 3, in place: every record of every table carries
    every field its record class declares, in declaration order (a field it lacked is null; a field
    the class does not declare is kept after them). No value changes."""
    for table, names in RECORD_LISTS.items():
        value = out.get(table)
        if isinstance(value, list):
            out[table] = [dict({n: rec.get(n) for n in names}, **{k: v for k, v in rec.items() if k not in names})
                          if isinstance(rec, dict) else rec for rec in value]
    out["schema_version"] = 3


def _upgrade_3_to_4(out: dict) -> None:
    """A schema-3 results dict rewritten as schema 4, in place: every record carries every field declared
    today (as in :func:`_upgrade_2_to_3`), and each accuracy record that lacks them gains ``max_epochs``
    and ``stopped_early``. Schema 3 did not record the epoch limit; every training of a run shares one,
    so the most epochs any of the run's trainings ran stands for it (the limit itself unless every
    training stopped early), and ``stopped_early`` is ``epochs < max_epochs``. ``best_epoch`` stays null."""
    _upgrade_2_to_3(out)
    accuracy = [r for r in out.get("accuracy") or [] if isinstance(r, dict)]
    counted = [r for r in accuracy if _type_ok(r.get("epochs"), (int,))]
    for rec in accuracy:
        if rec.get("max_epochs") is None and counted:
            rec["max_epochs"] = max(r["epochs"] for r in counted)
        if rec.get("stopped_early") is None and _type_ok(rec.get("epochs"), (int,)) \
                and _type_ok(rec.get("max_epochs"), (int,)):
            rec["stopped_early"] = rec["epochs"] < rec["max_epochs"]
    out["schema_version"] = 4


def upgrade(results: dict) -> dict:
    """An older results dict rewritten as schema :data:`SCHEMA_VERSION` (a deep copy; a current or
    unknown version comes back unchanged).

    Args:
        results (dict): a parsed results.json of schema 1, 2, 3 or 4.
    Returns:
        dict: schema 4.
    """
    if not isinstance(results, dict) or results.get("schema_version") not in (1, 2, 3):
        return results
    out = copy.deepcopy(results)
    if out["schema_version"] == 1:
        _upgrade_1_to_2(out)
    if out["schema_version"] == 2:
        _upgrade_2_to_3(out)
    _upgrade_3_to_4(out)
    return out


def read(path: str | Path) -> tuple[dict, list[str]]:
    """Read a results file: parse, upgrade schemas 1 to 3, and drop the records the report cannot read.

    Args:
        path (str | Path): a results.json.
    Returns:
        (dict, list[str]): the results (schema 4, bad records removed) and one problem per removed
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
