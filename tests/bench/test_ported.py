"""bench.measurements.support.ported: the accuracy measurement's "ported" server equals the trainer's own library call, clip by clip."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from bench.measurements.support.ported import ported_server, why_not_portable
from features import MFCCConfig
from features.backends import get


@pytest.mark.parametrize("trainer, preset", [("librosa", "librosa_defaults"), ("torchaudio", "torchaudio_defaults")])
def test_ported_server_gives_the_trainers_own_call_per_clip(trainer, preset):
    cfg = MFCCConfig.preset(preset, sample_rate=8000, sample_size=4000)
    other, features = ported_server(trainer, cfg)
    assert other == ("torchaudio" if trainer == "librosa" else "librosa")
    rng = np.random.default_rng(0)
    waves = np.stack([0.3 * rng.standard_normal(4000), 1e-3 * rng.standard_normal(4000)]).astype(np.float32)
    got = features(waves).numpy()
    call = get(trainer).direct_call(cfg)
    for g, w in zip(got, waves):
        want = np.asarray(call(torch.from_numpy(w) if trainer == "torchaudio" else w))
        assert g.shape == want.shape
        assert np.max(np.abs(g - want)) <= 1e-4 * np.max(np.abs(want))


def test_configs_the_port_cannot_take_are_named():
    assert "pre-emphasis" in why_not_portable("librosa", MFCCConfig.preset("matched", preemphasis=0.97))
    assert "librosa and torchaudio" in why_not_portable("nnaudio", MFCCConfig.preset("matched"))
    with pytest.raises(ValueError, match="no ported row"):
        ported_server("kaldi", MFCCConfig.preset("matched"))


@pytest.mark.parametrize("trainer", ["librosa", "torchaudio"])
def test_ported_server_follows_the_trainer_at_an_odd_sample_rate(trainer):
    """At an odd rate sample_rate // 2 is not the Nyquist frequency: the ported call takes the trainer's own
    keywords (the backend's library_kwargs, f_max = sample_rate / 2), so its mel grid ends where the trainer's does."""
    cfg = MFCCConfig.preset("matched", sample_rate=8001, sample_size=4000)
    _, features = ported_server(trainer, cfg)
    rng = np.random.default_rng(1)
    waves = np.stack([0.3 * rng.standard_normal(4000), 0.05 * rng.standard_normal(4000)]).astype(np.float32)
    got = features(waves).numpy()
    call = get(trainer).direct_call(cfg)
    for g, w in zip(got, waves):
        want = np.asarray(call(torch.from_numpy(w) if trainer == "torchaudio" else w))
        assert np.max(np.abs(g - want)) <= 1e-4 * np.max(np.abs(want))
