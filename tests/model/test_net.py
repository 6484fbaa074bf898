"""MFCCNet's input steps: per-utterance CMVN, the training split's standardisation, and what they make
equivalent (natural log against dB, the reason the generalisation study does not train that setting)."""
from __future__ import annotations

import math

import pytest
import torch

from model.fit import set_normalisation
from model.net import MFCCNet
from model.train import load_checkpoint, save_checkpoint, TrainedModel
from features import MFCCConfig
from tests.floats import assert_rounding_close


def features(seed: int = 0, n: int = 6) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    scale = torch.linspace(1, 30, 13)[None, :, None]
    return torch.randn(n, 13, 50, generator=g) * scale + 5 * torch.randn(n, 13, 1, generator=g)


def test_cmvn_removes_each_clips_own_mean_and_std_per_coefficient():
    x = features()
    y = MFCCNet(13, 4, cmvn=True).per_utterance(x)
    assert_rounding_close(y.mean(-1).numpy(), torch.zeros(6, 13).numpy(), k=256, what="CMVN mean")
    assert_rounding_close(y.std(-1, unbiased=False).numpy(), torch.ones(6, 13).numpy(), k=256, what="CMVN std")
    assert torch.equal(MFCCNet(13, 4).per_utterance(x), x)          # off: untouched


def test_cmvn_makes_a_clips_gain_and_offset_irrelevant():
    net = MFCCNet(13, 4, cmvn=True).eval()
    x = features()
    set_normalisation(net, x, lambda f: f)
    shifted = 3.0 * x + 7.0
    assert_rounding_close(net.normalise(shifted).numpy(), net.normalise(x).numpy(), k=512, what="CMVN input")


def test_cmvn_survives_a_checkpoint(tmp_path):
    net = MFCCNet(13, 4, cmvn=True)
    save_checkpoint(TrainedModel(net, MFCCConfig.preset("matched"), list("abcd"), "librosa_torch"), tmp_path / "m.pt")
    assert load_checkpoint(tmp_path / "m.pt").net.cmvn is True


def test_a_checkpoint_written_under_a_backends_old_name_loads_under_its_new_one(tmp_path):
    """A model.pt written while librosa_torch was called `fast` names `fast`: read, it names librosa_torch,
    so model.evaluate serves it the same features."""
    save_checkpoint(TrainedModel(MFCCNet(13, 4), MFCCConfig.preset("matched"), list("abcd"), "fast"), tmp_path / "m.pt")
    assert load_checkpoint(tmp_path / "m.pt").backend == "librosa_torch"


def test_natural_log_and_db_give_the_net_the_same_input():
    """dB MFCCs are 10/ln 10 times natural-log MFCCs (the DCT is linear); the training split's per-coefficient
    standardisation removes the factor, so training on either is the same computation (up to rounding)."""
    db = features()
    natural = db * (math.log(10) / 10)
    a, b = MFCCNet(13, 4), MFCCNet(13, 4)
    set_normalisation(a, db, lambda f: f)
    set_normalisation(b, natural, lambda f: f)
    assert_rounding_close(b.normalise(natural).numpy(), a.normalise(db).numpy(), k=256, what="standardised input")
    assert not torch.allclose(a.mean, b.mean)                        # the raw statistics do differ


@pytest.mark.parametrize("n", [1, 2])
def test_cmvn_with_one_frame_is_finite(n):
    y = MFCCNet(13, 4, cmvn=True).per_utterance(torch.randn(2, 13, n))
    assert torch.isfinite(y).all()
