"""The torch and torchaudio pairs this project works with, checked before torchaudio is imported.

torchaudio's compiled library is built against one torch ABI, and its wheel's own requirement does not
say which: torchaudio 2.11.1 declares `torch>=2.11` but needs torch 2.13's ABI, so beside torch 2.11.0
`import torchaudio` dies with "undefined symbol: torch_exception_get_what_without_backtrace", and
torchaudio 2.11.0 declares no torch at all. pip cannot see this, so `import features` checks the
installed pair against the verified ones and refuses any other with one line naming both versions, what
broke where that is known, and the fix.

The pairs come from the version matrix (`python -m bench.versions`, bench/versions/): a pair is verified
where its environment imported both libraries, passed the conformance suite's CPU cases and gave features
equal to the locked stack's within float32 rounding (the committed run: VERIFIED_BY). pyproject.toml's
torch and torchaudio ranges admit exactly these releases; the locks hold the first pair.

    from features.stack import installed_pair, check_torch_pair
    installed_pair()      # ("2.11.0", "2.11.0"), local labels such as "+cu130" dropped; None where absent
    check_torch_pair()    # None, or ImportError for a pair not in KNOWN_GOOD

MFCC_BENCH_ANY_TORCH=1 skips the check, for trying a pair that is not listed yet (the version matrix's
worker does; add a pair to KNOWN_GOOD once the matrix verifies it).
"""
from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from typing import Optional

VERIFIED_BY = "reports/results/cpu-intel-xeon-2core-versions (python -m bench.versions)"
LOCKED = ("2.11.0", "2.11.0")     # requirements/lock-py311.txt, lock-py312.txt and the GPU machine's image
# (torch, torchaudio) release pairs the version matrix verified (VERIFIED_BY)
KNOWN_GOOD: frozenset = frozenset({LOCKED, ("2.13.0", "2.11.1"), ("2.15.0", "2.11.1")})
# pairs the matrix saw fail, with what broke
KNOWN_BAD: dict = {
    ("2.11.0", "2.11.1"): "import torchaudio fails: libtorchaudio.so: undefined symbol: "
                          "torch_exception_get_what_without_backtrace (torchaudio 2.11.1 is built for torch 2.13's ABI)",
}


def _release(distribution: str) -> Optional[str]:
    """The installed version of `distribution` without its local label ("2.11.0+cu130" -> "2.11.0")."""
    try:
        return version(distribution).split("+")[0]
    except PackageNotFoundError:
        return None


def installed_pair() -> tuple:
    """(torch release, torchaudio release) as installed; either is None where that package is absent."""
    return _release("torch"), _release("torchaudio")


def fix_for(torch_v: str) -> str:
    """The install command that makes a verified pair: torch's verified torchaudio where torch is in one,
    else the locked pair."""
    partners = sorted(a for t, a in KNOWN_GOOD if t == torch_v)
    if partners:
        return f"pip install torchaudio=={partners[-1]} (verified with torch {torch_v})"
    return f"pip install torch=={LOCKED[0]} torchaudio=={LOCKED[1]} (or make setup, which installs the lock)"


def check_torch_pair(pair: Optional[tuple] = None) -> None:
    """Raise ImportError (one line: both versions, what broke where known, and the fix) for a torch/torchaudio
    pair the version matrix did not verify.

    Args:
        pair (tuple[str | None, str | None] | None): (torch, torchaudio) releases; default: the installed ones.
    A missing package is not checked here (the registry reports a missing library per backend).
    """
    torch_v, audio_v = installed_pair() if pair is None else pair
    if torch_v is None or audio_v is None or os.environ.get("MFCC_BENCH_ANY_TORCH") == "1":
        return
    if (torch_v, audio_v) not in KNOWN_GOOD:
        good = ", ".join(f"torch {t} + torchaudio {a}" for t, a in sorted(KNOWN_GOOD))
        why = KNOWN_BAD.get((torch_v, audio_v))
        state = f"fails ({why})" if why else "is not a verified pair"
        raise ImportError(f"torch {torch_v} with torchaudio {audio_v} {state}; verified: {good}: {fix_for(torch_v)}")
