"""Checks an install against the lock (run by `make setup` after installing; prints one line, or why not).

    .venv/bin/python requirements/check_install.py

Checks, in order: `pip check` (every installed package's requirements met), the torch/torchaudio pair
(features.stack), and that every registered backend's library and the corpus job's Ray import. On success
it prints one line with the resolved versions; otherwise one line per problem, naming the package and
what to do, and exits 1.
"""
from __future__ import annotations

import importlib
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # the project, installed or not
REDO = "make clean && make setup"


def _version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "missing"


def problems() -> list:
    """One line per problem found; empty where the install is sound."""
    found = []
    pip = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    if pip.returncode != 0:
        first = (pip.stdout or pip.stderr).strip().splitlines()[0]
        found.append(f"pip check: {first} (fix: {REDO})")
    try:
        from features.backends import get, names
    except ImportError as err:                 # features.stack's one line for a mismatched torch pair
        return found + [str(err)]
    for name in names():
        try:
            library = get(name).library
            importlib.import_module(library)
        except Exception as err:  # noqa: BLE001 (any failure to import is the finding)
            what = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            found.append(f"backend {name}: import failed: {what} (fix: {REDO})")
    try:
        importlib.import_module("ray")
    except Exception as err:  # noqa: BLE001
        found.append(f"ray (the corpus job): import failed: {err} (fix: {REDO})")
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(f"setup check failed: {line}", file=sys.stderr)
    if found:
        return 1
    picked = ", ".join(f"{d} {_version(d)}" for d in ("torch", "torchaudio", "librosa", "numpy"))
    print(f"setup ok: Python {sys.version.split()[0]}, {picked}; pip check clean; every backend imports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
