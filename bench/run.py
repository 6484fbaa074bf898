"""`python -m bench.run`: every registered measurement over every chosen backend -> DIR/results.json.

    python -m bench.run [--profile compare|quick|standard|full|gpu|gpu-rehearsal] [--backend all|NAME[,NAME...]]
                        [--device cpu|cuda] [--dataset synthetic|fsdd|folder] [--data-dir D] [--manifest CSV]
                        [--split official|speakers] [--only MEASUREMENT[,...]] [--epochs N] [--seeds N]
                        [--deadline-s S]
                        [--out DIR]

Backends come from the registry (features.backends), measurements from bench.measurements; `--only`
runs exactly the measurements it names. The reference (librosa, features.backends.REFERENCE) is always
measured beside the backends named, so every ratio has its other side. A profile (bench/profiles.py) sets
how much is measured: `compare` (the default where one or two backends are named: the named ones against
librosa, about 2 minutes on 2 cores), `quick` (what `make bench` runs, about 3 minutes on 2 cores),
`standard`, `full` (the default otherwise; the committed runs), and the GPU session's two. The run ends
with the answer in the terminal (reports.answer, computed once from the run in memory; the report's first
box is the same object) and the report's path. The GPU is measured where present (or with --device cuda),
beside the CPU. Results are rewritten atomically after every measurement with `complete: false`
until the last one finishes, so an interrupted run keeps what it measured and says it is partial.
A previous run's files in DIR are moved to DIR/previous/<its date>/ first, never mixed with this run's.

`--profile gpu` is the GPU session's profile (bench.grid.GPU; bench.gpu.session runs it one measurement
at a time): every backend that runs on CUDA, on the GPU, and librosa, torchaudio and librosa_torch on the same
machine's CPU; it needs CUDA. `--profile gpu-rehearsal` is the same plan cut down, with the CPU standing
in for the accelerator. `--deadline-s S`: measurements that loop start no new work S seconds after the
start (the run itself is not stopped).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
import warnings
from pathlib import Path
from typing import Optional

import torch

from features import MFCCConfig
from features.backends import REFERENCE, get, missing_library, names, option_name, runs_on
from reports.records import Skipped
from reports.run_results import RunResults

from common.cli_options import (check_dataset_options, check_out_dir, exit_cleanly_on_sigterm, positive_int,
                               positive_seconds)

from . import grid as grids
from . import measurements
from . import profiles
from .measurements import Context, Options
from .results import RECORD_LISTS, backend_info, check_tables, new_results, save


def _names(kind: str, valid: tuple, *, renamed=lambda name: name):
    """argparse type: comma-separated names, each passed through `renamed` (an old name -> its new one)."""
    def parse(text: str) -> tuple:
        chosen = tuple(dict.fromkeys(renamed(t.strip()) for t in text.split(",") if t.strip()))
        unknown = [c for c in chosen if c not in valid]
        if not chosen or unknown:
            raise argparse.ArgumentTypeError(f"unknown {kind}(s) {unknown or [text]}; choose from {', '.join(valid)}")
        return chosen
    return parse


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--backend", default="all", type=_names("backend", names() + ("all",), renamed=option_name),
                   help=f"'all' (every installed backend) or comma-separated names: {', '.join(names())}")
    p.add_argument("--device", choices=("cpu", "cuda"), default=None,
                   help="measure the CPU only, or the CPU and CUDA (default: CUDA too where present)")
    p.add_argument("--dataset", choices=("synthetic", "fsdd", "folder"), default=None,
                   help="default: synthetic (generated, nothing downloaded)")
    p.add_argument("--data-dir", default=None, help="FSDD folder (else $FSDD_DIR or the cache) or a class folder")
    p.add_argument("--manifest", default=None, help="CSV manifest (path,label[,split]) for --dataset folder")
    p.add_argument("--split", choices=("official", "speakers"), default=None, help="FSDD split (default official)")
    p.add_argument("--profile", choices=tuple(profiles.PROFILES), default=None,
                   help="how much to measure: " + "; ".join(f"{p.name}: {p.purpose}" for p in profiles.PROFILES.values())
                   + f" (default: {profiles.FEW_BACKENDS} where one or two backends are named, else {profiles.DEFAULT})")
    p.add_argument("--quick", action="store_true", help="the same as --profile quick")
    p.add_argument("--only", default=None, type=_names("measurement", measurements.names()),
                   help=f"comma-separated measurements (default: the profile's): {', '.join(measurements.names())}")
    p.add_argument("--epochs", type=positive_int, default=None, help="maximum training epochs (default 30, quick 15)")
    p.add_argument("--seeds", type=positive_int, default=None,
                   help="training seeds per accuracy figure (default: the profile's; quick 2, full 5)")
    p.add_argument("--deadline-s", type=positive_seconds, default=None,
                   help="seconds after which looping measurements start no new work")
    p.add_argument("--label", default=None, help="run label in reports (default: device and CPU)")
    p.add_argument("--out", default="out/bench", help="output folder (default: out/bench)")
    p.add_argument("--no-report", action="store_true", help="do not build the HTML report")
    args = p.parse_args(argv)
    if args.quick and args.profile not in (None, "quick"):
        p.error(f"--quick is --profile quick; it cannot be combined with --profile {args.profile}")
    args.profile = profiles.get("quick" if args.quick else args.profile or profiles.default_for(args.backend))
    try:
        check_dataset_options(args.dataset or "synthetic", args.data_dir, args.manifest, args.split)
        check_out_dir(args.out)
    except ValueError as err:
        p.error(str(err))
    return args


class Progress:
    """Timestamped progress lines on stderr."""

    def __init__(self):
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.start:7.1f} s] {message}", file=sys.stderr, flush=True)


def gpu_profile_backends() -> tuple:
    """The GPU profiles' backends: every registered backend that runs on CUDA, and those the GPU
    profile times on the CPU (bench.grid.GPU.cpu_backends)."""
    return tuple(n for n in names() if runs_on(n, "cuda") or n in grids.GPU.cpu_backends)


def choose_backends(requested: tuple, progress, among: tuple | None = None) -> tuple:
    """The registry's order, the reference first; 'all' means every installed backend (of `among`
    where given: a profile's backends)."""
    if "all" in requested:
        chosen = tuple(n for n in names(installed=True) if among is None or n in among)
        for name in names():
            if name not in chosen and (among is None or name in among):
                progress(f"skipped backend {missing_library(name)}")
        return chosen
    for name in requested:
        if missing_library(name):
            raise SystemExit(f"--backend: {missing_library(name)}")
    return tuple(n for n in names() if n in requested)


def with_reference(backends: tuple, progress) -> tuple:
    """`backends` and the reference (features.backends.REFERENCE), in the registry's order: every ratio the
    run reports is against the reference, so it is measured whatever was asked. One progress line says so."""
    if missing_library(REFERENCE):
        raise SystemExit(f"the reference backend cannot run: {missing_library(REFERENCE)}")
    others = [b for b in backends if b != REFERENCE]
    progress(f"reference: {REFERENCE} (features.backends.REFERENCE) is measured beside "
             f"{', '.join(others) or 'nothing else'}" + ("" if REFERENCE in backends else " (added: not named)")
             + "; every speed ratio is against it")
    return tuple(n for n in names() if n == REFERENCE or n in backends)


def choose_devices(requested, progress) -> tuple:
    if requested == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch.cuda.is_available() is False on this machine; use --device cpu")
    cuda = requested == "cuda" or (requested is None and torch.cuda.is_available())
    progress("devices: the CPU" + (f" and CUDA ({torch.cuda.get_device_name(0)})" if cuda else " only"))
    return ("cpu", "cuda") if cuda else ("cpu",)


def set_aside_previous_run(out: Path, progress) -> None:
    """Move a previous run's files out of `out` into out/previous/<its date>/, so no file of another
    run sits beside this one's looking current (nothing is deleted)."""
    old = [out / "results.json", out / "report"] + [out / f"{n}.csv" for n in RECORD_LISTS]
    old = [p for p in old if p.exists()]
    if not old:
        return
    dest = out / "previous" / time.strftime("%Y%m%d-%H%M%S", time.localtime(old[0].stat().st_mtime))
    dest.mkdir(parents=True, exist_ok=True)
    for path in old:
        shutil.move(str(path), str(dest / path.name))
    progress(f"a previous run's {len(old)} file(s) in {out} moved to {dest}")


def load_data(args, cfg, progress):
    """The dataset's splits (at most the profile's clip_limit per split); SystemExit with one line if unreadable."""
    from model.datasets import load_splits

    dataset = args.dataset or "synthetic"
    progress(f"loading dataset {dataset!r}" + (f" ({args.split or 'official'} split)" if dataset == "fsdd" else ""))
    try:
        splits = load_splits(dataset, data_dir=args.data_dir, manifest=args.manifest, split=args.split or "official",
                             sample_rate=cfg.sample_rate, resampler=cfg.resampler, seed=0,
                             limit=args.profile.clip_limit)
    except (OSError, ValueError, RuntimeError) as err:
        raise SystemExit(f"dataset {dataset!r}: {err}") from None
    progress(f"{len(splits.train)} train / {len(splits.val)} val / {len(splits.test)} test clips, "
             f"{len(splits.skipped)} skipped")
    return splits


def dataset_info(dataset: str, split: Optional[str], splits, chosen: list[str]) -> dict:
    """results.json's dataset_info: the loaded split and its counts, or, where every chosen measurement that reads
    the data splits it its own way (a SPLIT attribute, e.g. loso), that split's name and the clips it joined."""
    info = dict(name=dataset, split=split, n_train=len(splits.train), n_val=len(splits.val), n_test=len(splits.test),
                classes=list(splits.labels))
    own = {getattr(measurements.get(m), "SPLIT", None) for m in chosen if measurements.get(m).NEEDS_DATA}
    if len(own) == 1 and None not in own:
        info.update(split=own.pop(), n_train=None, n_val=None, n_test=None,
                    n_clips=len(splits.train) + len(splits.val) + len(splits.test))
    return info


def gpu_label(gpu: str) -> str:
    """A GPU run's default label: the GPU, and the host CPU its CPU rows ran on ("NVIDIA H200 GPU, host CPU
    Intel Xeon, 16 cores")."""
    import os
    import re

    from bench.results import cpu_model

    host = re.sub(r"\((R|TM)\)|\bProcessor\b|\bCPU\b|@.*$", "", cpu_model() or "unknown").split()
    return f"{gpu} GPU, host CPU {' '.join(host) or 'unknown'}, {os.cpu_count()} cores"


def main(argv=None) -> int:
    args = parse_args(argv)
    exit_cleanly_on_sigterm()        # a stopped run keeps its atomic files whole and leaves no temporaries
    progress = Progress()
    profile = args.profile
    progress(f"profile {profile.name}: {profile.purpose}")
    deadline = time.monotonic() + args.deadline_s if args.deadline_s else None
    out = Path(args.out)
    backends = choose_backends(args.backend, progress, gpu_profile_backends() if profile.gpu_backends else None)
    backends = with_reference(backends, progress)
    if profile.needs_cuda and not torch.cuda.is_available():
        raise SystemExit(f"--profile {profile.name}: torch.cuda.is_available() is False on this machine; "
                         "use --profile gpu-rehearsal")
    devices = choose_devices("cuda" if profile.needs_cuda else args.device, progress)
    cfg = MFCCConfig.preset("matched")
    grid = grids.ThroughputGrid(**{**profile.grid.__dict__, "backends": backends})
    # what epoch_time and crossover weigh against the CPU: the GPU, or the CPU standing in for it
    accelerator = "cuda" if "cuda" in devices else profile.stand_in
    chosen = [m for m in measurements.names() if m in (args.only or profile.chosen_measurements())]
    dataset = args.dataset or "synthetic"
    label = args.label or (gpu_label(torch.cuda.get_device_name(0)) if "cuda" in devices else "CPU")
    results = new_results(label=label, small=profile.small, dataset=dataset, config=cfg.to_dict(), device=devices[-1])
    results.profile, results.backends, results.reference = profile.name, list(backends), REFERENCE
    results.backend_info, results.measurements, results.failed = backend_info(backends), chosen, []
    results.thinned, results.devices = grid.thinned(), list(devices)
    warnings.filterwarnings("ignore", message=".*(Empty filters|all zero values).*")  # 128 mels at 16 kHz
    set_aside_previous_run(out, progress)

    splits = None
    if any(measurements.get(m).NEEDS_DATA for m in chosen):
        splits = load_data(args, cfg, progress)
        results.tables["skipped"] = [Skipped(**s) for s in splits.skipped]
        results.dataset_info = dataset_info(dataset, (args.split or "official") if dataset == "fsdd" else None,
                                            splits, chosen)
    options = Options(epochs=args.epochs or profile.epochs, seeds=args.seeds or profile.seeds, split=(results.dataset_info or {}).get("split"),
                      train_device=devices[-1], out=str(out), accelerator=accelerator, deadline=deadline)
    ctx = Context(cfg=cfg, backends=backends, devices=devices, small=profile.small, grid=grid, splits=splits,
                  progress=progress, swap_defaults=profile.swap_defaults,
                  train_libraries_only=profile.train_libraries_only, options=options)
    save(results, out)
    for name in chosen:
        progress(f"== {name}")
        try:
            tables = measurements.get(name).run(ctx)
            check_tables(name, tables)     # records of reports.records only: a bare dict row is refused
            results.update_tables(tables)
        except Exception as err:  # one measurement failing keeps the others' results
            results.failed.append(dict(measurement=name, error=f"{type(err).__name__}: {err}"))
            progress(f"{name} FAILED: {type(err).__name__}: {err}")
        save(results, out)
    results.complete = not results.failed
    results.wall_s = time.perf_counter() - progress.start
    path = save(results, out)
    progress(f"wrote {path} and one CSV per measurement in {out}/" + ("" if results.complete else
             f" (incomplete: {', '.join(f['measurement'] for f in results.failed)} failed)"))
    asked = tuple(n for n in backends if get(n).full_grid) if "all" in args.backend else args.backend
    print(finish(results, out, report=not args.no_report, named=asked))
    return 0 if results.complete else 1


#: the repository's committed runs: their figures stand beside a small run's inconclusive accuracy comparison
COMMITTED = Path(__file__).resolve().parents[1] / "reports" / "results"
#: what to run after each profile, the terminal's last line
NEXT_STEP = {
    "compare": "make bench (every backend, agreement and a small accuracy check), then "
               "python -m bench.run --profile full --dataset fsdd for the committed runs' measurements",
    "quick": "python -m bench.run --profile full --dataset fsdd (every measurement, 5 seeds on FSDD speech); "
             "on a CUDA machine, make bench-gpu (docs/gpu.md)",
}
NEXT_OTHERWISE = ("set this run beside the committed ones: python -m reports.build reports/results/*/results.json "
                  "{out}/results.json --out out/report")


def committed_runs(run) -> list:
    """The committed runs (reports/results/*/results.json), read only where `run` has accuracy on fewer seeds
    than a verdict needs (reports.intervals.MIN_SEEDS); [] where there are none or they cannot be read."""
    from reports import skew
    from reports.data import load_runs
    from reports.intervals import MIN_SEEDS

    if not skew.n_seeds(run) or skew.n_seeds(run) >= MIN_SEEDS or not COMMITTED.is_dir():
        return []
    try:
        runs, _ = load_runs(sorted(COMMITTED.glob("*/results.json")))
    except (OSError, ValueError):
        return []
    return runs


def finish(results: RunResults, out: Path, *, report: bool = True, named: tuple = ()) -> str:
    """The answer, computed once from the run in memory (reports.answer), and the report built around the
    same answer; returns what the terminal shows: the answer, the report's path and the wall time, then the
    reference and the next step. `named`: the backends asked for (--backend), the answer's grid puts them
    against the reference. Nothing of the run is read back from disk: the records are taken as the file holds
    them (``plain()``: numpy numbers as Python numbers, tuples as lists), so the page is the one
    ``python -m reports.build`` makes from the file."""
    from reports.answer import answer, terminal
    from reports.data import Run, backend_order

    run = Run.of(RunResults.from_dict(results.plain()), source=f"{out.name}/results.json", dir=out)
    order = backend_order([run])
    the_answer = answer([run], order, named=tuple(named) or None, committed=committed_runs(run))
    page = None
    if report:
        from reports.build import build_report_for

        page = build_report_for([run], out / "report", the_answer)
    next_step = NEXT_STEP.get(str(results.profile), NEXT_OTHERWISE.format(out=out))
    return terminal(the_answer, report=page, wall_s=results.wall_s, next_step=next_step)


if __name__ == "__main__":
    sys.exit(main())
