"""Features for training and evaluation: fixed-length waveform matrices, cached or in-memory MFCCs,
and the screen that skips clips whose MFCCs are not finite (a finite but absurd recording, e.g. a
float WAV with samples near 1e20, overflows the power spectrum).

    prepared = prepare_features("librosa", cfg, splits, device=dev, feature_mode="cache", cache_dir=None)
    prepared.xs[0], prepared.ys[0], prepared.feature_fn, prepared.splits, prepared.skipped
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import torch

from features import MFCCConfig, create_extractor, fix_length
from features.backends import runs_on

from .cache import FeatureCache, clip_key, compute_features
from .datasets import default_cache_dir
from .splits import SkipLog, Splits, WaveformDataset

PARTS = ("train", "val", "test")


def check_dataset(dataset: WaveformDataset, cfg: MFCCConfig, name: str = "dataset") -> None:
    """ValueError where `dataset` cannot feed a model with `cfg`: no fixed clip length, another
    sample rate, or no clips at all (the split is named)."""
    if cfg.sample_size is None:
        raise ValueError("cfg.sample_size is None: the model needs fixed-length clips; set sample_size")
    if dataset.sample_rate != cfg.sample_rate:
        raise ValueError(f"the dataset was decoded at {dataset.sample_rate} Hz but cfg.sample_rate is "
                         f"{cfg.sample_rate}; load the splits with sample_rate=cfg.sample_rate")
    if len(dataset) == 0:
        raise ValueError(f"the {name} split is empty: there is nothing to "
                         f"{'train on' if name == 'train' else 'score'}")


def waveform_matrix(dataset: WaveformDataset, indices, size: int) -> np.ndarray:
    """Clips at `indices`, zero-padded or cut to `size` samples -> float32 (len(indices), size)."""
    out = np.zeros((len(indices), size), np.float32)
    for row, i in enumerate(indices):
        w = fix_length(dataset.waveforms[i], size)
        out[row, :len(w)] = w
    return out


def dataset_features(backend: str, cfg: MFCCConfig, dataset: WaveformDataset, *, device="cpu",
                     cache_dir=None, cache: Optional[FeatureCache] = None) -> torch.Tensor:
    """Features of every clip of `dataset` -> CPU tensor (N, n_mfcc, n_frames), unscreened (see
    `finite_rows`).

    cache_dir (str | Path | None | False): None = default_cache_dir()/features; False = no disk cache.
    """
    check_dataset(dataset, cfg)
    extractor = create_extractor(backend, cfg, device=device if runs_on(backend, torch.device(device).type) else "cpu")
    all_idx = list(range(len(dataset)))
    if cache is None and cache_dir is False:
        return torch.from_numpy(compute_features(extractor, waveform_matrix(dataset, all_idx, cfg.sample_size)))
    if cache is None:
        cache = FeatureCache(Path(cache_dir) if cache_dir else default_cache_dir() / "features")
    keys = [clip_key(k, dataset.sample_rate, dataset.resampler) for k in dataset.keys]
    feats = cache.get_or_compute(backend, cfg, keys, lambda idx: waveform_matrix(dataset, idx, cfg.sample_size),
                                 extractor)
    return torch.from_numpy(feats)


def finite_rows(feats: torch.Tensor) -> torch.Tensor:
    """Bool (N,): which clips' features (N, ...) are finite everywhere."""
    return torch.isfinite(feats).flatten(1).all(1) if len(feats) else torch.zeros(0, dtype=torch.bool)


def drop_non_finite(dataset: WaveformDataset, feats: torch.Tensor, skipped: SkipLog, name: str):
    """(dataset, feats) without the clips whose features are not finite; each one goes to `skipped`
    with its peak sample. RuntimeError naming the split when no clip is left."""
    ok = finite_rows(feats)
    if bool(ok.all()):
        return dataset, feats
    for i in torch.nonzero(~ok).flatten().tolist():
        peak = float(np.abs(dataset.waveforms[i]).max())
        skipped.add(dataset.paths[i], f"its MFCCs are not finite (peak |sample| {peak:.3g}; "
                                      "samples are expected in [-1, 1])")
    keep = torch.nonzero(ok).flatten().tolist()
    if not keep:
        raise RuntimeError(f"the {name} split is empty: the MFCCs of all {len(dataset)} of its clips are "
                           f"not finite\n{skipped.summary()}")
    return dataset.subset(keep), feats[ok]


class Timed:
    """Wraps a feature function and adds its (device-synchronised) time to `.seconds`."""

    def __init__(self, fn: Callable, device: torch.device):
        self.fn, self.device, self.seconds = fn, device, 0.0

    def __call__(self, x):
        t0 = time.perf_counter()
        out = self.fn(x)
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        self.seconds += time.perf_counter() - t0
        return out


@dataclass
class Prepared:
    """What training needs: per split (train, val, test) the model input `xs` (features, or
    waveforms for on-the-fly) and labels `ys` on the device; `feature_fn` (Timed) turning an `xs`
    batch into features; `splits` without the clips skipped here; `skipped` (the splits' own skips
    plus these); `cache` (FeatureCache or None)."""

    xs: list
    ys: list
    feature_fn: Timed
    splits: Splits
    skipped: SkipLog = field(default_factory=SkipLog)
    cache: Optional[FeatureCache] = None


def prepare_features(backend: str, cfg: MFCCConfig, splits: Splits, *, device: torch.device,
                     feature_mode: str = "cache", cache_dir=None) -> Prepared:
    """Features (or on-the-fly inputs) of every split, clips with non-finite MFCCs skipped.

    Args:
        backend (str), cfg (MFCCConfig): how features are computed.
        splits (Splits): decoded clips at cfg.sample_rate.
        device (torch.device): where xs and ys go (and torchaudio extracts).
        feature_mode (str, "cache"): "cache" (features computed once, via FeatureCache unless
            cache_dir is False) or "on-the-fly" (waveforms kept; every clip's features are computed
            once here only to screen them, untimed).
        cache_dir (str | Path | None | False, None): as in `dataset_features`.
    """
    skipped = SkipLog(splits.skipped)
    parts = dict(zip(PARTS, (splits.train, splits.val, splits.test)))
    xs, cache = [], None
    if feature_mode == "cache":
        if cache_dir is not False:
            cache = FeatureCache(Path(cache_dir) if cache_dir else default_cache_dir() / "features")
        for name in PARTS:
            feats = dataset_features(backend, cfg, parts[name], device=device, cache_dir=cache_dir, cache=cache)
            parts[name], feats = drop_non_finite(parts[name], feats, skipped, name)
            xs.append(feats.to(device))
        feature_fn = Timed(lambda x: x, device)
    else:
        extractor = create_extractor(backend, cfg, device=device)
        for name in PARTS:
            waves = torch.from_numpy(waveform_matrix(parts[name], range(len(parts[name])), cfg.sample_size))
            with torch.no_grad():
                feats = torch.cat([extractor(waves[i:i + 256].to(device)).cpu() for i in range(0, len(waves), 256)])
            parts[name], _ = drop_non_finite(parts[name], feats, skipped, name)
            xs.append(waves[finite_rows(feats)].to(device))
        feature_fn = Timed(extractor, device)
    ys = [torch.tensor(parts[n].labels, dtype=torch.long, device=device) for n in PARTS]
    kept = Splits(parts["train"], parts["val"], parts["test"], list(splits.labels), skipped,
                  name=splits.name, split=splits.split)
    return Prepared(xs, ys, feature_fn, kept, skipped, cache)
