"""Audio files for the measurements that start from files (pipeline, corpus_scaling): the training
split's own files where the dataset has them, else its generated clips written as temporary WAVs."""
from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Iterator

import numpy as np

FILE_RATE = 8000            # generated clips are written at FSDD's rate, so decoding resamples as it does


@contextlib.contextmanager
def train_files(splits, n: int, *, seed: int = 0) -> Iterator[list]:
    """Yield up to `n` (path, label name) pairs from `splits.train`, spread over it (seeded).

    Args:
        splits (model.datasets.Splits): the dataset's splits; real files where every path is a file
            (fsdd, folder), else the in-memory clips are written as 16-bit WAVs at 8 kHz to a
            temporary folder that is removed when the block ends.
        n (int): how many files at most (keyword `seed`, 0: which ones).
    """
    import soundfile as sf

    from features import resample

    train = splits.train
    rng = np.random.default_rng(seed)
    idx = sorted(rng.permutation(len(train))[:n].tolist())
    names = splits.labels
    if idx and all(Path(train.paths[i]).is_file() for i in idx):
        yield [(train.paths[i], names[train.labels[i]]) for i in idx]
        return
    with tempfile.TemporaryDirectory(prefix="mfcc-bench-clips-") as tmp:
        items = []
        for i in idx:
            path = Path(tmp) / f"clip_{i:05d}.wav"
            clip = resample(train.waveforms[i], train.sample_rate, FILE_RATE)
            sf.write(path, np.clip(clip, -1, 1), FILE_RATE, subtype="PCM_16")
            items.append((str(path), names[train.labels[i]]))
        yield items
