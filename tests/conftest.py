"""Shared fixtures: one seeded RNG, the FSDD location, and the GPU skip."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

SEED = 20261123


@pytest.fixture
def rng() -> np.random.Generator:
    """The one seeded random generator every test draws from."""
    return np.random.default_rng(SEED)


@pytest.fixture(scope="session")
def fsdd_dir() -> Path:
    """The FSDD folder from $FSDD_DIR (set by .ci/run); tests that need it skip where it is absent."""
    value = os.environ.get("FSDD_DIR")
    if not value:
        pytest.skip("FSDD_DIR is not set (.ci/run sets it to ../shared/data/fsdd)")
    path = Path(value).resolve()          # absolute: manifests written by tests resolve against their own folder
    if not (path / "recordings").is_dir():
        pytest.skip(f"FSDD_DIR={value} has no recordings/ folder")
    return path


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device; torch.cuda.is_available() is False here")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
