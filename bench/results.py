"""A run's results as bench starts them: environment capture, a new RunResults, the check of what a
measurement returns. Writing is reports.run_results.RunResults.save's (the only writer of results.json).
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import platform
import subprocess
import sys
from pathlib import Path

from reports import records
from reports.run_results import TOP_LEVEL, RunResults

# the format is defined once, in reports/records.py and reports/run_results.py: bench writes it, reports reads it
RECORD_LISTS = tuple(records.RECORDS)


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


def new_results(*, label: str, small: bool, dataset: str, config: dict, device: str) -> RunResults:
    """A run with every table empty and the environment captured. `small` (the profile used its small
    sizes) is stored under the key "quick", the name committed runs carry."""
    return RunResults(label=label, quick=small, dataset=dataset, environment=environment(device), config=config,
                      backends=[], reference="", complete=False)


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
            if table not in TOP_LEVEL:
                raise TypeError(f"measurement {name!r} returned unknown table {table!r}")
            continue
        bad = rows if not isinstance(rows, list) else next((r for r in rows if type(r) is not cls), None)
        if bad is not None:
            raise TypeError(f"measurement {name!r}: table {table!r} holds a {type(bad).__name__}, "
                            f"expected reports.records.{cls.__name__} records")


def save(results: RunResults, out_dir: Path, *, csv: bool = True) -> Path:
    """Write ``results.files()`` (results.json and, with ``csv``, one CSV per non-empty table) into ``out_dir``,
    each atomically; returns the results.json path. ValueError (nothing written) for an invalid run."""
    from common.atomic_write import write_text_atomic

    out_dir = Path(out_dir)
    for name, text in results.files(csv=csv).items():
        write_text_atomic(out_dir / name, text)
    return out_dir / "results.json"


def serialised(out: dict) -> dict:
    """A measurement's {table: records} with every record as its flat dict (what results.json holds)."""
    return {name: [records.as_row(r) if dataclasses.is_dataclass(r) else r for r in rows]
            if name in records.RECORDS and isinstance(rows, list) else rows for name, rows in out.items()}
