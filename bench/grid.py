"""What is measured, as data: edit these grids, not the measuring code."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Generic, TypeVar

from features.backends import get as get_backend
from features.backends import runs_on


@dataclass(frozen=True)
class ThroughputGrid:
    """Extraction throughput points: every backend x device x batch size x clip duration, plus a
    thread sweep on the CPU, where the thread count matters: every backend whose speed the thread count
    sets (the reference, and those that compute on torch's threads: `Backend.uses_torch_threads`) at
    each of `thread_sweep_points` it is timed at, once per count in `thread_sweep` (a one-thread row is
    the DataLoader-worker case: torch runs one thread in each worker).

    Backends that declare `full_grid = False` (the peers) are timed at `thin_batch_sizes` x
    `thin_durations_s` only, and those that declare `per_clip = True` (a Python loop over clips) at
    `per_clip_batch_sizes` x `per_clip_durations_s`: the full run must stay under 15 minutes on 2 cores
    with every backend. The passes are never thinned."""

    backends: tuple = ()
    batch_sizes: tuple = (1, 8, 64, 256)
    durations_s: tuple = (0.5, 1.0, 4.0, 10.0)
    thin_batch_sizes: tuple = (1, 64, 256)
    thin_durations_s: tuple = (1.0, 10.0)
    per_clip_batch_sizes: tuple = (1, 64)
    per_clip_durations_s: tuple = (1.0,)
    thread_sweep: tuple = (1, 2)                 # thread counts, each timed beside the default (all cores)
    # (batch_size, duration_s) points of the sweep: the workloads the answer names (one clip, a training
    # batch, long recordings; reports.speed_rule.SCENARIOS)
    thread_sweep_points: tuple = ((1, 1.0), (64, 1.0), (64, 10.0))
    usual_point: tuple = (64, 1.0)               # the point the headline and overhead checks use
    min_time_s: float = 0.4
    min_repeats: int = 5                         # timed calls per point and pass, at least
    passes: int = 3                              # the whole grid this many times; see measurements.throughput
    memory_batch_sizes: tuple = (1, 8, 64, 256)
    cpu_backends: tuple | None = None            # time only these on the CPU (None: every backend)
    crossover_batch_sizes: tuple = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)   # see measurements.crossover
    crossover_durations_s: tuple = (1.0, 10.0)
    crossover_cpu_backends: tuple = ("librosa", "torchaudio")    # what the accelerator must beat

    def sizes_for(self, backend: str) -> tuple[tuple, tuple]:
        """(batch sizes, durations) at which `backend` is timed."""
        cls = get_backend(backend)
        if cls.per_clip:
            return self.per_clip_batch_sizes, self.per_clip_durations_s
        if not cls.full_grid:
            return self.thin_batch_sizes, self.thin_durations_s
        return self.batch_sizes, self.durations_s

    def thinned(self) -> list[str]:
        """One sentence per backend timed on fewer points than the full grid (for results and report)."""
        out = []
        for backend in self.backends:
            sizes, durations = self.sizes_for(backend)
            if (sizes, durations) != (self.batch_sizes, self.durations_s):
                out.append(f"{backend}: batch {', '.join(map(str, sizes))} x {', '.join(map(str, durations))} s only")
        return out

    def points(self, devices: tuple) -> list[dict]:
        """One dict per measured point: backend, device, batch_size, duration_s, threads (None = default)."""
        rows = []
        # backends innermost: the points compared with each other are measured back to back, so slow
        # drift in a shared machine's speed biases their ratio as little as it can
        for batch, duration, device, backend in product(self.batch_sizes, self.durations_s, devices,
                                                        self.backends):
            sizes, durations = self.sizes_for(backend)
            if device == "cpu" and self.cpu_backends is not None and backend not in self.cpu_backends:
                continue
            if runs_on(backend, device) and batch in sizes and duration in durations:
                rows.append(dict(backend=backend, device=device, batch_size=batch, duration_s=duration,
                                 threads=None))
        for backend, (batch, duration), threads in product(self.backends, self.thread_sweep_points,
                                                           self.thread_sweep):
            sizes, durations = self.sizes_for(backend)
            if self.swept(backend) and batch in sizes and duration in durations:
                rows.append(dict(backend=backend, device="cpu", batch_size=batch, duration_s=duration,
                                 threads=threads))
        return rows

    def swept(self, backend: str) -> bool:
        """Whether `backend` is in the thread sweep: timed on the CPU, and the reference (timed on the whole
        grid) or computing on torch's intra-op threads (`Backend.uses_torch_threads`)."""
        cls = get_backend(backend)
        on_cpu = runs_on(backend, "cpu") and (self.cpu_backends is None or backend in self.cpu_backends)
        return on_cpu and (cls.full_grid or cls.uses_torch_threads)


FULL = ThroughputGrid()
# The three workloads the verdict names (one clip, a training batch, long recordings) and nothing else:
# the `quick` and `compare` profiles, which must answer on a 2-core machine in about 3 and 2 minutes. Two
# passes, so the verdict has a pass range; three timed calls a point and pass; each workload also at one
# thread (the DataLoader-worker case) for the reference and the torch backends.
THREE_WORKLOADS = ThroughputGrid(batch_sizes=(1, 64), durations_s=(1.0, 10.0), thin_batch_sizes=(1, 64),
                                 thin_durations_s=(1.0, 10.0), per_clip_batch_sizes=(1, 64), thread_sweep=(1,),
                                 min_time_s=0.1, min_repeats=3, passes=2, memory_batch_sizes=(64,))
# Every measurement's grid at small sizes: the `standard` and `generalisation` profiles.
SMALL = ThroughputGrid(batch_sizes=(1, 64), durations_s=(1.0, 4.0), thin_batch_sizes=(1, 64),
                       thin_durations_s=(1.0,), per_clip_batch_sizes=(1, 8), thread_sweep=(1,), min_time_s=0.15,
                       passes=1, memory_batch_sizes=(1, 64))
# The GPU session's profile (bench.gpu.session, `bench.run --profile gpu`): every CUDA backend on the GPU
# with and without the host-to-device copy, and the CPU points of the libraries the GPU is weighed against,
# on the same machine; two passes, sized so the session's throughput step ends in about two minutes.
GPU = ThroughputGrid(batch_sizes=(1, 8, 64, 256), durations_s=(1.0, 10.0), thin_batch_sizes=(1, 64, 256),
                     thin_durations_s=(1.0, 10.0), per_clip_batch_sizes=(1, 64), per_clip_durations_s=(1.0,),
                     thread_sweep=(), min_time_s=0.2, passes=2, memory_batch_sizes=(1, 64, 256),
                     cpu_backends=("librosa", "torchaudio", "librosa_torch"))
# The same plan cut down for a rehearsal on a CPU (`--profile gpu-rehearsal`): the CPU stands in for the
# accelerator, so every profile backend is timed once, on the CPU.
GPU_REHEARSAL = ThroughputGrid(batch_sizes=(1, 8), durations_s=(1.0,), thin_batch_sizes=(1, 8),
                               thin_durations_s=(1.0,), per_clip_batch_sizes=(1,), per_clip_durations_s=(1.0,),
                               thread_sweep=(), min_time_s=0.02, passes=2, memory_batch_sizes=(1, 8),
                               crossover_batch_sizes=(1, 2, 4), crossover_durations_s=(1.0,))
PROFILES = {"gpu": GPU, "gpu-rehearsal": GPU_REHEARSAL}

# Agreement: every backend against the reference (features.backends.REFERENCE) under these presets,
# where both can honour them; see measurements/agreement.py for the pairs each preset makes.
#   matched         the backend and the reference configured identically
#   <lib>_defaults  one library's defaults, written out, in the backend and the reference (the interface
#                   honours them)
#   defaults_swap   each backend with its own library's defaults (shapes differ: the overlap is compared)
#   naive_port      the backend's defaults with the reference's n_mfcc, n_fft, hop and n_mels copied over
# The ablation: one parameter at a time from `matched`, changed on the compared backend's side only,
# to the value the other library's defaults use (or a common alternative), against the reference under
# `matched`: the error that one difference alone causes.
T = TypeVar("T")


@dataclass(frozen=True)
class Sizes(Generic[T]):
    """One size (a count, a tuple of points, ...) for the profiles with small sizes (Profile.small) and
    one for the others.

    Attributes:
        small (T): used where ctx.small is true. full (T): used otherwise.
    """

    small: T
    full: T

    def pick(self, small: bool) -> T:
        """`small` where `small` is true, else `full`."""
        return self.small if small else self.full


# real clips the agreement and ablation compare on, per run mode; batch invariance uses the first of them
AGREEMENT_CLIPS = Sizes(small=32, full=256)
BATCH_INVARIANCE_CLIPS = 32
ABLATION = (
    ("mel_scale", "htk"),
    ("mel_norm", None),
    ("pad_mode", "reflect"),
    ("top_db_scope", "batch"),
    ("window", "hamming"),
    ("n_fft", 400),
    ("dtype", "float64"),
    ("resampler", "torchaudio"),
)
# the fields a user copies when porting code from one library to the other (they fix the shape)
SHAPE_FIELDS = ("n_mfcc", "n_fft", "win_length", "hop_length", "n_mels", "sample_rate", "sample_size")
