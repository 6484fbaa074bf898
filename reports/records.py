"""One frozen dataclass per results table: the one declaration of what a record of results.json holds.

Measurements build these records and the writer (bench.results) serialises them with
``dataclasses.asdict``; :mod:`reports.schema` derives from their fields the validation, the CSV
columns and the upgrade of older files. A field without a default is *required* (the report cannot
use a record without it); every other field defaults to ``None``. Adding a field to a table is one
line here (and the measurement that fills it).

Types: ``str`` text, ``int``/``float`` numbers (either JSON number is accepted for both; ``True``
never counts as a number), ``bool`` true/false, ``list[float]``/``list[int]`` lists of numbers,
``list``/``dict`` any JSON list/object, ``Any`` not checked. ``Optional[X]`` allows null.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

from reports.records_studies import Generalisation as Generalisation
from reports.records_studies import Loso as Loso

record = dataclasses.dataclass(frozen=True, kw_only=True)


@record
class Throughput:
    """One timed grid point (bench.measurements.throughput)."""
    backend: str
    device: str
    batch_size: int
    duration_s: float
    threads: Optional[int] = None
    thread_sweep: Optional[bool] = None
    includes_transfer: Optional[bool] = None
    config: Optional[str] = None
    median_s: float
    q1_s: Optional[float] = None
    q3_s: Optional[float] = None
    iqr_s: Optional[float] = None
    repeats: Optional[int] = None
    clips_per_s: Optional[float] = None
    realtime_factor: float
    realtime_factor_q1: Optional[float] = None
    realtime_factor_q3: Optional[float] = None
    audio_s: Optional[float] = None
    passes: Optional[int] = None
    pass_medians_s: Optional[list[float]] = None
    ceiling_fraction: Optional[float] = None


@record
class Ceiling:
    """The device's FFT-plus-mel ceiling at one point (throughput)."""
    device: str
    batch_size: int
    duration_s: float
    fft_s: Optional[float] = None
    mel_s: Optional[float] = None
    total_s: float
    realtime_factor: Optional[float] = None
    chunk_clips: Optional[int] = None
    whole_batch_s: Optional[float] = None
    chunked_s: Optional[float] = None
    passes: Optional[int] = None


@record
class Scaling:
    """median_s = a * duration^exponent for one backend, device and batch size (throughput)."""
    backend: str
    device: str
    batch_size: int
    exponent: float
    durations_s: Optional[list[float]] = None


@record
class Overhead:
    """This project's extractor against the wrapped library called directly (overhead)."""
    backend: str
    device: str
    batch_size: Optional[int] = None
    duration_s: Optional[float] = None
    interface_s: Optional[float] = None
    direct_s: Optional[float] = None
    overhead: float
    overhead_q1: Optional[float] = None
    overhead_q3: Optional[float] = None
    pairs: Optional[int] = None


@record
class ColdStart:
    """Import, CUDA context, first and steady call of one backend in a fresh process (cold_start)."""
    backend: str
    device: str
    import_s: Optional[float] = None
    cuda_context_s: Optional[float] = None
    first_call_s: Optional[float] = None
    steady_call_s: Optional[float] = None


@record
class Memory:
    """Peak memory of one call at one batch size (cold_start)."""
    backend: str
    device: str
    duration_s: float
    batch_size: int
    peak_bytes: Optional[int] = None
    above_baseline_bytes: Optional[int] = None
    kind: Optional[str] = None
    peak_reset: Optional[bool] = None


@record
class Io:
    """Decode or resample throughput over files (io)."""
    stage: str
    method: str
    files: Optional[int] = None
    audio_s: Optional[float] = None
    seconds: Optional[float] = None
    realtime_factor: float
    from_sr: Optional[int] = None
    to_sr: Optional[int] = None


@record
class Agreement:
    """One backend against a reference under one preset (agreement)."""
    backend: str
    reference: str
    device: Optional[str] = None
    preset: str
    reference_preset: Optional[str] = None
    backend_preset: Optional[str] = None
    note: Optional[str] = None
    definition: Optional[str] = None
    n_clips: Optional[int] = None
    dtype: Optional[str] = None
    max_abs_error: Optional[float] = None
    mean_abs_error: Optional[float] = None
    rel_error: float
    correlation: Optional[float] = None
    reference_shape: Optional[list[int]] = None
    shape: Optional[list[int]] = None
    shapes_match: Optional[bool] = None
    compared_shape: Optional[list[int]] = None


@record
class AgreementPerCoeff:
    """The error of one MFCC coefficient (agreement)."""
    backend: Optional[str] = None
    reference: Optional[str] = None
    device: Optional[str] = None
    preset: str
    coeff: int
    max_abs_error: Optional[float] = None
    mean_abs_error: Optional[float] = None


@record
class Ablation:
    """One parameter changed on the compared backend's side only (ablation)."""
    parameter: str
    value: Any = None
    backend: Optional[str] = None
    reference: Optional[str] = None
    device: Optional[str] = None
    max_abs_error: Optional[float] = None
    rel_error: float
    correlation: Optional[float] = None
    rank: Optional[int] = None


@record
class BatchInvariance:
    """Clips alone against the same clips inside a loud batch, per top_db scope (batch_invariance)."""
    backend: str
    device: Optional[str] = None
    scope: str
    n_clips: Optional[int] = None
    batch_size: Optional[int] = None
    max_abs_error: float
    rel_error: Optional[float] = None


@record
class Accuracy:
    """A model trained on one backend's features, served with another's (accuracy). `epochs` is the epochs
    run, `max_epochs` the limit, `best_epoch` the validation-best epoch whose weights were kept, and
    `stopped_early` whether early stopping ended the training before the limit (reports.seed_flags flags it)."""
    preset: str
    train_backend: str
    seed: Optional[int] = None
    device: Optional[str] = None
    split: Optional[str] = None
    epochs: Optional[int] = None
    max_epochs: Optional[int] = None
    best_epoch: Optional[int] = None
    stopped_early: Optional[bool] = None
    n_train: Optional[int] = None
    n_test: Optional[int] = None
    train_seconds: Optional[float] = None
    train_config: Optional[str] = None
    test_backend: str
    test_accuracy: float
    extraction_seconds: Optional[float] = None
    serve_config: Optional[str] = None
    per_class_accuracy: Optional[dict[str, Any]] = None
    confusion: Optional[list[Any]] = None
    labels: Optional[list[Any]] = None


@record
class EpochTime:
    """One training: features in the loop on the accelerator, or cached from the CPU (epoch_time)."""
    path: str
    backend: Optional[str] = None
    device: Optional[str] = None
    epoch_seconds: float
    extraction_seconds: Optional[float] = None
    epochs: Optional[int] = None
    test_accuracy: Optional[float] = None


@record
class Skipped:
    """A file the run could not use, and why (bench.run, from the dataset's skip log)."""
    file: str
    reason: str


@record
class Stage:
    """One stage of a backend's call timed on its own, beside the whole call (stages)."""
    backend: str
    device: str
    batch_size: int
    duration_s: float
    stage: str
    median_s: float
    q1_s: Optional[float] = None
    q3_s: Optional[float] = None
    share: Optional[float] = None
    whole_s: Optional[float] = None
    stages_sum_s: Optional[float] = None
    sum_ratio: Optional[float] = None
    within_10pct: Optional[bool] = None
    note: Optional[str] = None


@record
class PowerStep:
    """The stock power step against real^2 + imag^2, alone and in the whole call (power_step)."""
    backend: str
    device: str
    batch_size: int
    duration_s: Optional[float] = None
    stage_stock_s: float
    stage_cheap_s: float
    stage_speedup: Optional[float] = None
    whole_stock_s: float
    whole_cheap_s: float
    whole_speedup: Optional[float] = None
    max_abs_diff: Optional[float] = None
    rel_diff: Optional[float] = None


@record
class Pipeline:
    """Samples per second a training input pipeline delivers (pipeline)."""
    backend: str
    device: str
    mode: str
    workers: Optional[int] = None
    batch_size: Optional[int] = None
    samples_per_s: float
    decode_s_per_sample: Optional[float] = None
    features_s_per_sample: Optional[float] = None
    limiting_stage: Optional[str] = None
    n_samples: Optional[int] = None


@record
class CorpusScaling:
    """The corpus job on one engine and worker count (corpus_scaling)."""
    backend: str
    device: str
    engine: str
    workers: int
    files: Optional[int] = None
    audio_hours: Optional[float] = None
    wall_s: Optional[float] = None
    audio_hours_per_hour: float
    audio_hours_per_hour_per_worker: Optional[float] = None
    speedup_vs_one_worker: Optional[float] = None
    efficiency: Optional[float] = None
    overhead_vs_single_process: Optional[float] = None
    engine_start_s: Optional[float] = None


@record
class Projection:
    """Projected wall time to featurise a corpus on `count` workers or GPUs (corpus_scaling)."""
    backend: str
    device: str
    resource: str
    count: int
    corpus_hours: Optional[int] = None
    projected_wall_h: float
    basis: Optional[str] = None
    label: Optional[str] = None


@record
class Crossover:
    """From which batch size the accelerator, copy included, beats a CPU library (crossover)."""
    backend: str
    device: str
    includes_transfer: Optional[bool] = None
    competitor: str
    competitor_device: Optional[str] = None
    duration_s: float
    crossover_batch: Optional[int] = None
    batch_sizes: list[int]
    backend_s: Optional[list[float]] = None
    competitor_s: Optional[list[float]] = None
    note: Optional[str] = None


@record
class Latency:
    """Single-clip latency: one backend called on one clip at a time, every call timed (latency)."""
    backend: str
    device: str
    config: Optional[str] = None
    duration_s: float
    threads: Optional[int] = None
    calls: int
    p50_s: float
    p90_s: Optional[float] = None
    p99_s: float
    max_s: Optional[float] = None
    mean_s: Optional[float] = None
    rounds: Optional[int] = None
    round_p50s_s: Optional[list[float]] = None


@record
class GraphReplay:
    """One CUDA backend at one point: the call as users make it, its forward without the input check, and the
    forward replayed as a captured CUDA graph (graph_replay). status "refused": it could not be captured (reason)."""
    backend: str
    device: str
    batch_size: int
    duration_s: float
    status: str
    reason: Optional[str] = None
    audio_s: Optional[float] = None
    call_s: Optional[float] = None
    forward_s: Optional[float] = None
    graph_s: Optional[float] = None
    call_pass_medians_s: Optional[list[float]] = None
    forward_pass_medians_s: Optional[list[float]] = None
    graph_pass_medians_s: Optional[list[float]] = None
    max_rel_diff: Optional[float] = None


#: Table name -> its record class, in the order the tables are documented (and written as CSVs).
RECORDS: dict[str, type] = {
    "throughput": Throughput, "ceiling": Ceiling, "scaling": Scaling, "overhead": Overhead,
    "cold_start": ColdStart, "memory": Memory, "io": Io, "agreement": Agreement,
    "agreement_per_coeff": AgreementPerCoeff, "ablation": Ablation, "batch_invariance": BatchInvariance,
    "accuracy": Accuracy, "generalisation": Generalisation, "loso": Loso, "epoch_time": EpochTime, "skipped": Skipped, "stages": Stage,
    "power_step": PowerStep, "pipeline": Pipeline, "corpus_scaling": CorpusScaling, "projection": Projection,
    "crossover": Crossover, "latency": Latency, "graph_replay": GraphReplay,
}


def fields(table: str) -> tuple[str, ...]:
    """The field names of ``table``'s record, in declaration order (the CSV's columns)."""
    return tuple(f.name for f in dataclasses.fields(RECORDS[table]))


def as_row(rec: Any) -> dict[str, Any]:
    """A record as the flat dict results.json holds (``dataclasses.asdict``)."""
    return dataclasses.asdict(rec)
