"""Extraction throughput, the device's own FFT-plus-mel ceiling, cost scaling, cold start, memory, I/O."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Optional

import numpy as np
import torch

from features import MFCCConfig, create_extractor
from features.frontend import resample

from .grid import ThroughputGrid
from .timing import TimingStats, synchronize, time_call


@contextmanager
def torch_threads(n: Optional[int]):
    """Run with `n` torch intra-op threads (None: leave as is)."""
    previous = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def make_batch(batch_size: int, duration_s: float, sample_rate: int, seed: int = 0) -> np.ndarray:
    """A (batch, samples) float32 batch of speech-like noise bursts (the values do not change the cost)."""
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * sample_rate))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * np.arange(n) / sample_rate)
    return (0.1 * rng.standard_normal((batch_size, n)) * envelope).astype(np.float32)


def _record(keys: dict, stats: TimingStats) -> dict:
    """A throughput record: `keys` (the point, threads, includes_transfer), `stats` and rates."""
    batch, med = keys["batch_size"], stats.median_s
    audio_s = batch * keys["duration_s"]
    return dict(keys, **stats.as_dict(), clips_per_s=batch / med, realtime_factor=audio_s / med,
                realtime_factor_q1=audio_s / stats.q3_s, realtime_factor_q3=audio_s / stats.q1_s,
                audio_s=audio_s)


def _time_point(point: dict, cfg: MFCCConfig, *, min_time_s: float) -> list[tuple[dict, TimingStats]]:
    """Time one grid point: (record keys, stats) per row. CUDA points give two rows: features from a
    device tensor (includes_transfer False) and from a host array, the copy included (True)."""
    backend, device = point["backend"], point["device"]
    batch, duration = point["batch_size"], point["duration_s"]
    point_cfg = cfg.replace(sample_size=int(round(duration * cfg.sample_rate)))
    host = make_batch(batch, duration, cfg.sample_rate)
    with torch_threads(point["threads"]), torch.inference_mode():
        ext = create_extractor(backend, point_cfg, device=device)
        keys = dict(point, threads=torch.get_num_threads(), thread_sweep=point["threads"] is not None)
        if device != "cuda":
            return [(dict(keys, includes_transfer=False),
                     time_call(lambda: ext(host), device=device, warmup=2, min_time_s=min_time_s))]
        on_device, pinned = torch.from_numpy(host).to(device), torch.from_numpy(host).pin_memory()
        return [(dict(keys, includes_transfer=transfer),
                 time_call(lambda: ext(data), device=device, warmup=5, min_time_s=min_time_s))
                for transfer, data in ((False, on_device), (True, pinned))]


def measure_point(point: dict, cfg: MFCCConfig, *, min_time_s: float) -> list[dict]:
    """Throughput records for one grid point (see `_time_point`)."""
    return [_record(keys, stats) for keys, stats in _time_point(point, cfg, min_time_s=min_time_s)]


def measure_ceiling(cfg: MFCCConfig, *, device: str, batch_size: int, duration_s: float,
                    min_time_s: float) -> dict:
    """What the device does for the same arithmetic with no library around it: a batched real FFT
    over pre-framed, pre-windowed data, then the |X|^2 @ mel-filter product (torch on `device`)."""
    n = int(round(duration_s * cfg.sample_rate))
    frames = cfg.n_frames(n)
    dev = torch.device(device)
    x = torch.randn(batch_size, frames, cfg.n_fft, device=dev)
    fb = torch.rand(cfg.n_fft // 2 + 1, cfg.n_mels, device=dev)
    with torch.inference_mode():
        spec = torch.fft.rfft(x).abs().square()
        fft = time_call(lambda: torch.fft.rfft(x), device=dev, warmup=5, min_repeats=10, min_time_s=min_time_s)
        mel = time_call(lambda: torch.matmul(spec, fb), device=dev, warmup=5, min_repeats=10,
                        min_time_s=min_time_s)
    total = fft.median_s + mel.median_s
    return dict(device=device, batch_size=batch_size, duration_s=duration_s, fft_s=fft.median_s,
                mel_s=mel.median_s, total_s=total, realtime_factor=batch_size * duration_s / total)


def run_throughput(cfg: MFCCConfig, grid: ThroughputGrid, devices: tuple, progress=None) -> dict:
    """The throughput grid with ceilings and scaling exponents: {"throughput", "ceiling", "scaling"}.

    The whole grid is measured `grid.passes` times, each pass in the opposite order to the one
    before, and each point's statistics are taken over the timed calls of every pass: on a shared
    machine a point's speed moves between passes more than within one, and a single window would
    understate that. `pass_medians_s` keeps each pass's median."""
    points = grid.points(devices)
    measured: dict[tuple, list] = {}
    ceilings: dict[tuple, list] = {}
    for p in range(grid.passes):
        order = points if p % 2 == 0 else points[::-1]
        for i, point in enumerate(order):
            if progress:
                progress(f"throughput pass {p + 1}/{grid.passes}, {i + 1}/{len(points)}: {point['backend']} "
                         f"{point['device']} batch {point['batch_size']} x {point['duration_s']} s "
                         f"threads {point['threads'] or 'default'}")
            key = (point["device"], point["batch_size"], point["duration_s"])
            if point["threads"] is None and len(ceilings.get(key, ())) <= p:
                ceilings.setdefault(key, []).append(measure_ceiling(
                    cfg, device=point["device"], batch_size=point["batch_size"], duration_s=point["duration_s"],
                    min_time_s=grid.min_time_s))
            for keys, stats in _time_point(point, cfg, min_time_s=grid.min_time_s):
                measured.setdefault(tuple(sorted(keys.items())), (keys, []))[1].append(stats)
    ceiling_rows = {key: dict(runs[0], **{k: float(np.median([r[k] for r in runs]))
                                          for k in ("fft_s", "mel_s", "total_s")}, passes=len(runs))
                    for key, runs in ceilings.items()}
    for row in ceiling_rows.values():
        row["realtime_factor"] = row["batch_size"] * row["duration_s"] / row["total_s"]
    rows = []
    for keys, per_pass in measured.values():
        row = _record(keys, TimingStats.from_samples([x for stats in per_pass for x in stats.samples]))
        row["passes"] = len(per_pass)
        row["pass_medians_s"] = [stats.median_s for stats in per_pass]
        ceiling = ceiling_rows.get((row["device"], row["batch_size"], row["duration_s"]))
        row["ceiling_fraction"] = ceiling["total_s"] / row["median_s"] if ceiling and not row["thread_sweep"] else None
        rows.append(row)
    return {"throughput": rows, "ceiling": list(ceiling_rows.values()), "scaling": scaling_exponents(rows)}


def scaling_exponents(rows: Iterable[dict]) -> list[dict]:
    """Fit median_s = a * duration^k per (backend, device, batch size) over the default-thread points."""
    groups: dict[tuple, list] = {}
    for r in rows:
        if not r["thread_sweep"] and not r["includes_transfer"]:
            groups.setdefault((r["backend"], r["device"], r["batch_size"]), []).append(r)
    out = []
    for (backend, device, batch), group in sorted(groups.items()):
        durations = sorted({r["duration_s"] for r in group})
        if len(durations) < 2:
            continue
        x = np.log([r["duration_s"] for r in group])
        y = np.log([r["median_s"] for r in group])
        slope = float(np.polyfit(x, y, 1)[0])
        out.append(dict(backend=backend, device=device, batch_size=batch, exponent=slope,
                        durations_s=durations))
    return out


# ----------------------------------------------------------------------------- cold start and memory
_COLD_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
backend, device, cfg_json, batches = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
import numpy as np, torch
from features import MFCCConfig, create_extractor
if backend == "librosa":
    import librosa, librosa.feature
else:
    import torchaudio
t_import = time.perf_counter() - t0
cfg = MFCCConfig.from_json(cfg_json)
def sync():
    if device == "cuda":
        torch.cuda.synchronize()
x = (0.1 * np.random.default_rng(0).standard_normal((1, cfg.sample_size))).astype(np.float32)
t0 = time.perf_counter(); ext = create_extractor(backend, cfg, device=device); ext(x); sync()
t_first = time.perf_counter() - t0
steady = []
for _ in range(5):
    t0 = time.perf_counter(); ext(x); sync(); steady.append(time.perf_counter() - t0)
def status_bytes(field):
    # /proc/self/status, not getrusage: ru_maxrss survives exec, so a child reports its parent's peak
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return None
def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False
memory = []
for b in batches:
    xb = (0.1 * np.random.default_rng(1).standard_normal((b, cfg.sample_size))).astype(np.float32)
    if device == "cuda":
        torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
        ext(xb); sync()
        peak = torch.cuda.max_memory_allocated()
    else:
        exact = reset_peak()
        before = status_bytes("VmRSS")
        ext(xb)
        peak = status_bytes("VmHWM")
    memory.append(dict(batch_size=b, peak_bytes=int(peak), above_baseline_bytes=int(peak - before),
                       kind="cuda" if device == "cuda" else "rss",
                       peak_reset=True if device == "cuda" else exact))
print(json.dumps(dict(import_s=t_import, first_call_s=t_first, steady_call_s=float(np.median(steady)),
                      memory=memory)))
"""


def run_cold_start(cfg: MFCCConfig, backends: tuple, devices: tuple, batch_sizes: tuple) -> dict:
    """Each (backend, device) in a fresh process: import time, first call (librosa's numba compile,
    CUDA context and cuFFT plans), steady call, then peak memory of one call at each batch size of
    `cfg.sample_size` clips. CPU: peak RSS (VmHWM, reset before each call where the kernel allows,
    `peak_reset`); CUDA: max_memory_allocated. `above_baseline_bytes` is that peak less the memory
    in use just before the call: what the batch costs, apart from the libraries' own footprint
    (torch's CUDA build alone holds hundreds of MB of RSS)."""
    cold, memory = [], []
    root = Path(__file__).resolve().parent.parent
    for backend in backends:
        for device in devices:
            if backend == "librosa" and device != "cpu":
                continue
            cmd = [sys.executable, "-c", _COLD_SCRIPT, backend, device, cfg.to_json(),
                   json.dumps(sorted(batch_sizes))]
            env = dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=root, env=env, timeout=600)
            if done.returncode != 0:
                raise RuntimeError(f"cold-start probe for {backend}/{device} failed:\n{done.stderr[-2000:]}")
            data = json.loads(done.stdout.strip().splitlines()[-1])
            cold.append(dict(backend=backend, device=device, import_s=data["import_s"],
                             first_call_s=data["first_call_s"], steady_call_s=data["steady_call_s"]))
            for m in data["memory"]:
                memory.append(dict(backend=backend, device=device, duration_s=cfg.sample_size / cfg.sample_rate, **m))
    return {"cold_start": cold, "memory": memory}


# ----------------------------------------------------------------------------- decode and resample
def run_io(files: list[Path], *, target_sr: int, min_time_s: float = 0.3) -> list[dict]:
    """Decode (soundfile) and resample (soxr_hq, torchaudio) throughput over `files`."""
    import soundfile as sf

    if not files:
        return []
    decoded = [sf.read(str(f), dtype="float32")[0] for f in files]
    rate = sf.info(str(files[0])).samplerate
    audio_s = sum(len(d) for d in decoded) / rate
    rows = []
    stats = time_call(lambda: [sf.read(str(f), dtype="float32") for f in files], warmup=1, min_repeats=3,
                      min_time_s=min_time_s)
    rows.append(dict(stage="decode", method="soundfile", files=len(files), audio_s=audio_s,
                     seconds=stats.median_s, realtime_factor=audio_s / stats.median_s,
                     from_sr=rate, to_sr=rate))
    if rate != target_sr:
        import torchaudio.functional as F

        methods = {
            "soxr_hq": lambda d: resample(d, rate, target_sr, resampler="soxr_hq"),
            "torchaudio": lambda d: resample(d, rate, target_sr, resampler="torchaudio"),  # kernel cached
            "torchaudio.functional": lambda d: F.resample(torch.from_numpy(d), rate, target_sr),  # rebuilt per call
        }
        for method, fn in methods.items():
            stats = time_call(lambda: [fn(d) for d in decoded], warmup=1, min_repeats=3, min_time_s=min_time_s)
            rows.append(dict(stage="resample", method=method, files=len(files), audio_s=audio_s,
                             seconds=stats.median_s, realtime_factor=audio_s / stats.median_s,
                             from_sr=rate, to_sr=target_sr))
    return rows


def synthetic_wav_files(n: int, sample_rate: int = 8000, duration_s: float = 0.5) -> list[Path]:
    """`n` 16-bit WAV files of noise bursts in a temporary folder, for the I/O measurement where the
    dataset has no files of its own."""
    import soundfile as sf

    folder = Path(tempfile.mkdtemp(prefix="mfcc-bench-io-"))
    batch = make_batch(n, duration_s, sample_rate, seed=3)
    paths = []
    for i, clip in enumerate(batch):
        path = folder / f"clip_{i:04d}.wav"
        sf.write(path, clip, sample_rate, subtype="PCM_16")
        paths.append(path)
    return paths


# ----------------------------------------------------------------------------- interface overhead
def direct_library_call(backend: str, cfg: MFCCConfig, device: str = "cpu"):
    """The library called directly with the same settings (its own whole-array floor, no front end):
    what a user would write without this project. Returns a function of the (B, T) batch."""
    if backend == "librosa":
        import librosa

        def call(x):
            return librosa.feature.mfcc(
                y=x, sr=cfg.sample_rate, n_mfcc=cfg.n_mfcc, dct_type=cfg.dct_type, norm=cfg.dct_norm,
                lifter=cfg.lifter, mel_norm=cfg.mel_norm, n_fft=cfg.n_fft, hop_length=cfg.hop_length,
                win_length=cfg.effective_win_length, window=cfg.window, center=cfg.center,
                pad_mode=cfg.pad_mode, power=cfg.power, n_mels=cfg.n_mels, fmin=cfg.fmin,
                fmax=cfg.effective_fmax, htk=cfg.mel_scale == "htk")
        return call
    import torchaudio

    windows = {"hann": torch.hann_window, "hamming": torch.hamming_window, "blackman": torch.blackman_window}
    module = torchaudio.transforms.MFCC(
        sample_rate=cfg.sample_rate, n_mfcc=cfg.n_mfcc, dct_type=2, norm=cfg.dct_norm, log_mels=False,
        melkwargs=dict(n_fft=cfg.n_fft, win_length=cfg.effective_win_length, hop_length=cfg.hop_length,
                       f_min=cfg.fmin, f_max=cfg.effective_fmax, n_mels=cfg.n_mels,
                       window_fn=windows[cfg.window], power=cfg.power, center=cfg.center,
                       pad_mode=cfg.pad_mode, norm=cfg.mel_norm, mel_scale=cfg.mel_scale)).to(device)
    return lambda x: module(torch.as_tensor(x, device=device))


def measure_overhead(cfg: MFCCConfig, *, backends=("librosa", "torchaudio"), device: str = "cpu",
                     batch_size: int = 64, duration_s: float = 1.0, pairs: int = 100, warmup: int = 5) -> list[dict]:
    """This project's extractor against the library called directly, same settings and batch.

    The two are timed call by call in alternation (A, B, A, B, ...), so drift in the machine's speed
    hits both alike; `overhead` is the median of the per-pair ratios, minus one."""
    x = make_batch(batch_size, duration_s, cfg.sample_rate)
    point_cfg = cfg.replace(sample_size=x.shape[-1])
    rows = []
    with torch.inference_mode():
        for backend in backends:
            dev = "cpu" if backend == "librosa" else device
            ours, direct = create_extractor(backend, point_cfg, device=dev), direct_library_call(backend, point_cfg, dev)
            data = torch.from_numpy(x).to(dev) if dev != "cpu" else x
            a, b = [], []
            for i in range(warmup + pairs):
                for fn, samples in ((ours, a), (direct, b)):
                    synchronize(dev)
                    start = time.perf_counter()
                    fn(data)
                    synchronize(dev)
                    if i >= warmup:
                        samples.append(time.perf_counter() - start)
            ratios = np.asarray(a) / np.asarray(b)
            rows.append(dict(backend=backend, device=dev, batch_size=batch_size, duration_s=duration_s,
                             interface_s=float(np.median(a)), direct_s=float(np.median(b)),
                             overhead=float(np.median(ratios) - 1),
                             overhead_q1=float(np.percentile(ratios, 25) - 1),
                             overhead_q3=float(np.percentile(ratios, 75) - 1), pairs=pairs))
    return rows
