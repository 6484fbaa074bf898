"""One run's results, typed: :class:`RunResults` owns the top level of results.json and is its only serialiser.

Modelled on asv's ``Results``: :meth:`RunResults.load` reads a file (upgrading schemas 1 and 2) into
records, :meth:`RunResults.files` validates and serialises it (with one CSV per table; bench.results.save writes
them atomically),
:meth:`RunResults.merge` joins the parts of a session, :meth:`RunResults.upgrade` rewrites an older
parsed file. The top-level fields and their types are this dataclass's; the tables' are the record
classes' (reports.records); :data:`TOP_LEVEL` and :func:`validate` are derived from both.

    res = RunResults(backends=["librosa"], reference="librosa")
    res.tables["throughput"].append(records.Throughput(...))
    bench.results.save(res, Path("out/bench"))                 # res.files(): the texts it writes
    res, problems = RunResults.load("out/bench/results.json")   # tables hold records again
"""
from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from reports import records, schema


def _tables() -> dict[str, list[Any]]:
    return {table: [] for table in records.RECORDS}


@dataclass(kw_only=True)
class RunResults:
    """The top level of one results.json, and its tables as records (reports.records).

    A field without a default is required. ``tables`` maps every table name to its list of records.
    """

    schema_version: int = schema.SCHEMA_VERSION
    label: Optional[str] = None
    quick: Optional[bool] = None
    dataset: Optional[str] = None
    dataset_info: Optional[dict] = None
    environment: Optional[dict] = None
    config: Optional[dict] = None
    backends: list[str]
    reference: str
    backend_info: Optional[dict] = None
    complete: Optional[bool] = None
    measurements: Optional[list] = None
    thinned: Optional[list] = None
    failed: Optional[list] = None
    session: Optional[dict] = None
    profile: Optional[str] = None
    wall_s: Optional[float] = None
    devices: Optional[list] = None
    example_clip: Optional[dict] = None
    tables: dict[str, list[Any]] = field(default_factory=_tables)

    # -- reading --------------------------------------------------------------------------------------
    @staticmethod
    def upgrade(results: dict) -> dict:
        """A parsed results.json of schema 1 or 2 rewritten as the current schema (a copy)."""
        return schema.upgrade(results)

    @classmethod
    def from_dict(cls, results: dict) -> "RunResults":
        """A parsed, valid (current-schema) results dict as RunResults: each row becomes its record
        (``RECORDS[table](**row)``). Fields a record does not declare (older files kept some: schema 1's
        ``shape_librosa``) are left out; no reader uses them."""
        top = {name: results[name] for name in TOP_LEVEL if results.get(name) is not None}
        out = cls(**{"backends": [], "reference": schema.DEFAULT_REFERENCE, **top})
        for table, cls_ in records.RECORDS.items():
            known = set(records.fields(table))
            out.tables[table] = [cls_(**{k: v for k, v in row.items() if k in known}) for row in results.get(table) or []]
        return out

    @classmethod
    def load(cls, path: str | Path) -> tuple["RunResults", list[str]]:
        """Read a results file: parse, upgrade, drop unreadable records, and build records.

        Returns: (RunResults, problems): one line per removed record or field, naming the file.
        Raises: ValueError: not JSON, not an object, or a schema version this code cannot read.
        """
        results, problems = read(path)
        return cls.from_dict(results), problems

    # -- writing --------------------------------------------------------------------------------------
    def as_dict(self) -> dict:
        """The results.json object: the set top-level fields in declaration order, then every table as flat
        rows (``dataclasses.asdict``; rows already dicts are kept)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name != "tables" and (value is not None or f.name in TOP_LEVEL_REQUIRED):
                out[f.name] = value
        for table in records.RECORDS:
            out[table] = [records.as_row(r) if dataclasses.is_dataclass(r) else r for r in self.tables.get(table, [])]
        return out

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=1, default=_json_default)

    def plain(self) -> dict:
        """:meth:`as_dict` as the file holds it (numpy numbers as Python numbers, tuples as lists), without
        writing it: what the report reads from a run still in memory."""
        return json.loads(self.to_json())

    def files(self, *, csv: bool = True) -> dict[str, str]:
        """Validate, then the text of every file a run's folder holds: {"<table>.csv": ...} for each non-empty
        table (``csv``; columns the record's declared fields), then {"results.json": ...}. The one serialiser of
        results.json (``bench.results.save`` writes these texts atomically; a reader of reports never writes).
        Raises ValueError naming the problems of an invalid run."""
        data = self.plain()
        problems = validate(data)
        if problems:
            raise ValueError("results: " + "; ".join(problems[:5]) + (" ..." if len(problems) > 5 else ""))
        out: dict[str, str] = {}
        if csv:
            import pandas as pd

            for name in records.RECORDS:
                if data.get(name):
                    columns = list(dict.fromkeys([*records.fields(name), *(k for r in data[name] for k in r)]))
                    out[f"{name}.csv"] = pd.DataFrame(data[name], columns=columns).to_csv(index=False)
        out["results.json"] = json.dumps(data, indent=1)
        return out

    def update_tables(self, tables: dict[str, list[Any]]) -> None:
        """A measurement's output: {table: records}, or a declared top-level field (e.g. example_clip)."""
        for name, value in tables.items():
            if name in records.RECORDS:
                self.tables[name] = list(value)
            else:
                setattr(self, name, value)

    # -- joining --------------------------------------------------------------------------------------
    @classmethod
    def merge(cls, parts: list["RunResults"], *, label: str, session: dict,
              not_measured: Iterable[dict]) -> "RunResults":
        """One run from the parts of a session (in step order): the first part's top level (environment,
        config, dataset), every table concatenated, backends and measurements in first-seen order, `failed` =
        the parts' failures + ``not_measured`` ({"measurement", "error"} each), `complete` True only when
        nothing failed, `wall_s` the session's. The parts are not changed."""
        if not parts:
            raise ValueError("merge: no step wrote results")
        out = dataclasses.replace(parts[0], tables={t: [r for p in parts for r in p.tables.get(t, [])]
                                                    for t in records.RECORDS})
        for key in ("backends", "measurements", "thinned", "devices"):
            setattr(out, key, list(dict.fromkeys(x for p in parts for x in getattr(p, key) or [])))
        info = {b: i for p in parts for b, i in (p.backend_info or {}).items()}
        out.backend_info = {b: info[b] for b in out.backends if b in info}
        for p in parts:                       # the step that loaded a dataset says which
            if p.dataset_info:
                out.dataset, out.dataset_info = p.dataset, p.dataset_info
        out.failed = [f for p in parts for f in p.failed or []] + list(not_measured)
        out.complete = not out.failed and all(p.complete for p in parts)
        out.label, out.session = label, session
        out.wall_s = session.get("wall_s", out.wall_s)     # the whole session, not its first step
        return out


def _json_default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _top_level_rules() -> dict[str, tuple]:
    hints = typing.get_type_hints(RunResults)
    return {f.name: schema.field_rule(hints[f.name]) for f in dataclasses.fields(RunResults) if f.name != "tables"}


#: Top-level field -> (accepted types, null allowed, list element types), from RunResults' type hints.
TOP_LEVEL: dict[str, tuple] = _top_level_rules()
#: The top-level fields without a default in RunResults (schema_version is checked on its own).
TOP_LEVEL_REQUIRED: tuple[str, ...] = ("schema_version",) + tuple(
    f.name for f in dataclasses.fields(RunResults)
    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)


def _top_problem(name: str, value: Any) -> Optional[str]:
    types, _, items = TOP_LEVEL[name]
    if value is None or types is None:
        return None
    if not schema.type_ok(value, types):
        return f"top-level field {name!r} is {type(value).__name__}, expected {schema.type_name(types)}"
    if items is not None and not all(schema.type_ok(v, items) for v in value):
        return f"top-level field {name!r} holds a non-{schema.type_name(items)}"
    return None


def validate(results: Any) -> list[str]:
    """Every problem of a parsed results.json (current schema), one line each, naming the table, index and
    field: the version, the top-level fields (RunResults' types) and every record (reports.schema)."""
    if not isinstance(results, dict):
        return [f"top level is {type(results).__name__}, expected an object"]
    problems = []
    version = results.get("schema_version")
    if version != schema.SCHEMA_VERSION:
        problems.append(f"schema_version is {version!r}, expected {schema.SCHEMA_VERSION}")
    problems += [f"top-level field {name!r} missing" for name in TOP_LEVEL_REQUIRED if results.get(name) is None]
    problems += [p for name in TOP_LEVEL if (p := _top_problem(name, results.get(name)))]
    return problems + schema.table_problems(results)


def read(path: str | Path) -> tuple[dict, list[str]]:
    """Read a results file as a dict: parse, upgrade schemas 1 and 2, and drop what the report cannot read.

    Returns: (dict, list[str]): the results (current schema, bad records and mistyped top-level fields removed)
    and one problem per removed record or field, each naming the file.
    Raises: ValueError: not JSON, not an object, or a schema version this code cannot read.
    """
    path = Path(path)
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name}: not valid JSON ({exc})") from exc
    if not isinstance(results, dict):
        raise ValueError(f"{path.name}: expected a JSON object at top level")
    version = results.get("schema_version")
    if version not in schema.READABLE_VERSIONS:
        raise ValueError(f"{path.name}: schema_version {version!r}; this report reads {schema.READABLE_VERSIONS}")
    results = schema.upgrade(results)
    problems = [f"{path.name}: {p}" for p in validate(results)]
    schema.drop_unreadable(results)
    for name in TOP_LEVEL:                   # a mistyped top-level field is dropped (and named above)
        if _top_problem(name, results.get(name)):
            results.pop(name)
    return results, problems
