"""What every backend declares, and the input policy every backend shares.

A backend is a class with class attributes that say what the rest of the project needs to know
(torchbenchmark style: capabilities as attributes), and one method, `forward`, that turns a checked
waveform batch into MFCCs. `Backend.__call__` applies the input policy first, so every backend
treats integer PCM, non-finite samples and bad shapes the same way.
"""
from __future__ import annotations

from typing import Callable, ClassVar, Optional

import numpy as np
import torch

from ..config import MFCCConfig
from ..devices import resolve_device

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
NP_DTYPES = {"float32": np.float32, "float64": np.float64}


class Backend:
    """The contract of a backend. Subclasses set the class attributes and implement `forward`.

    Class attributes:
        name (str): the registry key, e.g. "librosa".
        devices (tuple[str, ...]): torch device types it runs on, e.g. ("cpu",) or ("cpu", "cuda").
        library (str): import name of the wrapped library (its version goes into results).
        distribution (str): its PyPI name, for the "not installed" message and `environment`.
        defaults_preset (str | None): the preset that writes out the library's own defaults.
        definition (str): "librosa" where the MFCC follows librosa's definition (so agreement with
            librosa is expected to float rounding under a shared config), else the name of the one it
            follows ("kaldi" for Kaldi's, "audioflux" for audioFlux's); any new name works: the
            agreement measurement then reports a distance from librosa under `defaults_preset`.
        requires (dict): config field -> (predicate, reason); a config whose field fails the
            predicate is refused at construction with a ValueError naming the field.
        description (str): one line for reports.
        full_grid (bool): timed on the whole throughput grid (the two libraries the suite's question is
            about); False: on the thinner grid of the peers (bench.grid.ThroughputGrid).
        per_clip (bool): the library computes one clip at a time (a Python loop over the batch), so its
            cost is linear in batch size and it is timed at fewer points still.

    Construction: Backend(cfg, device="cpu"). Calling: (T,) or (B, T) waveform (NumPy array or
    tensor; float, or integer PCM scaled to [-1, 1)) -> torch.Tensor (..., n_mfcc, n_frames).
    """

    name: ClassVar[str]
    devices: ClassVar[tuple] = ("cpu",)
    library: ClassVar[str]
    distribution: ClassVar[str]
    defaults_preset: ClassVar[Optional[str]] = None
    definition: ClassVar[str] = "librosa"
    requires: ClassVar[dict] = {}
    description: ClassVar[str] = ""
    full_grid: ClassVar[bool] = False
    per_clip: ClassVar[bool] = False

    def __init__(self, cfg: MFCCConfig, device="cpu"):
        self.check_config(cfg)
        dev = torch.device(device) if isinstance(device, (str, torch.device)) else None
        if dev is None or dev.type not in self.devices:
            where = " or ".join({"cpu": "the CPU", "cuda": "CUDA"}.get(d, d) for d in self.devices)
            raise ValueError(f"device={str(device)!r}: the {self.name} backend runs on {where} only")
        self.cfg = cfg
        self.device = resolve_device(dev)
        self.torch_dtype = TORCH_DTYPES[cfg.dtype]
        self.np_dtype = NP_DTYPES[cfg.dtype]

    # ------------------------------------------------------------------ declared capabilities
    @classmethod
    def check_config(cls, cfg: MFCCConfig) -> None:
        """Raise TypeError for a non-config, ValueError naming the first field this backend cannot honour."""
        if not isinstance(cfg, MFCCConfig):
            raise TypeError(f"cfg: expected MFCCConfig, got {type(cfg).__name__}")
        for field, (ok, reason) in cls.requires.items():
            if not ok(getattr(cfg, field)):
                raise ValueError(f"{field}={getattr(cfg, field)!r}: {reason} ({cls.name} backend)")

    @classmethod
    def honours(cls, cfg: MFCCConfig) -> bool:
        """True where `check_config(cfg)` passes."""
        try:
            cls.check_config(cfg)
        except ValueError:
            return False
        return True

    @classmethod
    def direct_call(cls, cfg: MFCCConfig, device: str = "cpu") -> Callable:
        """The wrapped library called directly with the same settings, as a user would write it
        without this project: a function of a (B, T) float32 batch (host array, or a tensor on
        `device`). Used by the interface-overhead measurement."""
        raise NotImplementedError(f"{cls.name}: no direct library call declared")

    def stage_pipeline(self) -> Optional[list]:
        """The call split into timed stages, or None where the backend declares none (the default).

        Returns a list of (stage, fn) pairs: `stage` one of "h2d", "other", "stft", "power", "mel",
        "db", "dct", "lifter" (each at most once), `fn` a function of the previous stage's output, the
        first of the raw (B, T) batch as `__call__` takes it (input check included). Chained, the
        stages give `self(batch)`: they are the same computation, cut where it can be timed.
        """
        return None

    # ------------------------------------------------------------------ the call
    def __call__(self, batch) -> torch.Tensor:
        return self.forward(check_waveform(batch))

    def forward(self, waveform):
        """MFCCs of a checked (T,) or (B, T) float waveform (NumPy array or tensor)."""
        raise NotImplementedError

    def waveform_tensor(self, waveform) -> torch.Tensor:
        """The front end of the torch backends: a checked (T,) or (B, T) waveform as a tensor on the
        device in cfg.dtype, cut or zero-padded to cfg.sample_size, pre-emphasised where cfg says so."""
        from ..frontend import fix_length, preemphasis_torch

        cfg = self.cfg
        x = torch.as_tensor(waveform).to(device=self.device, dtype=self.torch_dtype)
        if cfg.sample_size is not None:
            x = fix_length(x, cfg.sample_size)
        return preemphasis_torch(x, cfg.preemphasis) if cfg.preemphasis is not None else x

    def __repr__(self) -> str:
        return f"{type(self).__name__}(cfg={self.cfg.hash()}, device='{self.device}')"


# ---------------------------------------------------------------------- the input policy
_INT_SCALE = {np.dtype(np.int8): 2.0 ** 7, np.dtype(np.int16): 2.0 ** 15, np.dtype(np.int32): 2.0 ** 31}


def check_waveform(batch):
    """The waveform policy shared by every backend: returns a float NumPy array or tensor.

    - (T,) or (B, T) only, with at least one sample; anything else raises ValueError.
    - Integer PCM is scaled to [-1, 1) as soundfile does for files (int16 / 32768, ...), uint8 as
      offset binary; bool, complex, int64 (no PCM format has it: it is what a Python list of ints
      becomes, whose scale is unknown), unsigned wider than 8 bits and non-numbers are refused with
      TypeError. bfloat16 tensors become float32 (NumPy has no bfloat16).
    - NaN or infinite samples raise ValueError naming the clips (for a CUDA tensor this check waits
      for the device).
    Float input is returned as it came (no copy), so the backend picks its own dtype and device.
    """
    is_tensor = isinstance(batch, torch.Tensor)
    if not is_tensor:
        batch = np.asarray(batch)
    if batch.ndim not in (1, 2) or batch.shape[-1] == 0 or (batch.ndim == 2 and batch.shape[0] == 0):
        raise ValueError(f"waveform shape {tuple(batch.shape)}: expected (T,) or (B, T) with T, B > 0")
    kind = (str(batch.dtype).replace("torch.", "") if is_tensor else batch.dtype.name)
    numeric = is_tensor or np.issubdtype(batch.dtype, np.number)
    if kind == "bool" or kind.startswith("complex") or not numeric:
        raise TypeError(f"waveform dtype {kind}: expected float samples or integer PCM")
    if kind == "bfloat16":
        batch = batch.to(torch.float32)
    if not (batch.is_floating_point() if is_tensor else np.issubdtype(batch.dtype, np.floating)):
        batch = _scale_pcm(batch, kind, is_tensor)
    finite = torch.isfinite(batch) if is_tensor else np.isfinite(batch)
    if not bool(finite.all()):
        bad = (~finite).reshape(-1, batch.shape[-1]).any(-1)
        clips = (bad.nonzero().flatten() if is_tensor else np.flatnonzero(bad)).tolist()
        raise ValueError(f"waveform holds NaN or infinite samples in clip(s) {clips[:10]}"
                         f"{' ...' if len(clips) > 10 else ''}: MFCCs of such input are undefined")
    return batch


def _scale_pcm(batch, kind: str, is_tensor: bool):
    if kind == "uint8":
        return (batch.to(torch.float32) - 128) / 128 if is_tensor else (batch.astype(np.float32) - 128) / 128
    scale = _INT_SCALE.get(np.dtype(kind))
    if scale is None:
        raise TypeError(f"waveform dtype {kind}: expected float samples or integer PCM (int8/16/32, uint8); "
                        "convert other integers to float in [-1, 1) yourself")
    wide = torch.float64 if kind == "int32" else torch.float32
    if is_tensor:
        return batch.to(wide) / scale
    return batch.astype(np.float64 if kind == "int32" else np.float32) / scale
