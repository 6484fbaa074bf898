"""The version matrix's combinations, as data: which librosa and torch/torchaudio each isolated environment
holds, on which Python, and the lock it is installed from.

    from bench.versions.combos import MATRIX, LOCKED, by_name
    MATRIX                    # every combination the committed run measures, the locked stack first
    by_name("librosa-1.0.0")  # one Combo

The locked stack (`LOCKED`) is the project's own environment (requirements/lock-py311.txt, what `make setup`
installs); every other combination changes one library against it and runs in an environment of its own,
built with the pinned uv from `requirements/versions/<name>.txt` (`python -m bench.versions lock` writes
those files from this table).
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Optional

LOCK_DIR = Path(__file__).resolve().parents[2] / "requirements" / "versions"


@dataclasses.dataclass(frozen=True)
class Combo:
    """One combination.

    name (str): its label in results and file names.
    python (str): "3.11" or "3.12" (librosa 1.0 needs >= 3.12).
    librosa, torch, torchaudio (str): the exact releases installed.
    changes (str): what differs from the locked stack: "none", "librosa" or "torch".
    """

    name: str
    python: str
    librosa: str
    torch: str
    torchaudio: str
    changes: str

    @property
    def lock(self) -> Optional[Path]:
        """The lock file it is installed from; None for the locked stack (the project's own environment)."""
        return None if self.changes == "none" else LOCK_DIR / f"{self.name}.txt"

    @property
    def pins(self) -> list[str]:
        """The requirement lines its lock is compiled from (the rest of the stack follows the project's lock)."""
        return [f"torch=={self.torch}", f"torchaudio=={self.torchaudio}", f"librosa=={self.librosa}",
                "soundfile", "soxr", "pytest"]

    @property
    def pair(self) -> tuple:
        return self.torch, self.torchaudio


LOCKED = Combo("locked", "3.11", "0.11.0", "2.11.0", "2.11.0", "none")
MATRIX: tuple = (
    LOCKED,
    Combo("librosa-0.10.2.post1", "3.11", "0.10.2.post1", "2.11.0", "2.11.0", "librosa"),
    Combo("librosa-1.0.0", "3.12", "1.0.0", "2.11.0", "2.11.0", "librosa"),
    Combo("torch-2.13.0", "3.11", "0.11.0", "2.13.0", "2.11.1", "torch"),
    Combo("torch-2.15.0", "3.11", "0.11.0", "2.15.0", "2.11.1", "torch"),
    # the pair pip picks for a user holding torch 2.11.0 who installs torchaudio's newest release
    Combo("torchaudio-2.11.1", "3.11", "0.11.0", "2.11.0", "2.11.1", "torch"),
)


def by_name(name: str) -> Combo:
    """The combination called `name`; ValueError listing the names otherwise."""
    for combo in MATRIX:
        if combo.name == name:
            return combo
    raise ValueError(f"combination {name!r}: must be one of {[c.name for c in MATRIX]}")
