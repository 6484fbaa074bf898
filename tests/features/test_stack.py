"""features.stack: the verified torch/torchaudio pairs are the committed version matrix's, pyproject.toml's
ranges admit exactly their releases, and any other pair is refused in one line naming what broke and the fix."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from features.stack import KNOWN_BAD, KNOWN_GOOD, LOCKED, VERIFIED_BY, check_torch_pair
from reports import upgrades

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / VERIFIED_BY.split(" ")[0]
# every release on PyPI from torch 2.10 to 2.15 and torchaudio 2.10 to 2.11 (pip index versions, 2026-12)
TORCH_RELEASES = ("2.10.0", "2.11.0", "2.12.0", "2.12.1", "2.13.0", "2.14.0", "2.14.1", "2.15.0")
TORCHAUDIO_RELEASES = ("2.10.0", "2.11.0", "2.11.1")


def test_known_pairs_are_the_committed_matrix_s():
    data = upgrades.load(COMMITTED)
    assert KNOWN_GOOD == set(upgrades.verified_pairs(data))
    assert set(KNOWN_BAD) == set(upgrades.failed_pairs(data))
    assert LOCKED in KNOWN_GOOD


def test_pyproject_ranges_admit_exactly_the_verified_releases():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    spec = {r.name: r.specifier for r in map(Requirement, deps)}
    assert {v for v in TORCH_RELEASES if spec["torch"].contains(v)} == {t for t, _ in KNOWN_GOOD}
    assert {v for v in TORCHAUDIO_RELEASES if spec["torchaudio"].contains(v)} == {a for _, a in KNOWN_GOOD}


def test_locks_hold_the_locked_pair():
    for lock in ("lock-py311.txt", "lock-py312.txt"):
        text = (ROOT / "requirements" / lock).read_text()
        assert f"\ntorch=={LOCKED[0]} \\" in text and f"\ntorchaudio=={LOCKED[1]} \\" in text


@pytest.mark.parametrize("pair", sorted(KNOWN_GOOD))
def test_verified_pairs_pass(pair, monkeypatch):
    monkeypatch.delenv("MFCC_BENCH_ANY_TORCH", raising=False)
    assert check_torch_pair(pair) is None


def test_a_failing_pair_is_refused_naming_what_broke(monkeypatch):
    monkeypatch.delenv("MFCC_BENCH_ANY_TORCH", raising=False)
    for pair, why in KNOWN_BAD.items():
        with pytest.raises(ImportError) as err:
            check_torch_pair(pair)
        text = str(err.value)
        assert "\n" not in text and why in text and f"torch {pair[0]} with torchaudio {pair[1]} fails" in text
        assert "pip install torchaudio==" in text or "pip install torch==" in text


def test_an_unverified_pair_gets_its_torch_s_verified_partner(monkeypatch):
    monkeypatch.delenv("MFCC_BENCH_ANY_TORCH", raising=False)
    newest = max(KNOWN_GOOD, key=lambda p: tuple(map(int, p[0].split("."))))
    other = next(a for a in ("2.11.0", "2.11.1", "2.10.0") if (newest[0], a) not in KNOWN_GOOD)
    with pytest.raises(ImportError, match=rf"is not a verified pair.*pip install torchaudio=={newest[1]} "):
        check_torch_pair((newest[0], other))
    with pytest.raises(ImportError, match=rf"pip install torch=={LOCKED[0]} torchaudio=={LOCKED[1]}"):
        check_torch_pair(("2.14.1", "2.11.1"))
    monkeypatch.setenv("MFCC_BENCH_ANY_TORCH", "1")
    assert check_torch_pair(("2.14.1", "2.11.1")) is None
