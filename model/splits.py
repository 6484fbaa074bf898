"""The data containers every dataset source ends in, and the seeded stratified draws that split them.

`WaveformDataset` (decoded clips), `Splits` (train / val / test plus the skip log), `SkipLog`.
model.datasets (files) and model.synthetic (generated vowels) both build these; neither imports
the other's module for them.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np
import torch


class SkipLog(list):
    """Files passed over because they failed to load: a list of dicts {"file": str, "reason": str}."""

    def add(self, file, reason: str) -> None:
        self.append({"file": str(file), "reason": str(reason)})

    def summary(self) -> str:
        """One line per skipped file after a count, e.g. "2 file(s) skipped:\\n  a.wav: holds no samples"."""
        lines = [f"{len(self)} file(s) skipped" + (":" if self else "")]
        lines += [f"  {s['file']}: {s['reason']}" for s in self]
        return "\n".join(lines)


class WaveformDataset(torch.utils.data.Dataset):
    """Decoded clips in memory.

    Args:
        waveforms (list[np.ndarray]): float32 (T_i,) clips at `sample_rate`.
        labels (Sequence[int]): class ids, each 0 <= label < len(label_names).
        paths (Sequence[str]): file path (or synthetic name) per clip, used in messages and skip logs.
        label_names (list[str]): class names, index = class id.
        keys (Sequence[str] | None, None): content key per clip (sha1 of the file bytes, or of the
            waveform bytes for generated clips); None hashes the waveforms.
        sample_rate (int, 16000): rate of the waveforms in Hz.
        resampler (str, "soxr_hq"): resampler used when decoding (part of the cache key).

    Raises:
        ValueError: lengths differ, or a label is not an integer in [0, n_classes) (the file is named).

    Item i: (waveform np.float32 (T_i,), int label, str path).
    """

    def __init__(self, waveforms, labels, paths, label_names, keys=None, *, sample_rate: int = 16000,
                 resampler: str = "soxr_hq"):
        if not (len(waveforms) == len(labels) == len(paths)):
            raise ValueError(f"waveforms ({len(waveforms)}), labels ({len(labels)}) and paths "
                             f"({len(paths)}) must have the same length")
        self.waveforms = [np.asarray(w, dtype=np.float32) for w in waveforms]
        self.paths = [str(p) for p in paths]
        self.label_names = list(label_names)
        validate_labels(labels, len(self.label_names), self.paths)
        self.labels = [int(y) for y in labels]
        self.keys = list(keys) if keys is not None else [hashlib.sha1(w.tobytes()).hexdigest()
                                                         for w in self.waveforms]
        self.sample_rate = sample_rate
        self.resampler = resampler

    def __len__(self) -> int:
        return len(self.waveforms)

    def __getitem__(self, i):
        return self.waveforms[i], self.labels[i], self.paths[i]

    def subset(self, indices) -> "WaveformDataset":
        """A new dataset of the clips at `indices` (same label names)."""
        idx = list(indices)
        return WaveformDataset([self.waveforms[i] for i in idx], [self.labels[i] for i in idx],
                               [self.paths[i] for i in idx], self.label_names,
                               [self.keys[i] for i in idx], sample_rate=self.sample_rate,
                               resampler=self.resampler)

    def __repr__(self) -> str:
        return f"WaveformDataset(n={len(self)}, classes={len(self.label_names)}, sr={self.sample_rate})"


def validate_labels(labels, n_classes: int, paths: Sequence[str]) -> None:
    """Raise ValueError naming the first file whose label is not an integer in [0, n_classes)."""
    for y, p in zip(labels, paths):
        ok = isinstance(y, (int, np.integer)) and not isinstance(y, bool) and 0 <= y < n_classes
        if not ok:
            raise ValueError(f"{p}: label {y!r} is not an integer class id in [0, {n_classes})")


@dataclass
class Splits:
    """train / val / test datasets, class names (index = class id), the files skipped, and where
    they came from (name: "synthetic" | "fsdd" | "folder"; split: the FSDD split or None)."""

    train: WaveformDataset
    val: WaveformDataset
    test: WaveformDataset
    labels: list
    skipped: SkipLog = field(default_factory=SkipLog)
    name: Optional[str] = None
    split: Optional[str] = None


def stratified_split(labels: Sequence[int], fraction: float, seed: int):
    """Split indices into (kept, taken), taking round(fraction * n_c) of each class c, seeded.

    A class with at least 2 members gives at least one when fraction > 0. Returns two sorted lists.
    """
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    kept, taken = [], []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        n = int(round(len(idx) * fraction))
        if fraction > 0 and n == 0 and len(idx) >= 2:
            n = 1
        taken += idx[:n].tolist()
        kept += idx[n:].tolist()
    return sorted(kept), sorted(taken)


def stratified_take(labels: Sequence[int], k: int, seed: int) -> list:
    """Exactly min(k, n) indices, spread over the classes as evenly as possible (round robin over
    each class's seeded shuffle). Returns a sorted list."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    pools = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        pools.append(idx.tolist())
    order = [pool[r] for r in range(max(map(len, pools), default=0)) for pool in pools if r < len(pool)]
    return sorted(order[:k])
