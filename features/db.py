"""The dB step with its floor scopes, once for NumPy and once for torch.

    db = 10*log10(max(amin, S)) - 10*log10(max(amin, ref))
    db = max(db, peak - top_db)

`peak` is the maximum of each clip ("clip"), of the whole array ("batch", what librosa's
`power_to_db` and torchaudio's `amplitude_to_DB` do when handed a batch), or there is no floor ("off").
Clips are the leading axes; the last two axes are (mel band, frame). One vectorised call either way.
"""
from __future__ import annotations

import math

import numpy as np
import torch

SCOPES = ("clip", "batch", "off")


def _check_scope(scope: str) -> None:
    if scope not in SCOPES:
        raise ValueError(f"top_db_scope={scope!r}: must be one of {SCOPES}")


def floor_numpy(db: np.ndarray, *, top_db: float, scope: str) -> np.ndarray:
    """Apply the top_db floor to dB values `db` (..., n_mels, n_frames); returns a new array."""
    _check_scope(scope)
    if scope == "off":
        return db
    if scope == "batch" or db.ndim == 2:
        peak = db.max()
    else:
        peak = db.max(axis=(-2, -1), keepdims=True)
    return np.maximum(db, peak - top_db)


def floor_torch(db: torch.Tensor, *, top_db: float, scope: str) -> torch.Tensor:
    """Apply the top_db floor to dB values `db` (..., n_mels, n_frames); returns a new tensor."""
    _check_scope(scope)
    if scope == "off":
        return db
    if scope == "batch" or db.dim() == 2:
        peak = db.amax()
    else:
        peak = db.amax(dim=(-2, -1), keepdim=True)
    return torch.maximum(db, peak - top_db)


def power_to_db_torch(power: torch.Tensor, *, ref: float, amin: float, top_db: float,
                      scope: str) -> torch.Tensor:
    """10*log10 of a power (or magnitude) mel spectrogram (..., n_mels, n_frames), floored by scope.

    Uses torchaudio.functional.amplitude_to_DB for the logarithm (top_db=None there: its floor is
    over the whole array) and `floor_torch` for the floor.
    """
    import torchaudio.functional as F

    db = F.amplitude_to_DB(power, multiplier=10.0, amin=amin, db_multiplier=math.log10(max(amin, ref)),
                           top_db=None)
    return floor_torch(db, top_db=top_db, scope=scope)


def power_to_db_numpy(power: np.ndarray, *, ref: float, amin: float, top_db: float,
                      scope: str) -> np.ndarray:
    """10*log10 of a power (or magnitude) mel spectrogram (..., n_mels, n_frames), floored by scope.

    Uses librosa.power_to_db for the logarithm (top_db=None there: its floor is over the whole array)
    and `floor_numpy` for the floor.
    """
    import librosa

    db = librosa.power_to_db(power, ref=ref, amin=amin, top_db=None)
    return floor_numpy(db, top_db=top_db, scope=scope)
