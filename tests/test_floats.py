"""The float32 comparison the suite uses: it passes a reordered sum and fails a real defect."""
from __future__ import annotations

import numpy as np
import pytest

from tests.floats import EPS32, assert_rounding_close, same_bytes, scaled_error


def test_a_reordered_float32_sum_passes(rng):
    terms = rng.standard_normal((64, 257)).astype(np.float32) ** 2
    forward = terms.sum(axis=1, dtype=np.float32)
    backward = terms[:, ::-1].cumsum(axis=1, dtype=np.float32)[:, -1]
    assert not same_bytes(forward, backward)          # the two orders differ in the last bits here
    assert scaled_error(backward, forward) < 8 * EPS32
    assert_rounding_close(backward, forward)


def test_a_shift_of_one_coefficient_fails(rng):
    ref = (400 * rng.standard_normal((13, 101))).astype(np.float32)
    bad = ref.copy()
    bad[0, 0] += 0.5                                  # 0.5 dB units on c0: a real difference, not rounding
    with pytest.raises(AssertionError, match="float32 eps"):
        assert_rounding_close(bad, ref)


def test_shape_and_non_finite_values_fail():
    ref = np.ones((2, 3), np.float32)
    with pytest.raises(AssertionError):
        assert_rounding_close(np.ones((3, 2), np.float32), ref)
    nan = ref.copy()
    nan[0, 0] = np.nan
    with pytest.raises(AssertionError):
        assert_rounding_close(nan, ref)
