"""Fixtures for the model tests: small audio folders, a tiny FSDD-like archive, shared trained models."""
from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from features import MFCCConfig


def write_tone(path: Path, freq: float, rng: np.random.Generator, sr: int = 8000, seconds: float = 0.3):
    """A noisy sine at `freq` Hz written as 16-bit WAV."""
    t = np.arange(int(sr * seconds)) / sr
    y = 0.5 * np.sin(2 * np.pi * freq * t) + 0.01 * rng.standard_normal(len(t))
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, y.astype(np.float32), sr, subtype="PCM_16")


@pytest.fixture
def tone_writer():
    """`write_tone(path, freq, rng)` for tests that build their own folders."""
    return write_tone


@pytest.fixture
def cfg() -> MFCCConfig:
    return MFCCConfig.preset("matched")


@pytest.fixture
def tone_folder(tmp_path, rng) -> Path:
    """classes low/ mid/ high/ with 10 tones each, plus 3 bad files in low/: corrupt, empty, not audio."""
    root = tmp_path / "tones"
    for name, freq in (("low", 300), ("mid", 1200), ("high", 3000)):
        for i in range(10):
            write_tone(root / name / f"{name}_{i}.wav", freq * (1 + 0.05 * rng.standard_normal()), rng)
    good = (root / "low" / "low_0.wav").read_bytes()
    (root / "low" / "corrupt.wav").write_bytes(good[:44] + bytes(rng.integers(0, 256, 7, dtype=np.uint8)))
    (root / "low" / "corrupt.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt garbage!")
    (root / "low" / "empty.wav").write_bytes(b"")
    (root / "low" / "notes.txt").write_text("this is not audio\n")
    return root


def fingerprint(files: dict) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode())
        h.update(files[name])
    return h.hexdigest()


@pytest.fixture
def tiny_archive(tmp_path, rng):
    """(file:// url, archive sha256, content fingerprint) of a tar.gz holding pkg-1.0/recordings/*.wav."""
    files = {}
    for digit in range(3):
        buf = io.BytesIO()
        sf.write(buf, (0.1 * rng.standard_normal(800)).astype(np.float32), 8000, format="WAV", subtype="PCM_16")
        files[f"{digit}_test_0.wav"] = buf.getvalue()
    archive = tmp_path / "src" / "pkg.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"pkg-1.0/recordings/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    return archive.as_uri(), sha, fingerprint(files)


@pytest.fixture(scope="session")
def synthetic_splits():
    from model.datasets import load_splits

    return load_splits("synthetic", seed=0)


@pytest.fixture(scope="session")
def synthetic_run(synthetic_splits, tmp_path_factory):
    """A seeded librosa run (default epochs) on the synthetic vowels: (TrainedModel, metrics, out_dir, cache_dir)."""
    from model.train import train_and_evaluate

    out = tmp_path_factory.mktemp("synthetic_run")
    trained, metrics = train_and_evaluate(backend="librosa", cfg=MFCCConfig.preset("matched"),
                                          splits=synthetic_splits, seed=0,
                                          cache_dir=out / "cache", out_dir=out, progress=False)
    return trained, metrics, out, out / "cache"


@pytest.fixture(scope="session")
def fsdd_official(fsdd_dir):
    from model.datasets import load_splits

    return load_splits("fsdd", data_dir=fsdd_dir, split="official")
