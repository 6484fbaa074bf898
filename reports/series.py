"""A series: one backend on one device, on an accelerator with or without the host-to-device copy.

Speed comparisons are between series. Code reads the fields; only renderers use the name
(``"torchaudio cpu"``, ``"nnaudio cuda (incl. copy)"``, ``"nnaudio cuda (kernels only)"``), and nothing
parses the name back.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional


def is_gpu(device: Any) -> bool:
    """Anything but the CPU counts as an accelerator (cuda, mps, ...)."""
    return str(device or "cpu").lower() != "cpu"


@dataclass(frozen=True)
class Series:
    """Attributes: backend (str), device (str), transfer (bool | None: on an accelerator, whether the
    host-to-device copy is timed; None where not recorded or on the CPU)."""

    backend: str
    device: str
    transfer: Optional[bool] = None

    @property
    def name(self) -> str:
        """The series in words, e.g. ``"nnaudio cuda (incl. copy)"``."""
        name = f"{self.backend} {self.device}"
        if is_gpu(self.device) and self.transfer is not None:
            name += " (incl. copy)" if self.transfer else " (kernels only)"
        return name

    def __str__(self) -> str:
        return self.name

    def __format__(self, spec: str) -> str:
        return format(self.name, spec)
