"""The backend registry: one module per backend, listed once in `MODULES`.

    from features.backends import names, get
    names()                    # every registered backend, in a fixed order
    names(installed=True)      # those whose library imports here
    get("librosa")             # the Backend class, with its declared capabilities

Adding a backend is one new module in this folder (a `Backend` subclass, see base.py) and one line
in `MODULES`. `register` adds a class at run time (tests use it for a toy backend). Modules are
imported on first use, so importing `features` never imports a backend's library.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import warnings
from typing import Optional

from .base import Backend, check_waveform

# name -> "module:Class", in the order results and reports list them (the reference first)
MODULES: dict[str, str] = {
    "librosa": "features.backends.librosa:LibrosaMFCC",
    "torchaudio": "features.backends.torchaudio:TorchaudioMFCC",
    "nnaudio": "features.backends.nnaudio:NnAudioMFCC",
    "librosa_torch": "features.backends.librosa_torch:LibrosaTorchMFCC",
    "kaldi": "features.backends.kaldi:KaldiNativeFbankMFCC",
    "torchaudio_kaldi": "features.backends.torchaudio_kaldi:TorchaudioKaldiMFCC",
    "audioflux": "features.backends.audioflux:AudioFluxMFCC",
    "onnxruntime": "features.backends.onnxruntime:OnnxRuntimeMFCC",
}
REFERENCE = "librosa"          # agreement is measured against this backend
#: Old name -> the name the backend has now. An old name still works for one release: `create_extractor`
#: takes it with a DeprecationWarning and the command lines (`option_name`) with a notice on stderr.
#: Results written under an old name are upgraded on reading by reports.schema (its version 5).
RENAMED: dict[str, str] = {"fast": "librosa_torch"}
_registered: dict[str, type[Backend]] = {}
_loaded: dict[str, type[Backend]] = {}


def names(*, installed: bool = False) -> tuple[str, ...]:
    """Registered backend names in their fixed order; with installed=True, only those whose library imports."""
    every = tuple(MODULES) + tuple(n for n in _registered if n not in MODULES)
    return tuple(n for n in every if not installed or missing_library(n) is None)


def get(name: str) -> type[Backend]:
    """The Backend class registered as `name`; ValueError listing the names otherwise."""
    if name in _registered:
        return _registered[name]
    if name not in MODULES:
        raise ValueError(f"backend={name!r}: must be one of {names()}")
    if name not in _loaded:
        module, cls = MODULES[name].split(":")
        _loaded[name] = getattr(importlib.import_module(module), cls)
    return _loaded[name]


def renamed_notice(name: str) -> Optional[str]:
    """"fast is now called librosa_torch" where `name` is an old name (RENAMED), else None."""
    return f"{name} is now called {RENAMED[name]}" if name in RENAMED else None


def option_name(text: str) -> str:
    """A backend name given on a command line (usable as an argparse `type`): `text` itself, or, for an old
    name (RENAMED), the name it has now, after a one-line notice on stderr. Unknown names pass through
    unchanged, for the command's own check to refuse."""
    notice = renamed_notice(text)
    if notice is None:
        return text
    print(f"note: {notice} (the old name works for one release)", file=sys.stderr)
    return RENAMED[text]


def missing_library(name: str) -> Optional[str]:
    """None where backend `name`'s library can be imported, else a one-line reason naming the package."""
    cls = get(name)
    if importlib.util.find_spec(cls.library.split(".")[0]) is None:
        return f"{name}: its library {cls.library!r} is not installed (pip install {cls.distribution})"
    return None


def register(cls: type[Backend]) -> type[Backend]:
    """Add a Backend subclass under `cls.name` (usable as a class decorator); returns `cls`."""
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise TypeError(f"register: expected a Backend subclass, got {cls!r}")
    if cls.name in MODULES:
        raise ValueError(f"register: {cls.name!r} is already a built-in backend")
    _registered[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a backend added with `register` (built-in ones stay)."""
    _registered.pop(name, None)


def runs_on(name: str, device_type: str) -> bool:
    """Whether backend `name` runs on device type `device_type` ("cpu", "cuda")."""
    return device_type in get(name).devices


def create_extractor(backend: str, cfg, device="cpu") -> Backend:
    """An MFCC extractor: `get(backend)(cfg, device)`. Raises ValueError for an unknown backend, a
    device it does not run on, or a config field it cannot honour; ImportError (one line, naming the
    package) where its library is not installed; RuntimeError for CUDA on a machine without it. An old
    name (RENAMED) gives the backend it now names, with a DeprecationWarning saying the new name."""
    notice = renamed_notice(backend)
    if notice is not None:
        warnings.warn(f"{notice}: create_extractor({RENAMED[backend]!r}, ...)", DeprecationWarning, stacklevel=2)
        backend = RENAMED[backend]
    cls = get(backend)
    reason = missing_library(backend)
    if reason is not None:
        raise ImportError(reason)
    return cls(cfg, device=device)


__all__ = ["Backend", "MODULES", "REFERENCE", "RENAMED", "check_waveform", "create_extractor", "get",
           "missing_library", "names", "option_name", "register", "renamed_notice", "runs_on", "unregister"]
