"""Decode (soundfile) and resample (soxr_hq, torchaudio cached, torchaudio.functional) throughput over
the dataset's files, or over generated WAV files (deleted afterwards) where it has none."""
from __future__ import annotations

import tempfile
from pathlib import Path

import torch

from features.frontend import resample
from reports.records import Io

from .support.batches import make_batch
from ..timing import time_call

NAME = "io"
TABLES = ("io",)
NEEDS_DATA = True
MAX_FILES = 300


def measure(files: list, *, target_sr: int, min_time_s: float = 0.3) -> list[Io]:
    """Decode and resample records over `files` (paths)."""
    import soundfile as sf
    import torchaudio.functional as F

    decoded = [sf.read(str(f), dtype="float32")[0] for f in files]
    rate = sf.info(str(files[0])).samplerate
    audio_s = sum(len(d) for d in decoded) / rate

    def record(stage, method, fn, to_sr):
        stats = time_call(fn, warmup=1, min_repeats=3, min_time_s=min_time_s)
        return Io(stage=stage, method=method, files=len(files), audio_s=audio_s, seconds=stats.median_s,
                  realtime_factor=audio_s / stats.median_s, from_sr=rate, to_sr=to_sr)

    rows = [record("decode", "soundfile", lambda: [sf.read(str(f), dtype="float32") for f in files], rate)]
    if rate != target_sr:
        methods = {
            "soxr_hq": lambda d: resample(d, rate, target_sr, resampler="soxr_hq"),
            "torchaudio": lambda d: resample(d, rate, target_sr, resampler="torchaudio"),  # kernel cached
            "torchaudio.functional": lambda d: F.resample(torch.from_numpy(d), rate, target_sr),  # rebuilt per call
        }
        for method, fn in methods.items():
            rows.append(record("resample", method, lambda fn=fn: [fn(d) for d in decoded], target_sr))
    return rows


def write_wavs(folder: Path, n: int, sample_rate: int = 8000, duration_s: float = 0.5) -> list[Path]:
    """`n` 16-bit WAV files of noise bursts in `folder`."""
    import soundfile as sf

    paths = []
    for i, clip in enumerate(make_batch(n, duration_s, sample_rate, seed=3)):
        path = folder / f"clip_{i:04d}.wav"
        sf.write(path, clip, sample_rate, subtype="PCM_16")
        paths.append(path)
    return paths


def run(ctx) -> dict:
    """{"io": [Io]}."""
    ctx.progress("decode and resample")
    files = [Path(p) for p in ctx.splits.test.paths if Path(p).is_file()][:MAX_FILES]
    if files:
        return {"io": measure(files, target_sr=ctx.cfg.sample_rate)}
    with tempfile.TemporaryDirectory(prefix="mfcc-bench-io-") as tmp:
        return {"io": measure(write_wavs(Path(tmp), 100), target_sr=ctx.cfg.sample_rate)}
