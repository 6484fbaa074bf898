"""Audio front end: decode (soundfile), mono, resample, fix_length, pre-emphasis.

Decoding is soundfile for every backend (torchaudio.load needs TorchCodec and FFmpeg since 2.9).
"""
from __future__ import annotations

import functools
import os
import struct
from typing import Optional, Union

import numpy as np
import soundfile as sf
import torch

Array = Union[np.ndarray, torch.Tensor]


class AudioLoadError(Exception):
    """A file could not be turned into audio: unreadable, empty, or holding non-finite samples.

    Attributes:
        path (str): the file.
        reason (str): what went wrong, in words.
    """

    def __init__(self, path: Union[str, os.PathLike], reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def load_audio(path: Union[str, os.PathLike], sample_rate: int, *, mono: bool = True,
               resampler: str = "soxr_hq") -> np.ndarray:
    """Decode an audio file with soundfile and resample it to `sample_rate`.

    Args:
        path (str | PathLike): a WAV, FLAC or OGG file (8/16/24/32-bit integer or float samples).
        sample_rate (int): the rate to return, in Hz.
        mono (bool, True): average the channels into one.
        resampler (str, "soxr_hq"): "soxr_hq" (what librosa.resample does by default; the librosa
            backend's choice) or "torchaudio" (torchaudio.functional.resample with its default
            sinc_interp_hann, lowpass_filter_width 6, rolloff 0.99; the torchaudio backend's choice).

    Returns:
        np.ndarray float32: (n_samples,) when mono, else (n_channels, n_samples).

    Raises:
        AudioLoadError: the path is missing or a folder; the file is unreadable, holds no samples,
            holds NaN or infinity, or is a cut-short WAV (below).
        ValueError: `sample_rate` or `resampler` is invalid.

    Cut-short WAV files: soundfile (libsndfile) silently returns the frames that are present when a
    WAV's data chunk is shorter than its header declares (a copy or download cut off), so a partial
    clip would pass for a whole one. The rule here: a RIFF/WAVE file whose data chunk declares more
    bytes than the file holds is refused (AudioLoadError "data chunk cut short: the header declares
    N frames, the file holds M"), so a dataset skips it with that reason. A declared size of 0 or
    0xFFFFFFFF (what streaming writers put there when the length is unknown) is not checked, nor are
    other containers (FLAC and OGG carry their own framing, and libsndfile reports their damage).
    """
    if not isinstance(sample_rate, int) or sample_rate <= 0:
        raise ValueError(f"sample_rate={sample_rate!r}: must be a positive integer")
    if resampler not in ("soxr_hq", "torchaudio"):
        raise ValueError(f"resampler={resampler!r}: must be 'soxr_hq' or 'torchaudio'")
    if os.path.isdir(path):
        raise AudioLoadError(path, "is a folder, not an audio file")
    if not os.path.isfile(path):
        raise AudioLoadError(path, "no such file")
    try:
        data, file_rate = sf.read(os.fspath(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as err:
        raise AudioLoadError(path, f"not readable as audio ({err})") from None
    cut = wav_cut_short(path)
    if cut is not None:
        raise AudioLoadError(path, f"data chunk cut short: {cut}")
    if data.shape[0] == 0:
        raise AudioLoadError(path, "holds no samples")
    if not np.isfinite(data).all():
        raise AudioLoadError(path, "holds NaN or infinite samples")
    audio = data.mean(axis=1) if mono else np.ascontiguousarray(data.T)
    if file_rate != sample_rate:
        audio = resample(audio, file_rate, sample_rate, resampler=resampler)
    return audio.astype(np.float32, copy=False)


def wav_cut_short(path: Union[str, os.PathLike]) -> Optional[str]:
    """For a RIFF/WAVE file whose data chunk declares more bytes than the file holds, a phrase saying
    how much is missing ("the header declares 8000 frames, the file holds 3000"); None otherwise
    (a whole WAV, a streamed one with size 0 or 0xFFFFFFFF, or not a RIFF/WAVE file)."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        offset, block_align = 12, 0
        while offset + 8 <= size:
            f.seek(offset)
            chunk_id, chunk_size = struct.unpack("<4sI", f.read(8))
            if chunk_id == b"fmt " and chunk_size >= 14:
                block_align = struct.unpack("<H", f.read(14)[12:14])[0]
            if chunk_id == b"data":
                present = size - offset - 8
                if chunk_size in (0, 0xFFFFFFFF) or chunk_size <= present:
                    return None
                if block_align:
                    return (f"the header declares {chunk_size // block_align} frames, "
                            f"the file holds {present // block_align}")
                return f"the header declares {chunk_size} bytes of samples, the file holds {present}"
            offset += 8 + chunk_size + (chunk_size & 1)
    return None


def resample(audio: np.ndarray, orig_sr: int, target_sr: int, *, resampler: str = "soxr_hq") -> np.ndarray:
    """Resample the last axis of `audio` from `orig_sr` to `target_sr` Hz (see `load_audio`)."""
    if orig_sr == target_sr:
        return audio
    if resampler == "soxr_hq":
        import librosa

        return librosa.resample(audio, orig_sr=orig_sr, target_sr=target_sr, res_type="soxr_hq")
    if resampler == "torchaudio":
        with torch.inference_mode():
            return _torchaudio_resampler(orig_sr, target_sr)(torch.from_numpy(np.ascontiguousarray(audio))).numpy()
    raise ValueError(f"resampler={resampler!r}: must be 'soxr_hq' or 'torchaudio'")


@functools.lru_cache(maxsize=16)
def _torchaudio_resampler(orig_sr: int, target_sr: int):
    """torchaudio.transforms.Resample for one rate pair, its sinc kernel built once: the same numbers as
    torchaudio.functional.resample, which rebuilds the kernel on every call (most of its cost per file)."""
    import torchaudio

    return torchaudio.transforms.Resample(orig_sr, target_sr)


def fix_length(x: Array, size: int) -> Array:
    """Pad with zeros at the end, or cut, the last axis of `x` to exactly `size` samples.

    Args:
        x (np.ndarray | torch.Tensor): (..., n_samples).
        size (int): samples to keep.

    Returns:
        the same type, dtype and device as `x`, shape (..., size).
    """
    if not isinstance(size, int) or size <= 0:
        raise ValueError(f"size={size!r}: must be a positive integer")
    n = x.shape[-1]
    if n >= size:
        return x[..., :size]
    if isinstance(x, torch.Tensor):
        return torch.nn.functional.pad(x, (0, size - n))
    widths = [(0, 0)] * (x.ndim - 1) + [(0, size - n)]
    return np.pad(x, widths)


def preemphasis(y: Array, coef: float) -> Array:
    """y[n] - coef*y[n-1] along the last axis, y[0] kept, for a NumPy array or a tensor (same type back)."""
    return preemphasis_torch(y, coef) if isinstance(y, torch.Tensor) else preemphasis_numpy(y, coef)


def preemphasis_numpy(y: np.ndarray, coef: float) -> np.ndarray:
    """y[n] - coef*y[n-1] along the last axis, y[0] kept (librosa.effects.preemphasis with zi=0)."""
    import librosa

    zi = np.zeros(y.shape[:-1] + (1,), dtype=y.dtype)
    return librosa.effects.preemphasis(y, coef=coef, zi=zi)


def preemphasis_torch(y: torch.Tensor, coef: float) -> torch.Tensor:
    """y[n] - coef*y[n-1] along the last axis, y[0] kept (torchaudio.functional.preemphasis)."""
    import torchaudio.functional as F

    return F.preemphasis(y, coeff=coef)
