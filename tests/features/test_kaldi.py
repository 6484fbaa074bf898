"""The two Kaldi backends: what is specific to Kaldi's definition (the conformance suite checks their
agreement with each other, their distance from librosa, and each refusal of a single field)."""
import numpy as np
import pytest
import torch

from features import MFCCConfig, create_extractor
from features.backends import get
from features.backends.kaldi_options import FLT_EPSILON, KaldiDefinition
from tests.floats import rel_error

KALDI = ("kaldi", "torchaudio_kaldi")
KALDI_CFG = MFCCConfig.preset("kaldi_defaults")


def test_registered_with_their_capabilities():
    assert {b: (get(b).devices, get(b).definition, get(b).defaults_preset, get(b).per_clip) for b in KALDI} == {
        "kaldi": (("cpu",), "kaldi", "kaldi_defaults", True),
        "torchaudio_kaldi": (("cpu", "cuda"), "kaldi", "kaldi_defaults", True)}
    assert not any(get(b).honours(MFCCConfig()) for b in KALDI)


def test_direct_calls_are_the_libraries_per_clip(fsdd_clips):
    clips = fsdd_clips[:4]
    ours = create_extractor("kaldi", KALDI_CFG)(clips).numpy()
    knf = np.stack(get("kaldi").direct_call(KALDI_CFG)(clips))                  # (B, frames, ceps)
    ta = torch.stack(get("torchaudio_kaldi").direct_call(KALDI_CFG)(clips)).numpy()
    # the kaldi backend runs exactly the direct call's per-clip computation: bitwise the same
    np.testing.assert_array_equal(ours, knf.transpose(0, 2, 1))
    assert rel_error(knf, ta) <= 1e-4


def test_defaults_preset_is_kaldis_defaults():
    """kaldi_defaults mapped onto Kaldi's options is kaldi-native-fbank's MfccOptions() but for the
    fixed choices (dither off, no energy coefficient)."""
    import kaldi_native_fbank as knf

    from features.backends.kaldi import knf_options

    ours, theirs = knf_options(KaldiDefinition.kaldi_options(KALDI_CFG)), knf.MfccOptions()
    assert ours.frame_opts.dither == 0.0 and theirs.use_energy and not ours.use_energy
    theirs.frame_opts.dither, theirs.use_energy = 0.0, False
    assert ours.as_dict() == theirs.as_dict()
    assert KALDI_CFG.amin == FLT_EPSILON


@pytest.mark.parametrize("backend", KALDI)
def test_clip_shorter_than_a_frame_is_refused(backend):
    ext = create_extractor(backend, KALDI_CFG.replace(sample_size=None))
    with pytest.raises(ValueError, match="shorter than one Kaldi frame"):
        ext(np.zeros(399, np.float32))


@pytest.mark.parametrize("backend", KALDI)
@pytest.mark.parametrize("field, value", [("n_fft", 1024), ("n_mels", 128)])
def test_fields_checked_together_are_named(backend, field, value):
    """n_fft against win_length, and mel bins that no FFT bin falls in (KaldiDefinition.check_config)."""
    with pytest.raises(ValueError, match=f"^{field}={value!r}: .*\\({backend} backend\\)"):
        create_extractor(backend, KALDI_CFG.replace(**{field: value}))
