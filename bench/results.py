"""The results file: schema, environment capture, atomic write, one CSV per measurement."""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from features.atomic_write import atomic_path

SCHEMA_VERSION = 1

# Every list of flat records in results.json; each becomes DIR/<name>.csv.
RECORD_LISTS = ("throughput", "ceiling", "scaling", "overhead", "cold_start", "memory", "io", "stages", "agreement",
                "agreement_per_coeff", "ablation", "batch_invariance", "accuracy", "epoch_time", "pipeline",
                "corpus_scaling", "projection", "skipped")
# Fields each record of these lists must carry (what the report and users rely on).
REQUIRED_FIELDS = {
    "throughput": ("backend", "device", "batch_size", "duration_s", "median_s", "iqr_s", "repeats",
                   "clips_per_s", "realtime_factor"),
    "agreement": ("preset", "max_abs_error", "mean_abs_error", "rel_error", "correlation", "shapes_match"),
    "ablation": ("parameter", "value", "max_abs_error", "rel_error", "rank"),
    "batch_invariance": ("backend", "scope", "max_abs_error", "rel_error"),
    "accuracy": ("train_backend", "test_backend", "preset", "test_accuracy"),
    "skipped": ("file", "reason"),
}
TOP_LEVEL = ("schema_version", "label", "quick", "dataset", "environment", "config") + RECORD_LISTS


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
    results: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "label": label, "quick": quick,
                               "dataset": dataset, "environment": environment(device), "config": config}
    for name in RECORD_LISTS:
        results[name] = []
    return results


def validate(results: dict) -> None:
    """Raise ValueError naming the first missing key or field."""
    for key in TOP_LEVEL:
        if key not in results:
            raise ValueError(f"results: missing top-level key {key!r}")
    if results["schema_version"] != SCHEMA_VERSION:
        raise ValueError(f"results: schema_version {results['schema_version']!r}, expected {SCHEMA_VERSION}")
    for name, fields in REQUIRED_FIELDS.items():
        for i, record in enumerate(results[name]):
            missing = [f for f in fields if f not in record]
            if missing:
                raise ValueError(f"results[{name!r}][{i}]: missing field(s) {missing}")


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it into place."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def write_results(results: dict, out_dir: Path) -> Path:
    """Validate, then write `out_dir/results.json` and one CSV per non-empty record list, atomically."""
    import pandas as pd

    validate(results)
    out_dir = Path(out_dir)
    for name in RECORD_LISTS:
        if results[name]:
            atomic_write_text(out_dir / f"{name}.csv", pd.DataFrame(results[name]).to_csv(index=False))
    path = out_dir / "results.json"
    atomic_write_text(path, json.dumps(results, indent=1, default=_json_default))
    return path


def _json_default(value: Any):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
