"""MFCC agreement helpers: the errors between two MFCC arrays (`compare`), the real clips agreement runs
on (`agreement_clips`), and a naive port of one library's config to another's (`naive_port`); shared by
the agreement, ablation, batch invariance and accuracy measurements."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from features import MFCCConfig, fix_length, load_audio

from ...grid import SHAPE_FIELDS


@dataclass
class Clips:
    """Real clips for agreement: waveforms (N, T) at the config's rate (resampled with soxr_hq where they
    came from files), the files they came from (None for generated clips)."""

    waveforms: np.ndarray
    files: Sequence[Optional[str]]

    def resampled_with(self, resampler: str, cfg: MFCCConfig) -> Optional[np.ndarray]:
        """The same clips loaded again with another resampler; None where they did not come from files."""
        if not all(f and os.path.isfile(f) for f in self.files):
            return None
        return np.stack([fix_length(load_audio(f, cfg.sample_rate, resampler=resampler), cfg.sample_size)
                         for f in self.files])


def agreement_clips(splits, cfg: MFCCConfig, n: int) -> Clips:
    """Up to `n` clips spread over the test split (then the training split), fixed to cfg.sample_size."""
    pool = [splits.test[i] for i in range(len(splits.test))]
    if len(pool) < n:
        pool += [splits.train[i] for i in range(len(splits.train))]
    step = max(1, len(pool) // n)
    chosen = pool[::step][:n]
    waves = np.stack([fix_length(w, cfg.sample_size) for w, _, _ in chosen])
    return Clips(waveforms=waves, files=[p for _, _, p in chosen])


def naive_port(source: MFCCConfig, target_preset: str) -> MFCCConfig:
    """`target_preset` with the shape-setting fields (n_mfcc, n_fft, hop, n_mels, ...) copied from
    `source`: what a user porting code from one library to the other typically writes."""
    return MFCCConfig.preset(target_preset, **{f: getattr(source, f) for f in SHAPE_FIELDS})


def compare(reference: np.ndarray, other: np.ndarray) -> dict:
    """Errors of `other` against `reference` (…, n_mfcc, frames), over the overlapping coefficients
    and frames where shapes differ."""
    ref, oth = np.asarray(reference, dtype=np.float64), np.asarray(other, dtype=np.float64)
    k, t = min(ref.shape[-2], oth.shape[-2]), min(ref.shape[-1], oth.shape[-1])
    a, b = ref[..., :k, :t], oth[..., :k, :t]
    diff = np.abs(a - b)
    corr = float(np.corrcoef(a.ravel(), b.ravel())[0, 1]) if a.size > 1 and a.std() > 0 and b.std() > 0 else None
    return dict(max_abs_error=float(diff.max()), mean_abs_error=float(diff.mean()),
                rel_error=float(np.linalg.norm(a - b) / max(np.linalg.norm(a), 1e-30)), correlation=corr,
                reference_shape=list(ref.shape[-2:]), shape=list(oth.shape[-2:]),
                shapes_match=ref.shape == oth.shape, compared_shape=[k, t])
