"""Extraction throughput over the grid, the device's own FFT-plus-mel ceiling, and cost scaling.

The whole grid is measured `grid.passes` times, each pass in the opposite order to the one before,
and each point's statistics are taken over the timed calls of every pass: on a shared machine a
point's speed moves between passes more than within one. `pass_medians_s` keeps each pass's median.
With `ctx.options.deadline` (a time.monotonic() value) a pass that would end after it, judged by
the pass before, is not started: the passes done are kept (`passes` says how many).
"""
from __future__ import annotations

import sys
import time
from typing import Iterable

import numpy as np
import torch
from tqdm import tqdm

from features import MFCCConfig, create_extractor
from reports.records import Ceiling, Scaling, Throughput

from .support.batches import make_batch, torch_threads
from ..timing import TimingStats, time_call

NAME = "throughput"
TABLES = ("throughput", "ceiling", "scaling")
NEEDS_DATA = False


def rates(keys: dict, stats: TimingStats) -> dict:
    """A throughput record: `keys` (the point, threads, includes_transfer), `stats` and rates."""
    batch, med = keys["batch_size"], stats.median_s
    audio_s = batch * keys["duration_s"]
    return dict(keys, **stats.as_dict(), clips_per_s=batch / med, realtime_factor=audio_s / med,
                realtime_factor_q1=audio_s / stats.q3_s, realtime_factor_q3=audio_s / stats.q1_s,
                audio_s=audio_s)


def time_point(point: dict, cfg: MFCCConfig, *, min_time_s: float, min_repeats: int = 5) -> list[tuple[dict, TimingStats]]:
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
                     time_call(lambda: ext(host), device=device, warmup=2, min_time_s=min_time_s,
                               min_repeats=min_repeats))]
        on_device, pinned = torch.from_numpy(host).to(device), torch.from_numpy(host).pin_memory()
        return [(dict(keys, includes_transfer=transfer),
                 time_call(lambda: ext(data), device=device, warmup=5, min_time_s=min_time_s, min_repeats=min_repeats))
                for transfer, data in ((False, on_device), (True, pinned))]


CEILING_CHUNK = 32      # clips per chunk for the chunked ceiling (a (32, 101, 512) float block is 6.6 MB)


def measure_ceiling(cfg: MFCCConfig, *, device: str, batch_size: int, duration_s: float,
                    min_time_s: float) -> dict:
    """What the device does for the same arithmetic with no library around it: a batched real FFT
    over pre-framed, pre-windowed data, then the |X|^2 @ mel-filter product (torch on `device`).

    A batch above CEILING_CHUNK clips is run both whole and in chunks of CEILING_CHUNK clips, and the
    faster way is the ceiling (`chunk_clips` says which; `whole_batch_s` and `chunked_s` give both, the
    latter None for a batch of one chunk): on the CPU, at batch 256 the whole-batch FFT takes tens of
    thousands of page faults per call (its buffers are returned to the OS between calls) and runs 2-3x
    slower than the same FFTs in chunks, which a backend can do as well (the `librosa_torch` backend does); on a
    GPU a whole batch usually fills the device better than chunks do.

    Returns:
        dict: device, batch_size, duration_s, fft_s, mel_s, total_s (seconds per call of the faster
        way), realtime_factor, chunk_clips, whole_batch_s, chunked_s.
    """
    frames = cfg.n_frames(int(round(duration_s * cfg.sample_rate)))
    dev = torch.device(device)
    x = torch.randn(batch_size, frames, cfg.n_fft, device=dev)
    fb = torch.rand(cfg.n_fft // 2 + 1, cfg.n_mels, device=dev)
    chunks = [batch_size] + ([CEILING_CHUNK] if batch_size > CEILING_CHUNK else [])
    best, totals = None, {}
    with torch.inference_mode():
        power = torch.fft.rfft(x).abs().square()
        for chunk in chunks:
            parts = [slice(i, i + chunk) for i in range(0, batch_size, chunk)]
            fft = time_call(lambda: [torch.fft.rfft(x[p]) for p in parts], device=dev, warmup=3, min_repeats=10,
                            min_time_s=min_time_s)
            mel = time_call(lambda: [torch.matmul(power[p], fb) for p in parts], device=dev, warmup=3,
                            min_repeats=10, min_time_s=min_time_s)
            totals[chunk] = fft.median_s + mel.median_s
            if best is None or fft.median_s + mel.median_s < best[0].median_s + best[1].median_s:
                best = (fft, mel, chunk)
    fft, mel, chunk = best
    total = fft.median_s + mel.median_s
    return dict(device=device, batch_size=batch_size, duration_s=duration_s, fft_s=fft.median_s,
                mel_s=mel.median_s, total_s=total, realtime_factor=batch_size * duration_s / total,
                chunk_clips=chunk, whole_batch_s=totals[batch_size], chunked_s=totals.get(CEILING_CHUNK))


def run(ctx) -> dict:
    """{"throughput": [Throughput], "ceiling": [Ceiling], "scaling": [Scaling]} over ctx.grid for
    ctx.backends on ctx.devices."""
    grid = ctx.grid
    points = grid.points(ctx.devices)
    measured: dict[tuple, tuple] = {}
    ceilings: dict[tuple, list] = {}
    ctx.progress(f"throughput: {len(points)} points x {grid.passes} pass(es)")
    bar = tqdm(total=len(points) * grid.passes, desc="throughput", unit="point", file=sys.stderr, disable=None,
               leave=False)
    deadline = ctx.options.deadline          # time.monotonic() value, or None: no limit
    last_pass_s = 0.0
    for p in range(grid.passes):
        pass_start = time.monotonic()
        if p and deadline is not None and pass_start + last_pass_s > deadline:
            ctx.progress(f"throughput: pass {p + 1} would outlast the deadline; kept {p} pass(es)")
            break
        order = points if p % 2 == 0 else points[::-1]
        for point in order:
            bar.set_postfix_str(f"pass {p + 1}: {point['backend']} {point['device']} {point['batch_size']} x "
                                f"{point['duration_s']} s", refresh=False)
            key = (point["device"], point["batch_size"], point["duration_s"])
            if point["threads"] is None and len(ceilings.get(key, ())) <= p:
                ceilings.setdefault(key, []).append(measure_ceiling(
                    ctx.cfg, device=point["device"], batch_size=point["batch_size"],
                    duration_s=point["duration_s"], min_time_s=grid.min_time_s))
            cfg = ctx.config_for(point["backend"])
            for keys, stats in time_point(point, cfg, min_time_s=grid.min_time_s, min_repeats=grid.min_repeats):
                keys["config"] = ctx.config_name(point["backend"])
                measured.setdefault(tuple(sorted(keys.items())), (keys, []))[1].append(stats)
            bar.update()
        last_pass_s = time.monotonic() - pass_start
    bar.close()
    ceiling_rows = {key: dict(runs[0], **{k: _median([r[k] for r in runs])
                                          for k in ("fft_s", "mel_s", "total_s", "whole_batch_s", "chunked_s")},
                              passes=len(runs))
                    for key, runs in ceilings.items()}
    for row in ceiling_rows.values():
        row["realtime_factor"] = row["batch_size"] * row["duration_s"] / row["total_s"]
    rows = []
    for keys, per_pass in measured.values():
        row = rates(keys, TimingStats.from_samples([x for stats in per_pass for x in stats.samples]))
        row["passes"] = len(per_pass)
        row["pass_medians_s"] = [stats.median_s for stats in per_pass]
        ceiling = ceiling_rows.get((row["device"], row["batch_size"], row["duration_s"]))
        row["ceiling_fraction"] = ceiling["total_s"] / row["median_s"] if ceiling and not row["thread_sweep"] else None
        rows.append(row)
    return {"throughput": [Throughput(**row) for row in rows],
            "ceiling": [Ceiling(**row) for row in ceiling_rows.values()], "scaling": scaling_exponents(rows)}


def _median(values: list):
    """The median of `values`, or None where any is None (a chunked time at a batch of one chunk)."""
    return None if any(v is None for v in values) else float(np.median(values))


def scaling_exponents(rows: Iterable[dict]) -> list[Scaling]:
    """Fit median_s = a * duration^k per (backend, device, batch size) over the default-thread points
    (`rows`: throughput rows as dicts)."""
    groups: dict[tuple, list] = {}
    for r in rows:
        if not r["thread_sweep"] and not r["includes_transfer"]:
            groups.setdefault((r["backend"], r["device"], r["batch_size"]), []).append(r)
    out = []
    for (backend, device, batch), group in sorted(groups.items()):
        durations = sorted({r["duration_s"] for r in group})
        if len(durations) < 2:
            continue
        slope = float(np.polyfit(np.log([r["duration_s"] for r in group]), np.log([r["median_s"] for r in group]),
                                 1)[0])
        out.append(Scaling(backend=backend, device=device, batch_size=batch, exponent=slope, durations_s=durations))
    return out
