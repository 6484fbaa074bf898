"""The two backends: agreement under one config, batch invariance, shapes, refusals."""
import dataclasses

import numpy as np
import pytest
import torch

from features import MFCCConfig, create_extractor

# (n_fft, hop, n_mels, n_mfcc) x centred or not x mel scale x filter norm, and the other fields moved too.
SETTINGS = {
    "512/160/40/13-centre-slaney-slaney": dict(),
    "400/200/64/20-nocentre-htk-none": dict(n_fft=400, hop_length=200, n_mels=64, n_mfcc=20, center=False,
                                            mel_scale="htk", mel_norm=None),
    "1024/256/80/30-centre-htk-slaney": dict(n_fft=1024, hop_length=256, n_mels=80, n_mfcc=30,
                                             mel_scale="htk", mel_norm="slaney", pad_mode="reflect",
                                             win_length=800, window="hamming", lifter=22, preemphasis=0.97),
    "256/128/32/12-nocentre-slaney-none": dict(n_fft=256, hop_length=128, n_mels=32, n_mfcc=12, center=False,
                                               mel_norm=None, fmin=20.0, fmax=7600.0, power=1.0,
                                               dct_norm=None, window="blackman", top_db=50.0),
}


def test_magnitude_with_80_db_needs_float64(fsdd_clips):
    """power=1 with top_db=80 keeps magnitudes down to 1e-8 of the peak, below float32 FFT precision:
    the backends then differ in float32 (measured 5e-4 relative) but agree in float64."""
    cfg = MFCCConfig(**dict(SETTINGS["256/128/32/12-nocentre-slaney-none"], top_db=80.0))
    lib, ta = both(cfg.replace(dtype="float64"), fsdd_clips)
    np.testing.assert_allclose(ta, lib, atol=5e-4, rtol=1e-5)
    lib, ta = both(cfg, fsdd_clips)
    assert rel_error(lib, ta) > 1e-4


def both(cfg, clips):
    lib = create_extractor("librosa", cfg)(clips).numpy()
    ta = create_extractor("torchaudio", cfg)(clips).numpy()
    return lib, ta


def rel_error(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(a)


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("source", ["fsdd_clips", "synthetic_clips"])
def test_agreement_float64(name, source, request):
    clips = request.getfixturevalue(source)
    lib, ta = both(MFCCConfig(dtype="float64", **SETTINGS[name]), clips)
    assert lib.dtype == ta.dtype == np.float64
    np.testing.assert_allclose(ta, lib, atol=5e-4, rtol=1e-5)


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("source", ["fsdd_clips", "synthetic_clips"])
def test_agreement_float32(name, source, request):
    clips = request.getfixturevalue(source)
    lib, ta = both(MFCCConfig(dtype="float32", **SETTINGS[name]), clips)
    assert lib.dtype == ta.dtype == np.float32
    assert rel_error(lib, ta) < 1e-4


@pytest.mark.parametrize("backend", ["librosa", "torchaudio"])
def test_batch_invariance_per_clip_floor(backend, fsdd_clips):
    clip = fsdd_clips[3]
    batch = np.stack([clip, 20.0 * fsdd_clips[5], clip, 0.001 * fsdd_clips[7]])
    ext = create_extractor(backend, MFCCConfig())
    alone, inside = ext(clip[None]).numpy()[0], ext(batch).numpy()
    assert np.max(np.abs(alone - inside[0])) < 1e-5 * np.max(np.abs(alone)) + 1e-5
    assert np.max(np.abs(alone - inside[2])) < 1e-5 * np.max(np.abs(alone)) + 1e-5
    # the libraries' own floor (whole array) does depend on batch-mates: the test can see it
    ext_batch = create_extractor(backend, MFCCConfig(top_db_scope="batch"))
    drift = ext_batch(batch).numpy()[0] - ext_batch(clip[None]).numpy()[0]
    assert rel_error(alone, alone + drift) > 1e-2


@pytest.mark.parametrize("backend", ["librosa", "torchaudio"])
def test_single_clip_and_batch_shapes(backend, rng):
    cfg = MFCCConfig(sample_size=None, n_mfcc=20)
    ext = create_extractor(backend, cfg)
    for n in (1600, 16000, 16161):
        one = ext(rng.standard_normal(n).astype(np.float32))
        assert one.shape == (20, cfg.n_frames(n)) and one.dtype == torch.float32
    many = ext(torch.randn(5, 8000))
    assert many.shape == (5, 20, cfg.n_frames(8000))
    assert many.device.type == "cpu"


@pytest.mark.parametrize("backend", ["librosa", "torchaudio"])
def test_sample_size_pads_and_cuts(backend, rng):
    ext = create_extractor(backend, MFCCConfig(sample_size=16000))
    short, long = rng.standard_normal((2, 12000)), rng.standard_normal((2, 20000))
    assert ext(short).shape == ext(long).shape == (2, 13, 101)
    padded = np.concatenate([short, np.zeros((2, 4000))], axis=1)
    np.testing.assert_array_equal(ext(short).numpy(), ext(padded).numpy())


FIELD_CHANGES = dict(n_mfcc=20, n_fft=1024, win_length=400, hop_length=128, window="hamming", center=False,
                     pad_mode="reflect", power=1.0, n_mels=64, fmin=100.0, fmax=6000.0, mel_scale="htk",
                     mel_norm=None, dct_norm=None, lifter=22, ref=2.0, amin=1e-3, top_db=40.0,
                     top_db_scope="off", preemphasis=0.97, sample_size=12000, dtype="float64")


@pytest.mark.parametrize("field", FIELD_CHANGES)
def test_every_field_is_honoured_by_both(field, synthetic_clips):
    """No field is silently ignored: changing it changes both backends' output, and they still agree."""
    base = MFCCConfig(top_db=60.0)
    changed = base.replace(**{field: FIELD_CHANGES[field]})
    lib0, ta0 = both(base, synthetic_clips)
    lib1, ta1 = both(changed, synthetic_clips)
    for before, after in ((lib0, lib1), (ta0, ta1)):
        assert before.shape != after.shape or before.dtype != after.dtype or \
            np.max(np.abs(before - after)) > 1e-3
    assert rel_error(lib1, ta1) < 1e-4


def test_every_field_has_a_change_or_a_reason():
    untested = {"sample_rate": "input rate, tested by the front end", "dct_type": "librosa only, see below",
                "resampler": "front end only, tested there"}
    names = {f.name for f in dataclasses.fields(MFCCConfig)}
    assert names == set(FIELD_CHANGES) | set(untested)


def test_dct_type_librosa_honours_torchaudio_refuses(synthetic_clips):
    cfg = MFCCConfig(dct_type=3)
    lib3 = create_extractor("librosa", cfg)(synthetic_clips).numpy()
    lib2 = create_extractor("librosa", MFCCConfig())(synthetic_clips).numpy()
    assert np.max(np.abs(lib3 - lib2)) > 1e-3
    with pytest.raises(ValueError, match="dct_type=3"):
        create_extractor("torchaudio", cfg)


def test_odd_sample_rate_refused_by_torchaudio():
    with pytest.raises(ValueError, match="sample_rate=11025"):
        create_extractor("torchaudio", MFCCConfig(sample_rate=11025))


def test_device_errors():
    with pytest.raises(ValueError, match="librosa backend runs on the CPU"):
        create_extractor("librosa", MFCCConfig(), device="cuda")
    with pytest.raises(ValueError, match="backend="):
        create_extractor("essentia", MFCCConfig())
    with pytest.raises(TypeError, match="MFCCConfig"):
        create_extractor("torchaudio", {"n_mfcc": 13})
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="torch.cuda.is_available"):
            create_extractor("torchaudio", MFCCConfig(), device="cuda")


def test_torchaudio_matrices_are_buffers():
    ext = create_extractor("torchaudio", MFCCConfig())
    buffers = dict(ext.named_buffers())
    assert buffers["mel_fb"].shape == (257, 40) and buffers["dct"].shape == (40, 13)
    assert buffers["window"].shape == (512,) and not list(ext.parameters())


@pytest.mark.gpu
@pytest.mark.parametrize("name", SETTINGS)
def test_cuda_agrees_with_librosa(name, fsdd_clips):
    for dtype, check in (("float64", lambda a, b: np.testing.assert_allclose(b, a, atol=5e-4, rtol=1e-5)),
                         ("float32", lambda a, b: rel_error(a, b) < 1e-4 or pytest.fail(str(rel_error(a, b))))):
        cfg = MFCCConfig(dtype=dtype, **SETTINGS[name])
        lib = create_extractor("librosa", cfg)(fsdd_clips).numpy()
        out = create_extractor("torchaudio", cfg, device="cuda")(fsdd_clips)
        assert out.device.type == "cuda"
        check(lib, out.cpu().numpy())


@pytest.mark.gpu
def test_cuda_batch_invariance(fsdd_clips):
    clip = fsdd_clips[3]
    ext = create_extractor("torchaudio", MFCCConfig(), device="cuda")
    alone = ext(clip[None]).cpu().numpy()[0]
    inside = ext(np.stack([20.0 * fsdd_clips[5], clip, 0.001 * fsdd_clips[7]])).cpu().numpy()[1]
    assert np.max(np.abs(alone - inside)) < 1e-5 * np.max(np.abs(alone)) + 1e-5
