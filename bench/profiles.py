"""Run profiles: how much `python -m bench.run` measures, named by what a person runs it for.

    python -m bench.run --backend torchaudio # one or two backends named: --profile compare, the named
                                             # backends against librosa (about 2 minutes on 2 cores)
    python -m bench.run --profile quick      # `make bench`: your machine's answer in about 3 minutes
    python -m bench.run --profile standard   # every measurement, small sizes (about 6 minutes on 2 cores)
    python -m bench.run --profile full       # `make bench-full`: the committed runs (about 30 minutes on 2 cores, 5 seeds)
    python -m bench.run --profile gpu        # the GPU session's steps (bench/gpu/plan.py runs them; needs CUDA)
    python -m bench.run --profile gpu-rehearsal   # the same, cut down, with the CPU standing in for the GPU
    python -m bench.run --profile deploy --backend librosa,torchaudio,librosa_torch,onnxruntime --dataset fsdd
                                             # serving: latency, ONNX Runtime beside the libraries (docs/deploy.md)
    python -m bench.run --profile generalisation --dataset fsdd --split speakers
                                             # accuracy over 5 seeds and the settings study (about 40 minutes)
    python -m bench.run --profile loso --dataset fsdd      # leave-one-speaker-out, two classifiers

A profile names the throughput grid, the measurements it runs (`--only` picks others), whether the
measurements use their small sizes (`small`: fewer clips, shorter training, the `quick` mode of each
measurement), how many clips per split it loads, and whether accuracy also trains on each library's own
defaults and serves it through a naive port to the other library (`swap_defaults`: the finding that a
library swap costs tens of points of accuracy), and how many training seeds each accuracy comes from
(`seeds`: its mean and 95% interval, reports/intervals.py). The wall times each run took are in its results
(`wall_s`), so the README's figures come from runs, not from this docstring.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from . import grid as grids
from .measurements import default_names, names as measurement_names


@dataclass(frozen=True)
class Profile:
    """One way to run the suite.

    Attributes:
        name (str): what `--profile` takes.
        purpose (str): one line for `--help` and the results.
        grid (bench.grid.ThroughputGrid): the throughput points (backends are filled in by bench.run).
        measurements (tuple[str] | None): the measurements it runs, in registry order; None: all of them but
            the opt-in ones (bench.measurements.OPT_IN).
        small (bool): measurements use their small sizes (results record it as `quick`).
        clip_limit (int | None): at most this many clips per split (None: the whole dataset).
        swap_defaults (bool): accuracy also trains on each library's defaults and serves a naive port.
        epochs (int | None): training epochs where --epochs is not given (None: the measurement's own).
        train_libraries_only (bool): accuracy trains only on the two libraries the question is about
            (backends with full_grid); the other backends still serve those models.
        gpu_backends (bool): 'all' means the backends that run on CUDA, plus the grid's cpu_backends.
        needs_cuda (bool): refuse to run without CUDA, and measure on it.
        stand_in (str | None): the device that stands in for the accelerator where there is none
            ("cpu" in the rehearsal: epoch_time and crossover run there).
        seeds (int): training seeds per accuracy figure (`--seeds` overrides); 2 gives an interval, wide.
    """

    name: str
    purpose: str
    grid: grids.ThroughputGrid
    measurements: Optional[tuple] = None
    small: bool = True
    clip_limit: Optional[int] = 240
    swap_defaults: bool = False
    epochs: Optional[int] = None
    train_libraries_only: bool = False
    gpu_backends: bool = False
    needs_cuda: bool = False
    stand_in: Optional[str] = None
    seeds: int = 2

    def chosen_measurements(self) -> tuple:
        """The measurement names this profile runs, in the registry's order."""
        if self.measurements is None:
            return default_names()
        return tuple(m for m in measurement_names() if m in self.measurements)


PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("quick", "the three workloads on every backend, agreement, and a small accuracy and skew check "
            "(make bench; about 3 minutes on 2 cores)",
            grids.THREE_WORKLOADS, measurements=("throughput", "agreement", "accuracy"), clip_limit=160, swap_defaults=True,
            epochs=10, train_libraries_only=True, seeds=2),
    Profile("compare", "the named backends against librosa: the three workloads at all cores and at one thread, "
            "and whether their numbers agree (the default where one or two backends are named; about 2 minutes "
            "on 2 cores)", grids.THREE_WORKLOADS, measurements=("throughput", "agreement"), clip_limit=160),
    Profile("standard", "every measurement at small sizes (about 6 minutes on 2 cores)", grids.SMALL),
    Profile("full", "every measurement at full size, the whole dataset: the committed runs (make bench-full)",
            grids.FULL, small=False, clip_limit=None, swap_defaults=True, seeds=5),
    Profile("gpu", "the GPU session: every CUDA backend on the GPU beside librosa, torchaudio and librosa_torch on the "
            "same machine's CPU (bench/gpu/session.py runs it one measurement at a time; needs CUDA)",
            grids.GPU, small=False, clip_limit=None, gpu_backends=True, needs_cuda=True),
    Profile("gpu-rehearsal", "the GPU session cut down, the CPU standing in for the GPU",
            grids.GPU_REHEARSAL, gpu_backends=True, stand_in="cpu"),
    Profile("deploy", "the deployment question on a shared 2-core machine: the three workloads, single-clip latency "
            "(1,000 calls each), cold start, agreement, batch invariance, and accuracy on 3 seeds with models trained "
            "on librosa and torchaudio served by every backend (onnxruntime included); about 30 minutes",
            grids.THREE_WORKLOADS, measurements=("throughput", "cold_start", "latency", "agreement", "batch_invariance",
                                        "accuracy"),
            small=False, clip_limit=None, epochs=15, train_libraries_only=True, seeds=3),
    Profile("generalisation", "accuracy on 5 seeds and which MFCC settings carry over to unseen speakers, one "
            "setting at a time (use --dataset fsdd --split speakers; about 40 minutes on 2 cores)",
            grids.SMALL, measurements=("accuracy", "generalisation"), small=False, clip_limit=None,
            swap_defaults=True, train_libraries_only=True, seeds=5),
    Profile("loso", "leave-one-speaker-out: the presets and Kaldi's defaults with one setting reverted at a time, "
            "6 speaker folds, a CNN and a logistic regression (use --dataset fsdd)",
            grids.SMALL, measurements=("loso",), small=False, clip_limit=None, seeds=3),
)}
DEFAULT = "full"
#: the default where one or two backends are named (`--backend torchaudio`): an answer in minutes
FEW_BACKENDS = "compare"


def default_for(backends: tuple) -> str:
    """The profile `bench.run` runs where no --profile is given: FEW_BACKENDS where `backends` (what
    --backend parsed to) names one or two backends, else DEFAULT ('all' included)."""
    return FEW_BACKENDS if "all" not in backends and len(backends) <= 2 else DEFAULT


def get(name: str) -> Profile:
    """The profile called `name`; ValueError naming the choices otherwise."""
    if name not in PROFILES:
        raise ValueError(f"profile={name!r}: must be one of {', '.join(PROFILES)}")
    return PROFILES[name]
