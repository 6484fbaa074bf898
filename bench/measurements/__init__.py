"""The measurement registry: one module per measurement, listed once in `MODULES`.

Each module defines:
    NAME (str)           the name `bench.run --only` takes
    TABLES (tuple[str])  the record lists of results.json it fills (each also becomes a CSV)
    NEEDS_DATA (bool)    whether it reads the dataset's splits (ctx.splits)
    SPLIT (str, optional) where it joins the clips and splits them its own way (loso: "loso"), that split's
                         name: results.json then records it and the clip count, not the loaded split's counts
    run(ctx) -> dict     {table name: list of records} for every name in TABLES, each record an
                         instance of that table's dataclass in reports.records (bench.run refuses
                         anything else, a bare dict row included); agreement also returns
                         "example_clip" (a top-level field of results.json)

`bench.run` builds one `Context`, runs the chosen measurements in the order below, and writes the
results after each. A measurement never imports another one's module; shared helpers live in
bench/timing.py, bench/grid.py and bench/measurements/support/batches.py.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:   # imported lazily: the cold-start probe runs inside this package and times imports
    from bench.grid import ThroughputGrid
    from features import MFCCConfig

# in the order they run (cheap and essential first, so an interrupted run keeps the most)
MODULES: dict[str, str] = {
    "throughput": "bench.measurements.throughput",
    "overhead": "bench.measurements.overhead",
    "cold_start": "bench.measurements.cold_start",
    "latency": "bench.measurements.latency",
    "crossover": "bench.measurements.crossover",
    "graph_replay": "bench.measurements.graph_replay",
    "io": "bench.measurements.io",
    "stages": "bench.measurements.stages",
    "power_step": "bench.measurements.power_step",
    "agreement": "bench.measurements.agreement",
    "ablation": "bench.measurements.ablation",
    "batch_invariance": "bench.measurements.batch_invariance",
    "accuracy": "bench.measurements.accuracy",
    "generalisation": "bench.measurements.generalisation",
    "loso": "bench.measurements.loso",
    "epoch_time": "bench.measurements.epoch_time",
    "pipeline": "bench.measurements.pipeline",          # before corpus_scaling: no DataLoader forks beside Ray
    "corpus_scaling": "bench.measurements.corpus_scaling",
}
#: Measurements that run only where a profile or `--only` names them (the settings and leave-one-speaker-out studies).
OPT_IN = ("generalisation", "loso")


@dataclass(frozen=True)
class Options:
    """The command-line options measurements read beside the profile (bench.run fills them).

    Attributes:
        epochs (int | None): maximum training epochs (None: the measurement's own default).
        seeds (int): training seeds per accuracy figure (each training runs once per seed).
        split (str | None): the FSDD split ("official" | "speakers"), None for other datasets.
        train_device (str): where accuracy trains ("cpu" or "cuda").
        out (str | None): the output folder.
        accelerator (str | None): what epoch_time and crossover put against the CPU: "cuda" where a GPU
            is measured, "cpu" in the GPU session's rehearsal, else None (they measure nothing).
        deadline (float | None): a time.monotonic() value after which measurements that loop start no
            new work; None: no limit.
    """

    epochs: Optional[int] = None
    seeds: int = 1
    split: Optional[str] = None
    train_device: str = "cpu"
    out: Optional[str] = None
    accelerator: Optional[str] = None
    deadline: Optional[float] = None


@dataclass
class Context:
    """What every measurement may read.

    Attributes:
        cfg (MFCCConfig): the `matched` config every speed measurement uses.
        backends (tuple[str]): the backends chosen on the command line (registry names).
        devices (tuple[str]): the device types measured, ("cpu",) or ("cpu", "cuda").
        small (bool): the measurements' small sizes (Sizes.small) and short training.
        grid: bench.grid.ThroughputGrid for this run (None for a measurement that times no grid).
        splits: model.datasets.Splits, or None for measurements with NEEDS_DATA False.
        progress (callable): progress(message) prints a timestamped line on stderr.
        swap_defaults (bool): accuracy also trains on each library's own defaults and serves the model
            through a naive port to the other libraries (the profile decides; bench/profiles.py).
        train_libraries_only (bool): accuracy trains only on the backends the suite's question is about
            (those timed on the full grid); the others still serve those models.
        options (Options): the other command-line options (epochs, seeds, split, train_device, out,
            accelerator, deadline).
    """

    cfg: MFCCConfig
    backends: tuple
    devices: tuple
    small: bool
    grid: Optional[ThroughputGrid]
    splits: object = None
    progress: Callable[[str], None] = print
    swap_defaults: bool = False
    train_libraries_only: bool = False
    options: Options = field(default_factory=Options)

    def config_for(self, backend: str, **overrides) -> MFCCConfig:
        """The config `backend` is timed with: `cfg` where it can honour it, else its library's defaults
        preset at the same rate and clip length (a Kaldi-definition backend cannot compute `matched`)."""
        from features import MFCCConfig
        from features.backends import get

        cls = get(backend)
        cfg = self.cfg
        if not cls.honours(cfg) and cls.defaults_preset:
            cfg = MFCCConfig.preset(cls.defaults_preset, sample_rate=cfg.sample_rate, sample_size=cfg.sample_size)
        return cfg.replace(**overrides) if overrides else cfg

    def config_name(self, backend: str) -> str:
        """"matched" where `config_for(backend)` is `cfg`, else the preset name it used."""
        from features.backends import get

        return "matched" if get(backend).honours(self.cfg) else str(get(backend).defaults_preset)

    def pairs(self):
        """(backend, device) pairs to measure: every chosen backend on every measured device it runs on
        (on the CPU only those of `grid.cpu_backends`, where the grid names them)."""
        from features.backends import runs_on

        cpu_only = self.grid.cpu_backends if self.grid is not None else None
        return [(b, d) for b in self.backends for d in self.devices
                if runs_on(b, d) and not (d == "cpu" and cpu_only is not None and b not in cpu_only)]


def names() -> tuple:
    """Every measurement name, in run order."""
    return tuple(MODULES)


def default_names() -> tuple:
    """The measurements a profile that lists none runs: every one but the opt-in ones."""
    return tuple(n for n in MODULES if n not in OPT_IN)


def get(name: str) -> ModuleType:
    """The module of measurement `name`; ValueError listing the names otherwise."""
    if name not in MODULES:
        raise ValueError(f"measurement {name!r}: must be one of {names()}")
    return importlib.import_module(MODULES[name])
