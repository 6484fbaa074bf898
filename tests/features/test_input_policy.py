"""The one input policy (features.backends.base.check_waveform) holds for every installed backend:
integer PCM is scaled like a decoded file, non-finite samples and bad dtypes/shapes are refused."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import features
from features import MFCCConfig, create_extractor
from features.backends import get

CFG = MFCCConfig.preset("matched")
BACKENDS = [n for n in features.backend_names(installed=True) if get(n).honours(CFG)]


@pytest.fixture
def pcm16(rng) -> np.ndarray:
    """Two 1-s clips of int16 PCM (a tone plus noise), the second quieter."""
    t = np.arange(16000) / 16000
    y = np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.05 * np.sin(2 * np.pi * 1500 * t)])
    y = y + 0.01 * rng.standard_normal(y.shape)
    return np.round(y * 32767).astype(np.int16)


def test_there_is_something_to_test():
    assert {"librosa", "torchaudio"} <= set(BACKENDS)


@pytest.mark.parametrize("backend", BACKENDS)
def test_int16_gives_the_features_of_the_same_audio_as_float(backend, pcm16):
    ext = create_extractor(backend, CFG)
    as_float = ext(pcm16.astype(np.float32) / 32768).numpy()
    for given in (pcm16, torch.from_numpy(pcm16)):
        out = ext(given).numpy()
        # before the shared policy, int16 was used unscaled: c0 was off by about 571
        np.testing.assert_allclose(out, as_float, rtol=0, atol=1e-3)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype, scale", [(np.int8, 2 ** 7), (np.int32, 2 ** 31)])
def test_other_integer_pcm_scaled(backend, dtype, scale, pcm16):
    ext = create_extractor(backend, CFG)
    wide = (pcm16.astype(np.int64) * scale // 2 ** 15).astype(dtype)
    np.testing.assert_allclose(ext(wide).numpy(), ext(wide.astype(np.float64) / scale).numpy(),
                               rtol=0, atol=1e-3)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_non_finite_samples_raise_naming_the_clip(backend, bad, as_tensor, rng):
    x = (0.1 * rng.standard_normal((3, 16000))).astype(np.float32)
    x[1, 500] = bad                       # before: librosa raised, torchaudio returned NaN features
    with pytest.raises(ValueError, match=r"NaN or infinite samples in clip\(s\) \[1\]"):
        create_extractor(backend, CFG)(torch.from_numpy(x) if as_tensor else x)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bad", [
    np.zeros(100, bool), np.zeros(100, np.complex64), np.zeros(100, np.int64), np.zeros(100, np.uint16),
    np.array(["a", "b"]), [0, 1000, -1000], torch.zeros(100, dtype=torch.int64),
])
def test_refused_dtypes_are_type_errors(backend, bad):
    # int64 (what a list of Python ints becomes) has no PCM scale: it was divided by 2**63 before,
    # which turned any sensible signal into silence
    with pytest.raises(TypeError, match="waveform dtype"):
        create_extractor(backend, CFG)(bad)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 16000), (2, 2, 16000), ()])
def test_bad_shapes_refused(backend, shape):
    with pytest.raises(ValueError, match="waveform shape"):
        create_extractor(backend, CFG)(np.zeros(shape, np.float32))


@pytest.mark.parametrize("backend", BACKENDS)
def test_bfloat16_tensor_is_accepted_as_float32(backend, rng):
    x = torch.from_numpy((0.1 * rng.standard_normal(16000)).astype(np.float32)).to(torch.bfloat16)
    ext = create_extractor(backend, CFG)
    np.testing.assert_allclose(ext(x).numpy(), ext(x.float()).numpy(), rtol=0, atol=1e-4)
