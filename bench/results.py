"""The results file: schema, environment capture, atomic write, one CSV per measurement.

Tables hold records (the dataclasses of reports.records) while a run is measured; `write_results`
serialises them (`dataclasses.asdict`) and writes the same rows as results.json and as CSVs whose
columns are the record's declared fields.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from features.atomic_write import write_text_atomic
from reports import records, schema

# the format is defined once, in reports/records.py and reports/schema.py: bench writes it, reports reads it
RECORD_LISTS = tuple(schema.RECORD_LISTS)


def _version(module: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:
        return None


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
        # "-dirty" means code differs from the commit; recorded results under reports/results do not count
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":(exclude)reports/results"], capture_output=True, text=True, timeout=5,
                               cwd=Path(__file__).resolve().parent.parent)
        if out.returncode == 0:
            return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return None


def backend_versions() -> dict:
    """{distribution: version or None} for every registered backend's wrapped library."""
    from features.backends import get, names

    return {get(n).distribution: _version(get(n).distribution) for n in names()}


def backend_info(backends) -> dict:
    """{backend: its declared capabilities and its library's installed version} for results.json."""
    from features.backends import get

    return {b: dict(devices=list(get(b).devices), library=get(b).library, distribution=get(b).distribution,
                    version=_version(get(b).distribution), definition=get(b).definition,
                    defaults_preset=get(b).defaults_preset, description=get(b).description, exported=get(b).exported)
            for b in backends}


def environment(device: str = "cpu") -> dict:
    """Library versions, Python, CPU model and threads, GPU and driver (when used), commit, date, command."""
    import torch

    env = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpu_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        **backend_versions(),
        "numpy": _version("numpy"),
        "scipy": _version("scipy"),
        "soundfile": _version("soundfile"),
        "soxr": _version("soxr"),
        "numba": _version("numba"),
        "gpu_name": None,
        "cuda_driver": None,
        "cuda_version": torch.version.cuda,
        "git_commit": git_commit(),
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, "-m", "bench.run"] + sys.argv[1:]),
    }
    if device == "cuda" and torch.cuda.is_available():
        env["gpu_name"] = torch.cuda.get_device_name(0)
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                                 capture_output=True, text=True, timeout=10)
            env["cuda_driver"] = out.stdout.strip().splitlines()[0] if out.returncode == 0 else None
        except (OSError, subprocess.SubprocessError, IndexError):
            pass
    return env


def new_results(*, label: str, quick: bool, dataset: str, config: dict, device: str) -> dict:
    """A results dict with every table empty and the environment captured."""
    results: dict[str, Any] = {"schema_version": schema.SCHEMA_VERSION, "label": label, "quick": quick,
                               "dataset": dataset, "environment": environment(device), "config": config,
                               "backends": [], "reference": "", "complete": False}
    for name in RECORD_LISTS:
        results[name] = []
    return results


def check_tables(name: str, out) -> None:
    """Raise TypeError (one line, naming measurement `name`) unless `out` is {table: list of that
    table's record class (reports.records)} for tables, or a declared top-level field (e.g. example_clip).

    Args:
        name (str): the measurement, for the message. out: what its run(ctx) returned.
    """
    if not isinstance(out, dict):
        raise TypeError(f"measurement {name!r} returned {type(out).__name__}, expected {{table: [records]}}")
    for table, rows in out.items():
        cls = records.RECORDS.get(table)
        if cls is None:
            if table not in schema.TOP_LEVEL:
                raise TypeError(f"measurement {name!r} returned unknown table {table!r}")
            continue
        bad = rows if not isinstance(rows, list) else next((r for r in rows if type(r) is not cls), None)
        if bad is not None:
            raise TypeError(f"measurement {name!r}: table {table!r} holds a {type(bad).__name__}, "
                            f"expected reports.records.{cls.__name__} records")


def serialised(results: dict) -> dict:
    """`results` with every record (reports.records dataclass) as its flat dict; rows already dicts
    (read back from a file) are kept as they are."""
    out = dict(results)
    for name in RECORD_LISTS:
        if isinstance(out.get(name), list):
            out[name] = [records.as_row(r) if dataclasses.is_dataclass(r) else r for r in out[name]]
    return out


def validate(results: dict) -> None:
    """Raise ValueError naming every problem reports.schema.validate finds (bench never writes a file
    the report cannot read)."""
    problems = schema.validate(results)
    if problems:
        raise ValueError("results: " + "; ".join(problems[:5]) + (" ..." if len(problems) > 5 else ""))


def write_results(results: dict, out_dir: Path) -> Path:
    """Serialise and validate, then write `out_dir/results.json` and one CSV per non-empty table
    (columns: the record's declared fields, then any others), atomically.

    Args:
        results (dict): the run: top-level fields, and per table a list of records (or of dicts).
        out_dir (Path): the output folder.
    Returns:
        Path: the results.json written.
    """
    import pandas as pd

    results = serialised(results)
    validate(results)
    out_dir = Path(out_dir)
    for name in RECORD_LISTS:
        if results.get(name):
            columns = list(dict.fromkeys([*schema.RECORD_LISTS[name], *(k for r in results[name] for k in r)]))
            write_text_atomic(out_dir / f"{name}.csv", pd.DataFrame(results[name], columns=columns).to_csv(index=False))
    path = out_dir / "results.json"
    write_text_atomic(path, json.dumps(results, indent=1, default=_json_default))
    return path


def _json_default(value: Any):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
