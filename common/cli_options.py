"""Command-line option checks shared by `model.train` and `bench.run`: argparse types for numbers,
the dataset options that go together, the output folder, and SIGTERM as a clean exit.

    p.add_argument("--epochs", type=positive_int)
    p.add_argument("--val-fraction", type=open_fraction)
    args = p.parse_args(argv)
    check_dataset_options(args.dataset, args.data_dir, args.manifest, args.split)   # ValueError
    out = check_out_dir(args.out, files=("model.pt", "metrics.json"))              # ValueError
Every check raises with a one-line message naming the option, before any work is done.
"""
from __future__ import annotations

import argparse
import math
import os
import signal
from pathlib import Path
from typing import Optional, Sequence


# ----------------------------------------------------------------------------- argparse types
def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def _real(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1 (epochs, limit, batch sizes)."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be a positive integer (>= 1)")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0 (seeds)."""
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must be an integer >= 0")
    return value


def positive_seconds(text: str) -> float:
    """argparse type: a finite number of seconds > 0 (deadlines)."""
    try:
        value = _real(text)
    except argparse.ArgumentTypeError:
        value = float("nan")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number of seconds > 0")
    return value


def open_fraction(text: str) -> float:
    """argparse type: a number strictly between 0 and 1 (val/test fractions: both parts non-empty)."""
    value = _real(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be a fraction strictly between 0 and 1")
    return value


# ----------------------------------------------------------------------------- option combinations
def check_dataset_options(dataset: str, data_dir=None, manifest=None, split: Optional[str] = None) -> None:
    """Refuse options that cannot apply to `dataset`, and paths of the wrong kind.

    Args:
        dataset (str): "synthetic", "fsdd" or "folder".
        data_dir (str | Path | None): given only with "fsdd" (else $FSDD_DIR/cache/download) or
            "folder"; must then be an existing folder.
        manifest (str | Path | None): given only with "folder"; must then be an existing file.
            "folder" needs exactly one of data_dir and manifest.
        split (str | None): the FSDD split; None means "not given" (give the CLI option a default
            of None to use this check), any value with another dataset is refused.

    Raises:
        ValueError: one line naming the option and why.
    """
    flag = {"data_dir": "--data-dir", "manifest": "--manifest", "split": "--split"}
    given = {k: v for k, v in (("data_dir", data_dir), ("manifest", manifest), ("split", split)) if v is not None}
    applies = {"synthetic": set(), "fsdd": {"data_dir", "split"}, "folder": {"data_dir", "manifest"}}
    if dataset not in applies:
        raise ValueError(f"--dataset {dataset!r}: must be one of {tuple(applies)}")
    for name in given:
        if name not in applies[dataset]:
            users = [d for d, opts in applies.items() if name in opts]
            raise ValueError(f"{flag[name]} applies to --dataset {' or '.join(users)} only, not to "
                             f"--dataset {dataset} (which would ignore it)")
    if dataset == "folder":
        if data_dir is None and manifest is None:
            raise ValueError("--dataset folder needs --data-dir (one sub-folder per class) or --manifest (CSV)")
        if data_dir is not None and manifest is not None:
            raise ValueError("--dataset folder takes --data-dir or --manifest, not both")
    if data_dir is not None:
        path = Path(data_dir)
        if not path.exists():
            raise ValueError(f"--data-dir {path}: no such folder")
        if not path.is_dir():
            raise ValueError(f"--data-dir {path}: is a file, not a folder")
    if manifest is not None:
        path = Path(manifest)
        if not path.exists():
            raise ValueError(f"--manifest {path}: no such file")
        if path.is_dir():
            raise ValueError(f"--manifest {path}: is a folder, not a CSV file")


def check_out_dir(path, *, files: Sequence[str] = (), option: str = "--out") -> Path:
    """Refuse an output folder that cannot be written, before any work; creates nothing.

    Args:
        path (str | Path): the folder results will go to (created later, by the writer).
        files (Sequence[str], ()): names that will be written inside it; each must not be a folder.
        option (str, "--out"): the option name used in messages.

    Returns:
        Path: `path`.

    Raises:
        ValueError: `path` is a file; a parent of it is a file; the nearest existing folder is not
            writable; or one of `files` exists there as a folder. One line, naming the path.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{option} {path}: is a file, not a folder")
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise ValueError(f"{option} {path}: cannot be created, {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{option} {path}: cannot write there ({existing} is not writable)")
    for name in files:
        if (path / name).is_dir():
            raise ValueError(f"{option} {path}: {name} there is a folder, so it cannot be written")
    return path


# ----------------------------------------------------------------------------- signals
class Terminated(SystemExit):
    """Raised in the main thread on SIGTERM, so `finally` blocks (atomic writes) clean up."""


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into `Terminated` (a SystemExit with code 143) in the main thread; call it once
    at the start of a CLI. A killed run then removes its temporary files on the way out."""

    def handler(signum, frame):
        raise Terminated(128 + signum)

    signal.signal(signal.SIGTERM, handler)
