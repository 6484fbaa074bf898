"""What every backend declares, and the input policy every backend shares.

A backend is a class with class attributes that say what the rest of the project needs to know
(torchbenchmark style: capabilities as attributes), and its computation declared once as named
stages (`stages`): `forward` runs them in order, and the stage measurement (`stage_pipeline`) times
the same functions one by one, so the two cannot disagree. A backend whose library computes the MFCC
in one call (the Kaldi backends) declares no stages and writes `forward` itself. `Backend.__call__`
applies the input policy first, so every backend treats integer PCM, non-finite samples and bad
shapes the same way.
"""
from __future__ import annotations

from typing import Callable, ClassVar, Iterable, NamedTuple, Optional

import numpy as np
import torch

from ..config import MFCCConfig
from ..devices import resolve_device

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
NP_DTYPES = {"float32": np.float32, "float64": np.float64}


class Backend:
    """The contract of a backend. Subclasses set the class attributes and declare `stages` (or, where
    the library computes the MFCC in one call, implement `forward`).

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
        uses_torch_threads (bool): it computes on torch's intra-op thread pool, so torch.set_num_threads
            sets its speed (inside a DataLoader worker it gets one thread): the thread sweep times it.
        exported (bool): it runs an artefact `python -m features.port ... --emit` writes (the ONNX graph),
            so a model served by it is served without any Python audio library: the report's deployment rows.
        differentiable (bool): gradients flow from the MFCCs back to the waveform (torch operations end
            to end), so the features can sit inside a model being trained.
        batch_independent (bool): the wrapped library's own batched call gives each clip the features it
            gets alone (librosa and torchaudio take the dB floor over the whole batch: False).
        standalone (bool): installs without this project (False for this project's own path).
        exports (tuple[str, ...]): formats the library's own MFCC module is known to export to, each
            checked by tests/features/test_capabilities.py ("TorchScript"; "ONNX" where it exports).
        torch_pin (str): "exact" (its wheel is built for one torch release: features/stack.py names the
            pair), "any" (any torch the project installs) or "none" (no torch needed).
        frontend_preemphasis (bool): the front end (`waveform_array`, `waveform_tensor`) applies
            cfg.preemphasis to the whole clip; False where the library pre-emphasises each frame itself
            (Kaldi).

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
    uses_torch_threads: ClassVar[bool] = False
    frontend_preemphasis: ClassVar[bool] = True
    exported: ClassVar[bool] = False
    differentiable: ClassVar[bool] = False
    batch_independent: ClassVar[bool] = False
    standalone: ClassVar[bool] = True
    exports: ClassVar[tuple] = ()
    torch_pin: ClassVar[str] = "none"

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
    def library_kwargs(cls, cfg: MFCCConfig) -> dict:
        """The keywords of the wrapped library's one MFCC call (all but the waveform) that compute `cfg`:
        the one mapping from MFCCConfig to that library, used by `direct_call`, the port's snippet and
        the accuracy measurement's "ported" rows. Backends whose library has no such single call raise."""
        raise NotImplementedError(f"{cls.name}: no single library call declared")

    @classmethod
    def direct_call(cls, cfg: MFCCConfig, device: str = "cpu") -> Callable:
        """The wrapped library called directly with the same settings, as a user would write it
        without this project: a function of a (B, T) float32 batch (host array, or a tensor on
        `device`). Used by the interface-overhead measurement."""
        raise NotImplementedError(f"{cls.name}: no direct library call declared")

    # ------------------------------------------------------------------ the computation, declared once
    def stages(self, *, repeatable: bool = False) -> Optional[list]:
        """The computation as named steps, or None where the backend declares none (the default; it then
        overrides `forward`).

        Returns a list of (stage, fn) pairs: `stage` one of "h2d", "other", "stft", "power", "mel",
        "db", "dct", "lifter" (each at most once, in that order), `fn` a function of the previous
        stage's output, the first of a checked (B, T) waveform (NumPy array or tensor), the last
        returning the (B, n_mfcc, n_frames) tensor. A stage may hand on `Chunks` (the batch in parts,
        produced lazily) so that consecutive steps run a cache-sized part at a time.
        `repeatable=True` (what `stage_pipeline` asks for): every fn leaves its input as it was, so it
        can be timed again on the same input; a backend that overwrites an intermediate in place
        (librosa_torch's power step) works on a copy then, with the same numbers.
        """
        return None

    def stage_pipeline(self) -> Optional[list]:
        """The declared stages ready to time one by one, or None where none are declared.

        The same functions as `stages(repeatable=True)`, but the first takes the raw (B, T) batch as
        `__call__` does (input check included) and every one computes its whole output (lazy `Chunks`
        are materialised inside the call). Chained, they give `self(batch)`.
        """
        stages = self.stages(repeatable=True)
        if stages is None:
            return None
        (first, prepare), rest = stages[0], stages[1:]
        return ([(first, _computed(lambda batch: prepare(check_waveform(batch))))]
                + [(stage, _computed(fn)) for stage, fn in rest])

    # ------------------------------------------------------------------ the call
    def __call__(self, batch) -> torch.Tensor:
        return self.forward(check_waveform(batch))

    def forward(self, waveform) -> torch.Tensor:
        """MFCCs of a checked (T,) or (B, T) float waveform (NumPy array or tensor): the declared stages
        run in order on the (B, T) batch -> (n_mfcc, n_frames) or (B, n_mfcc, n_frames)."""
        stages = self.stages()
        if stages is None:
            raise NotImplementedError(f"{self.name}: declare stages() or override forward()")
        single = waveform.ndim == 1
        value = waveform[None] if single else waveform
        for _, fn in stages:
            value = fn(value)
        return value[0] if single else value

    # ------------------------------------------------------------------ the front end, one place
    def waveform_tensor(self, waveform) -> torch.Tensor:
        """The front end of the torch backends: a checked waveform (..., T) as a tensor on the device in
        cfg.dtype, cut or zero-padded to cfg.sample_size, pre-emphasised where cfg says so (and
        `frontend_preemphasis`)."""
        x = torch.as_tensor(waveform).to(device=self.device, dtype=self.torch_dtype)
        return self._fixed(x)

    def waveform_array(self, waveform) -> np.ndarray:
        """The front end of the NumPy backends: a checked waveform (..., T) as a C-contiguous NumPy array
        in cfg.dtype, cut or zero-padded to cfg.sample_size, pre-emphasised as `waveform_tensor`."""
        x = waveform.detach().cpu().numpy() if isinstance(waveform, torch.Tensor) else np.asarray(waveform)
        return self._fixed(np.ascontiguousarray(x, dtype=self.np_dtype))

    def _fixed(self, x):
        from ..frontend import fix_length, preemphasis

        cfg = self.cfg
        if cfg.sample_size is not None:
            x = fix_length(x, cfg.sample_size)
        if cfg.preemphasis is not None and self.frontend_preemphasis:
            x = preemphasis(x, cfg.preemphasis)
        return x

    def __repr__(self) -> str:
        return f"{type(self).__name__}(cfg={self.cfg.hash()}, device='{self.device}')"


class Chunks(NamedTuple):
    """A (B, ...) batch as consecutive parts along its first axis, handed from stage to stage.

    `parts` is an iterable; in `forward` it is lazy (`map`), so a part goes through every chunked
    stage before the next part starts and its intermediates stay in cache. `stage_pipeline`
    materialises it into a list after each stage, so each stage can be timed alone.
    """

    n_clips: int            # B, the clips over all parts
    parts: Iterable

    def map(self, fn: Callable) -> "Chunks":
        """The same chunks with `fn` applied to each part, lazily."""
        return Chunks(self.n_clips, map(fn, self.parts))


def _computed(fn: Callable) -> Callable:
    """`fn` with a lazy `Chunks` result materialised into a list, so calling it does all of its work."""
    def call(value):
        out = fn(value)
        return Chunks(out.n_clips, list(out.parts)) if isinstance(out, Chunks) else out
    return call


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
