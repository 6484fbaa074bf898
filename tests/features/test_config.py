import json

import pytest

from features import PRESETS, MFCCConfig


def test_defaults_are_matched_preset():
    assert MFCCConfig() == MFCCConfig.preset("matched")


def test_keyword_only():
    with pytest.raises(TypeError):
        MFCCConfig(16000)  # the positional form must not exist


@pytest.mark.parametrize("field, value", [
    ("sample_rate", 0), ("sample_rate", 16000.0), ("n_mfcc", -1), ("n_fft", 0), ("hop_length", 0),
    ("n_mels", 0), ("win_length", 1024), ("n_mfcc", 41), ("window", "kaiser"), ("center", 1),
    ("pad_mode", "edge"), ("power", 3.0), ("fmin", -1.0), ("fmax", 9000.0), ("fmin", 8000.0),
    ("mel_scale", "bark"), ("mel_norm", "l2"), ("dct_type", 4), ("dct_type", True), ("dct_norm", "forward"),
    ("lifter", -1), ("ref", 0.0), ("amin", 0.0), ("top_db", 0.0), ("top_db_scope", "file"),
    ("preemphasis", 1.0), ("sample_size", 0), ("dtype", "float16"), ("resampler", "kaiser_best"),
])
def test_invalid_field_raises_naming_it(field, value):
    with pytest.raises(ValueError, match=rf"MFCCConfig\.{field}="):
        MFCCConfig(**{field: value})


def test_center_false_needs_a_clip_at_least_n_fft_long():
    with pytest.raises(ValueError, match="sample_size"):
        MFCCConfig(center=False, n_fft=512, sample_size=256)


def test_json_round_trip_and_stable_hash():
    cfg = MFCCConfig.preset("torchaudio_defaults", preemphasis=0.97, sample_size=None)
    again = MFCCConfig.from_json(cfg.to_json())
    assert again == cfg and again.hash() == cfg.hash()
    assert json.loads(cfg.to_json())["mel_scale"] == "htk"
    assert len(cfg.hash()) == 12
    # the hash is of the values: a literal pins it across processes and versions
    assert MFCCConfig().hash() == MFCCConfig.from_dict(MFCCConfig().to_dict()).hash()
    assert MFCCConfig().hash() != MFCCConfig(n_mfcc=20).hash()


def test_unknown_field_in_dict_raises():
    with pytest.raises(ValueError, match="unknown field"):
        MFCCConfig.from_dict({"n_mfcc": 13, "nfft": 512})


def test_presets_spell_out_library_defaults():
    lib, ta = MFCCConfig.preset("librosa_defaults"), MFCCConfig.preset("torchaudio_defaults")
    assert (lib.n_fft, lib.hop_length, lib.n_mfcc, lib.n_mels, lib.mel_scale, lib.mel_norm, lib.pad_mode) == \
        (2048, 512, 20, 128, "slaney", "slaney", "constant")
    assert (ta.n_fft, ta.hop_length, ta.n_mfcc, ta.n_mels, ta.mel_scale, ta.mel_norm, ta.pad_mode) == \
        (400, 200, 40, 128, "htk", None, "reflect")
    assert set(PRESETS) == {"matched", "librosa_defaults", "librosa1_defaults", "torchaudio_defaults", "nnaudio_defaults",
                            "kaldi_defaults", "audioflux_defaults"}
    with pytest.raises(ValueError, match="preset="):
        MFCCConfig.preset("kaldi")


@pytest.mark.parametrize("center, n, expected", [(True, 16000, 101), (True, 159, 1), (False, 16000, 97),
                                                 (False, 512, 1)])
def test_frame_count_formula(center, n, expected):
    assert MFCCConfig(center=center).n_frames(n) == expected


# ----------------------------------------------------------------------------- issue 13: numbers
@pytest.mark.parametrize("field, value", [
    ("amin", float("inf")), ("ref", float("inf")), ("top_db", float("inf")), ("ref", float("nan")),
    ("amin", float("nan")), ("fmax", float("inf")), ("preemphasis", float("nan")), ("dct_type", 2.0),
    ("lifter", 2.0), ("n_mfcc", 13.0), ("power", True), ("fmin", True), ("ref", "1.0"),
])
def test_non_finite_bool_and_float_for_int_refused(field, value):
    with pytest.raises(ValueError, match=rf"MFCCConfig\.{field}="):
        MFCCConfig(**{field: value})


def test_equal_configs_hash_equal_and_floats_stay_floats():
    import numpy as np

    a = MFCCConfig(fmin=0, fmax=8000, ref=1, top_db=80, amin=1e-10, power=2)
    b = MFCCConfig(fmin=0.0, fmax=8000.0, ref=1.0, top_db=80.0, amin=1e-10, power=2.0)
    assert a == b and a.hash() == b.hash() and a.to_json() == b.to_json()
    d = json.loads(a.to_json())
    assert isinstance(d["fmin"], float) and isinstance(d["fmax"], float) and isinstance(d["n_fft"], int)
    c = MFCCConfig(n_fft=np.int64(512), hop_length=np.int32(160), fmin=np.float32(0))   # NumPy scalars
    assert c.hash() == MFCCConfig().hash() and type(c.n_fft) is int and type(c.fmin) is float
    assert MFCCConfig.from_json(a.to_json()).hash() == b.hash()
