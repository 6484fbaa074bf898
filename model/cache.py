"""MFCCs on disk, one .npy per (backend, config hash, clip content), written atomically.

Layout: `root/{backend}/{cfg.hash()}/{key[:2]}/{key}.npy`, where key is the clip's content key
(sha1 of the file bytes, or of the waveform bytes for generated clips) combined with how it was
decoded (rate, resampler). Editing a file changes its key, so the old entry is simply never hit.

Only finite features are stored; an entry that cannot be read, has the wrong shape, or holds NaN or
infinity counts as a miss and is computed again. Temporaries that a killed writer left in a folder
(older than ten minutes) are removed the first time the cache reads that folder.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from features import MFCCConfig
from common.atomic_write import atomic_path, remove_stale_temporaries


def compute_features(extractor, waveforms: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Run `extractor` over (N, T) float32 `waveforms` in batches -> np.ndarray (N, n_mfcc, n_frames).

    With `top_db_scope="batch"` the dB floor would depend on the batch-mates, so each clip then goes
    alone (what the library does for one clip), keeping a clip's features, and its cache entry, its own.
    """
    if getattr(getattr(extractor, "cfg", None), "top_db_scope", None) == "batch":
        batch_size = 1
    out = []
    # overflow in an absurd clip gives non-finite rows, which the callers skip with a reason
    with torch.no_grad(), np.errstate(over="ignore", invalid="ignore"):
        for i in range(0, len(waveforms), batch_size):
            out.append(extractor(waveforms[i:i + batch_size]).detach().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0,), np.float32)


class FeatureCache:
    """Features keyed by backend, config and clip content.

    Args:
        root (str | Path): cache folder (created on first write).

    Attributes:
        hits (int), misses (int): clips served from disk / computed, since construction.
        rejected (int): entries found on disk but unusable (unreadable, wrong shape, not finite).
    """

    def __init__(self, root):
        self.root = Path(root)
        self.hits = 0
        self.misses = 0
        self.rejected = 0
        self._swept: set = set()

    def path(self, backend: str, cfg: MFCCConfig, key: str) -> Path:
        return self.root / backend / cfg.hash() / key[:2] / f"{key}.npy"

    def get_or_compute(self, backend: str, cfg: MFCCConfig, keys: Sequence[str],
                       waveforms_fn: Callable[[list], np.ndarray], extractor,
                       batch_size: int = 256) -> np.ndarray:
        """Features of every clip, read from disk where present, else computed and stored.

        Args:
            backend (str): backend name (part of the key).
            cfg (MFCCConfig): the extractor's config (its hash is part of the key).
            keys (Sequence[str]): one content key per clip (hex strings).
            waveforms_fn (callable): list of indices -> (n, T) float32 array of those clips.
            extractor (callable): (B, T) -> tensor (B, n_mfcc, n_frames).
            batch_size (int, 256): clips per extractor call.

        Returns:
            np.ndarray (len(keys), n_mfcc, n_frames) in `cfg.dtype`. Rows of clips whose features
            are not finite are returned as computed (not stored): the caller decides to skip them.
        """
        folder = self.root / backend / cfg.hash()
        if folder not in self._swept:
            remove_stale_temporaries(folder)
            self._swept.add(folder)
        found, missing = {}, []
        for i, key in enumerate(keys):
            p = self.path(backend, cfg, key)
            entry = self._load(p, cfg)
            if entry is None:
                missing.append(i)
            else:
                found[i] = entry
        self.hits += len(found)
        self.misses += len(missing)
        if missing:
            computed = compute_features(extractor, waveforms_fn(missing), batch_size)
            for i, feats in zip(missing, computed):
                if np.isfinite(feats).all():       # never store what a later run must not use
                    with atomic_path(self.path(backend, cfg, keys[i]), suffix=".npy") as tmp:
                        np.save(tmp, feats)
                found[i] = feats
        if not keys:
            return np.zeros((0, cfg.n_mfcc, cfg.n_frames()), np.float32)
        return np.stack([found[i] for i in range(len(keys))])

    def _load(self, path: Path, cfg: MFCCConfig):
        """The entry at `path`, or None where it is absent or unusable (counted in `rejected`)."""
        try:
            entry = np.load(path)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, EOFError):
            self.rejected += 1
            return None
        ok_shape = entry.ndim == 2 and entry.shape[0] == cfg.n_mfcc and \
            (cfg.sample_size is None or entry.shape[1] == cfg.n_frames())
        if not ok_shape or entry.dtype.kind != "f" or not np.isfinite(entry).all():
            self.rejected += 1
            return None
        return entry


def clip_key(content_key: str, sample_rate: int, resampler: str) -> str:
    """One key for a clip's content and how it was decoded (rate, resampler)."""
    return hashlib.sha1(f"{content_key}:{sample_rate}:{resampler}".encode()).hexdigest()
