"""The torch and torchaudio pair this project is tested with, checked before torchaudio is imported.

torchaudio's compiled library is built against one torch ABI, and its wheel's own requirement does not
say which: torchaudio 2.11.1 declares `torch>=2.11` but needs torch 2.13's ABI, so beside torch 2.11.0
`import torchaudio` dies with "undefined symbol: torch_exception_get_what_without_backtrace". pip cannot
see this, so `import features` checks the installed pair against the known-good ones and refuses any
other with one line naming both versions and the fix.

    from features.stack import installed_pair, check_torch_pair
    installed_pair()      # ("2.11.0", "2.11.0"), local labels such as "+cu130" dropped; None where absent
    check_torch_pair()    # None, or ImportError for a pair not in KNOWN_GOOD

MFCC_BENCH_ANY_TORCH=1 skips the check, for trying a pair that is not listed yet (add it to KNOWN_GOOD
once `make test` passes on it).
"""
from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from typing import Optional

# (torch, torchaudio) release pairs on which the whole test suite has passed. The locks
# (requirements/lock-py311.txt, lock-py312.txt) and the GPU machine's image use the first.
KNOWN_GOOD: frozenset = frozenset({("2.11.0", "2.11.0")})
FIX = "pip install torch==2.11.0 torchaudio==2.11.0 (or make setup, which installs the lock)"


def _release(distribution: str) -> Optional[str]:
    """The installed version of `distribution` without its local label ("2.11.0+cu130" -> "2.11.0")."""
    try:
        return version(distribution).split("+")[0]
    except PackageNotFoundError:
        return None


def installed_pair() -> tuple:
    """(torch release, torchaudio release) as installed; either is None where that package is absent."""
    return _release("torch"), _release("torchaudio")


def check_torch_pair(pair: Optional[tuple] = None) -> None:
    """Raise ImportError (one line: both versions and the fix) for a torch/torchaudio pair not known to work.

    Args:
        pair (tuple[str | None, str | None] | None): (torch, torchaudio) releases; default: the installed ones.
    A missing package is not checked here (the registry reports a missing library per backend).
    """
    torch_v, audio_v = installed_pair() if pair is None else pair
    if torch_v is None or audio_v is None or os.environ.get("MFCC_BENCH_ANY_TORCH") == "1":
        return
    if (torch_v, audio_v) not in KNOWN_GOOD:
        good = ", ".join(f"torch {t} + torchaudio {a}" for t, a in sorted(KNOWN_GOOD))
        raise ImportError(f"torch {torch_v} with torchaudio {audio_v} is not a known-good pair "
                          f"(known good: {good}; torchaudio's library is built for one torch ABI): {FIX}")
