"""The version matrix's mechanism (bench/versions): comparison, locks, verdicts, and one small run whose
second environment is linked to this one's packages (nothing downloaded; the full matrix is the committed
run under reports/results/*-versions/)."""
from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest

from bench.versions import envs
from bench.versions.combos import LOCKED, MATRIX, Combo
from bench.versions.compare import ROUNDING, largest_difference, within_rounding
from bench.versions.driver import verdicts

ROOT = Path(__file__).resolve().parents[2]


def test_largest_difference_is_per_clip_and_relative():
    ref = np.ones((3, 2, 4), np.float32)
    ref[1] *= 100.0                          # a loud clip must not hide a quiet one's change
    out = ref.copy()
    out[0, 1, 2] += 0.5                      # clip 0: 0.5 / 1
    out[1, 0, 0] += 1.0                      # clip 1: 1 / 100
    assert largest_difference(ref, out) == pytest.approx(0.5)
    assert largest_difference(ref, ref) == 0.0
    assert largest_difference(ref, out[:, :, :3]) == float("inf")
    bad = out.copy()
    bad[2, 0, 0] = np.nan
    assert largest_difference(ref, bad) == float("inf")


def test_rounding_bound_is_64_float32_eps():
    assert ROUNDING == pytest.approx(64 * 2.0 ** -23)
    assert within_rounding(ROUNDING) and not within_rounding(2 * ROUNDING)


@pytest.mark.parametrize("combo", [c for c in MATRIX if c is not LOCKED], ids=lambda c: c.name)
def test_every_combination_has_its_lock_pinning_what_it_names(combo):
    text = combo.lock.read_text()
    for pin in (f"torch=={combo.torch}", f"torchaudio=={combo.torchaudio}", f"librosa=={combo.librosa}"):
        assert re.search(rf"^{re.escape(pin)} \\$", text, flags=re.M), f"{combo.lock.name} lacks {pin}"
    names = re.findall(r"^([A-Za-z0-9_.\-]+)==", text, flags=re.M)
    hashes = re.findall(r"--hash=sha256:", text)
    assert len(hashes) >= len(names) > 10


@pytest.mark.parametrize("combo", [c for c in MATRIX if c is not LOCKED], ids=lambda c: c.name)
def test_every_lock_input_is_the_combination_table(combo):
    """requirements/versions/<name>.in is what combos.py says (python -m bench.versions lock rewrites both)."""
    lines = [line for line in combo.lock.with_suffix(".in").read_text().splitlines() if not line.startswith("#")]
    assert lines == combo.pins


def test_locked_combination_is_the_project_lock():
    lock = (ROOT / "requirements" / "lock-py311.txt").read_text()
    for name, want in (("torch", LOCKED.torch), ("torchaudio", LOCKED.torchaudio), ("librosa", LOCKED.librosa)):
        assert re.search(rf"^{name}=={re.escape(want)} ", lock, flags=re.M)


def test_constraints_keep_the_project_lock_but_not_what_a_combination_changes():
    pins = envs.project_constraints("3.11")
    names = {p.split("==")[0] for p in pins}
    assert "numpy==2.4.6" in pins
    assert {"scipy", "numba"} <= names
    assert not names & {"torch", "torchaudio", "librosa", "triton"}
    assert not any(n.startswith("nvidia-") for n in names)


def _combo(name, **kw):
    base = dict(name=name, python="3.11", librosa="0.11.0", torch="2.11.0", torchaudio="2.11.0", changes="torch")
    return Combo(**{**base, **kw})


def test_verdict_names_what_broke():
    held = {"librosa": "0.11.0", "torch": "2.15.0", "torchaudio": "2.11.1"}
    combos = [_combo("good", torch="2.15.0", torchaudio="2.11.1"), _combo("abi", torch="2.15.0", torchaudio="2.11.1"),
              _combo("drift", torch="2.15.0", torchaudio="2.11.1"), _combo("wrong", torch="2.13.0", torchaudio="2.11.1")]
    infos = {"good": {"versions": held}, "abi": {"versions": held, "broken": {"torchaudio": "OSError: undefined symbol"}},
             "drift": {"versions": held}, "wrong": {"versions": held}}
    confs = {name: {"passed": True, "summary": "3 passed"} for name in infos}
    confs["drift"] = {"passed": False, "summary": "1 failed, 2 passed"}
    row = dict(library="torchaudio", preset="matched", path="backend", mode="batch")
    diffs = {"good": [dict(row, difference=1e-7, within_rounding=True)],
             "drift": [dict(row, difference=1e-3, within_rounding=False)]}
    out = {r["combo"]: r for r in verdicts(combos, infos, confs, diffs)}
    assert out["good"]["verified"] and out["good"]["broke"] is None
    assert "torchaudio does not import (OSError: undefined symbol)" in out["abi"]["broke"]
    assert "conformance suite failed (1 failed, 2 passed)" in out["drift"]["broke"]
    assert "torchaudio matched backend batch, 0.001" in out["drift"]["broke"]
    assert out["wrong"]["broke"] == "torch 2.15.0 installed where the lock names 2.13.0"


@pytest.mark.slow
def test_small_matrix_in_a_linked_environment(fsdd_dir, tmp_path):
    """The whole driver on 4 clips per split with one extra environment that holds this one's packages:
    its features equal the locked stack's, so it is verified, every paired accuracy difference is 0 and
    both environments are timed; the environment is gone afterwards."""
    from bench.versions.driver import run

    here = Combo("linked", "3.11", version("librosa"), version("torch").split("+")[0],
                 version("torchaudio").split("+")[0], "librosa")
    result = run([LOCKED, here], data_dir=fsdd_dir, out=tmp_path / "out", envs_root=tmp_path / "envs", limit=4,
                 seeds=1, epochs=1, passes=1, repeats=1, stub=True, conformance_select="dtype_device_and_shapes")
    saved = json.loads((tmp_path / "out" / "versions.json").read_text())
    assert saved["combos"] == json.loads(json.dumps(result["combos"]))
    linked = {r["combo"]: r for r in result["combos"]}["linked"]
    assert linked["verified"], linked["broke"]
    assert linked["versions"]["torch"] == version("torch")
    assert result["conformance"]["linked"]["passed"] and "passed" in result["conformance"]["linked"]["summary"]
    assert len(result["differences"]) == 16 and all(r["within_rounding"] for r in result["differences"])
    assert len(result["accuracy"]) == 16 and all(r["delta"] == 0 for r in result["accuracy"])
    assert {(r["combo"], r["library"]) for r in result["throughput"]} == {
        (c, lib) for c in ("locked", "linked") for lib in ("librosa", "torchaudio")}
    assert all(r["audio_s_per_s"] > 0 for r in result["throughput"])
    assert not (tmp_path / "envs" / "linked").exists()


def test_librosa1_defaults_is_librosa_defaults_floored_per_clip(rng):
    """librosa 1.0's batched librosa.feature.mfcc floors each clip alone, which is the installed librosa's
    call on each clip by itself; the preset gives that from a batch, and `librosa_defaults` does not."""
    import librosa
    import torch

    from features import MFCCConfig, create_extractor

    v1, v0 = MFCCConfig.preset("librosa1_defaults"), MFCCConfig.preset("librosa_defaults")
    assert v1 == v0.replace(top_db_scope="clip")
    t = np.arange(16000) / 16000
    loud = 0.5 * rng.standard_normal(16000)
    quiet = 1e-3 * np.where((t > 0.3) & (t < 0.6), np.sin(2 * np.pi * 440 * t), 0.0)   # beside the loud one
    batch = np.stack([loud, quiet]).astype(np.float32)
    alone = np.stack([librosa.feature.mfcc(y=clip, sr=16000) for clip in batch])
    ours = create_extractor("librosa", v1)(batch).numpy()
    scale = np.abs(alone).max()
    assert np.abs(ours - alone).max() <= ROUNDING * scale
    assert np.abs(create_extractor("librosa", v0)(batch).numpy() - alone).max() > 1.0
    assert isinstance(create_extractor("torchaudio", v1)(torch.from_numpy(batch)), torch.Tensor)


def test_librosa_backend_runs_where_librosa_has_no_get_fftlib(monkeypatch, rng):
    """librosa 1.0 removed get_fftlib (the matrix's librosa-1.0.0 environment raised AttributeError in the
    backend's DCT); without it the backend takes scipy.fft, as librosa 1.0's mfcc does, with the same numbers."""
    import librosa

    from features import MFCCConfig, create_extractor

    clips = (0.1 * rng.standard_normal((2, 16000))).astype(np.float32)
    cfg = MFCCConfig.preset("matched")
    before = create_extractor("librosa", cfg)(clips).numpy()
    lazy = librosa.__getattr__           # librosa's lazy loader would bring it back

    def without_fftlib(name):
        if name == "get_fftlib":
            raise AttributeError("No librosa attribute get_fftlib")
        return lazy(name)

    monkeypatch.delattr(librosa, "get_fftlib", raising=False)
    monkeypatch.setattr(librosa, "__getattr__", without_fftlib)
    assert not hasattr(librosa, "get_fftlib")
    after = create_extractor("librosa", cfg)(clips).numpy()
    assert np.array_equal(before, after)
