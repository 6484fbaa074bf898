"""What is measured, as data: edit these grids, not the measuring code."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product


@dataclass(frozen=True)
class ThroughputGrid:
    """Extraction throughput points: every backend x device x batch size x clip duration, plus a
    thread sweep at one (batch, duration) point for the CPU, where the thread count matters."""

    backends: tuple = ("librosa", "torchaudio")
    batch_sizes: tuple = (1, 8, 64, 256)
    durations_s: tuple = (0.5, 1.0, 4.0, 10.0)
    thread_sweep: tuple = (1, 2)
    thread_sweep_point: tuple = (64, 1.0)        # (batch_size, duration_s)
    usual_point: tuple = (64, 1.0)               # the point the headline and overhead checks use
    min_time_s: float = 0.4
    passes: int = 3                              # the whole grid this many times; see run_throughput
    memory_batch_sizes: tuple = (1, 8, 64, 256)

    def points(self, devices: tuple) -> list[dict]:
        """One dict per measured point: backend, device, batch_size, duration_s, threads (None = default)."""
        rows = []
        # backends innermost: the points compared with each other are measured back to back, so slow
        # drift in a shared machine's speed biases their ratio as little as it can
        for batch, duration, device, backend in product(self.batch_sizes, self.durations_s, devices,
                                                        self.backends):
            if backend == "librosa" and device != "cpu":
                continue
            rows.append(dict(backend=backend, device=device, batch_size=batch, duration_s=duration,
                             threads=None))
        batch, duration = self.thread_sweep_point
        for backend, threads in product(self.backends, self.thread_sweep):
            rows.append(dict(backend=backend, device="cpu", batch_size=batch, duration_s=duration,
                             threads=threads))
        return rows


FULL = ThroughputGrid()
QUICK = ThroughputGrid(batch_sizes=(1, 64), durations_s=(1.0, 4.0), thread_sweep=(1,), min_time_s=0.15,
                       passes=1, memory_batch_sizes=(1, 64))

# Agreement: the presets compared, and the one-parameter-at-a-time ablation from `matched`.
# Each ablation step changes the torchaudio side only, to the value torchaudio's defaults use
# (or, where both libraries share a default, to a common alternative), and compares with librosa
# under `matched`: the error that one difference alone causes.
AGREEMENT_PAIRS = (
    # (name, librosa-side preset, torchaudio-side preset, note)
    ("matched", "matched", "matched", "both backends configured identically"),
    ("librosa_defaults", "librosa_defaults", "librosa_defaults", "librosa's defaults in both backends"),
    ("torchaudio_defaults", "torchaudio_defaults", "torchaudio_defaults",
     "torchaudio's defaults in both backends"),
    ("defaults_swap", "librosa_defaults", "torchaudio_defaults",
     "each library with its own defaults (shapes differ: the overlap is compared)"),
    ("naive_port", "librosa_defaults", "naive_port",
     "torchaudio's defaults with librosa's n_mfcc, n_fft, hop and n_mels copied over"),
)
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
