"""The cheaper power step: same numbers, measured per backend only where it applies."""
import dataclasses

import numpy as np
import pytest
import torch

from bench.measurements import power_step
from features import MFCCConfig


def test_cheap_power_equals_abs_squared(rng):
    z = rng.standard_normal((4, 257, 10)) + 1j * rng.standard_normal((4, 257, 10))
    np.testing.assert_allclose(power_step.cheap_power(z), np.abs(z) ** 2, rtol=1e-12)
    t = torch.from_numpy(z.astype(np.complex64))
    torch.testing.assert_close(power_step.cheap_power(t), t.abs().pow(2), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("backend", ["librosa", "torchaudio"])
def test_record_for_a_backend_with_a_complex_power_stage(backend):
    row = dataclasses.asdict(power_step.measure(backend, MFCCConfig(), device="cpu", batch_size=4, duration_s=0.5,
                                                pairs=3))
    assert row["backend"] == backend and row["batch_size"] == 4
    assert row["rel_diff"] < 1e-5                     # the swap changes rounding only
    assert row["stage_speedup"] == pytest.approx(row["stage_stock_s"] / row["stage_cheap_s"])
    assert row["whole_speedup"] == pytest.approx(row["whole_stock_s"] / row["whole_cheap_s"])


@pytest.mark.parametrize("backend", ["nnaudio", "librosa_torch"])
def test_no_record_where_the_power_stage_takes_no_complex_spectrum(backend):
    # nnAudio's STFT hands over a magnitude; librosa_torch already squares real and imaginary parts
    assert power_step.measure(backend, MFCCConfig(), device="cpu", batch_size=2, duration_s=0.5, pairs=2) is None
