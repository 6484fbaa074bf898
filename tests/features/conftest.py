from __future__ import annotations

import numpy as np
import pytest

from features import fix_length, load_audio


@pytest.fixture(scope="session")
def fsdd_clips(fsdd_dir) -> np.ndarray:
    """24 real FSDD recordings (every digit, every speaker), resampled to 16 kHz, cut/padded to 1 s."""
    files = sorted((fsdd_dir / "recordings").glob("*.wav"))
    chosen = files[::125][:24]
    return np.stack([fix_length(load_audio(f, 16000), 16000) for f in chosen])


@pytest.fixture
def synthetic_clips(rng) -> np.ndarray:
    """Six 1-s signals at 16 kHz: chirp, noise, tones, a clip mostly silence, and loudness spread."""
    t = np.arange(16000) / 16000
    chirp = 0.5 * np.sin(2 * np.pi * (100 * t + 3000 * t ** 2))
    noise = 0.1 * rng.standard_normal(16000)
    tones = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 2500 * t)
    gated = np.where((t > 0.4) & (t < 0.6), chirp, 0.0)
    clips = np.stack([chirp, noise, tones, gated, 0.01 * tones, 5.0 * noise])
    return fix_length(clips.astype(np.float32), 16000)
