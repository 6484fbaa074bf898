"""The librosa backend, the reference: its declared stages are librosa.feature.mfcc opened up."""
import numpy as np
import pytest

from features import MFCCConfig, create_extractor
from features.backends import get
from tests.floats import assert_rounding_close

# configs librosa.feature.mfcc called directly honours (its ref, amin and top_db are the defaults; no
# pre-emphasis), with the floor over the whole array, as librosa's power_to_db takes it
DIRECT = {"matched": dict(), "400/200/64/20-nocentre-htk-none": dict(n_fft=400, hop_length=200, n_mels=64, n_mfcc=20,
                                                                  center=False, mel_scale="htk", mel_norm=None),
          "hamming-800-lifter-dct3": dict(n_fft=1024, hop_length=256, win_length=800, window="hamming", lifter=22,
                                          dct_type=3, pad_mode="reflect")}


@pytest.mark.parametrize("name", DIRECT)
def test_stages_are_librosa_feature_mfcc(name, fsdd_clips):
    """The same library calls in the same order: equal to a few roundings of the largest value (k = 16
    leaves room for NumPy's einsum picking another contraction order or SciPy another FFT plan).
    float32 only: called directly, librosa builds its mel basis in float32 whatever the input's dtype."""
    cfg = MFCCConfig(top_db_scope="batch", **DIRECT[name])
    ours = create_extractor("librosa", cfg)(fsdd_clips).numpy()
    direct = get("librosa").direct_call(cfg)(fsdd_clips)
    assert ours.shape == direct.shape
    assert_rounding_close(ours, direct, 16, "float32")


def test_dct_type_3_is_honoured(synthetic_clips):
    """librosa alone honours dct_type=3 (the torch backends refuse it: test_conformance)."""
    lib3 = create_extractor("librosa", MFCCConfig(dct_type=3))(synthetic_clips).numpy()
    lib2 = create_extractor("librosa", MFCCConfig())(synthetic_clips).numpy()
    assert np.max(np.abs(lib3 - lib2)) > 1e-3
