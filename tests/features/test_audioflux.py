"""The audioFlux backend: its definition against librosa step by step (10x in the unit, the rest to
float32 rounding under audioflux_defaults), its distance under `matched`, batch invariance, shapes and
the input policy, the preset, and every refusal naming its field."""
import numpy as np
import pytest
import torch

from features import MFCCConfig, create_extractor
from features.backends import get

AF_CFG = MFCCConfig.preset("audioflux_defaults")
# float32 rounding. The FFT's error is about 1e-7 of a frame's peak magnitude, so a mel band's relative
# error grows as the band falls below the peak, and nothing floors it (audioFlux has no top_db).
# Real recordings keep every band within reach of the peak (microphone noise): measured <= 2.9e-6 per
# clip on FSDD over the settings below, bound 1e-5. The synthetic chirp and tones leave bands 150 dB
# and more below the peak, made of rounding alone: measured <= 5.3e-5, bound 2e-4. A unit, floor,
# window or filter slip is >= 1e-2 (test_mel_scale_is_htks), far above either bound.
FLOAT32_REL = {"fsdd_clips": 1e-5, "synthetic_clips": 2e-4}


def rel_error(a, b):
    """Relative Frobenius distance of b from the reference a."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.linalg.norm(a - b) / np.linalg.norm(a)


def mfcc(backend, cfg, clips):
    return create_extractor(backend, cfg)(clips).numpy()


# ------------------------------------------------------------------------- the definition, step by step
SETTINGS = {
    "audioflux_defaults": dict(),
    "centred-constant": dict(center=True),
    "centred-reflect-slaney-norm": dict(center=True, pad_mode="reflect", mel_norm="slaney"),
    "magnitude-hamming-fmin-fmax": dict(power=1.0, window="hamming", fmin=20.0, fmax=7600.0),
    "1024/256/80/20-blackman-preemph": dict(n_fft=1024, hop_length=256, n_mels=80, n_mfcc=20, window="blackman",
                                            preemphasis=0.97),
    "256/128/boxcar-8k": dict(sample_rate=8000, n_fft=256, hop_length=128, n_mels=32, n_mfcc=12, window="boxcar",
                              sample_size=8000),
}


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("source", ["fsdd_clips", "synthetic_clips"])
def test_librosa_is_ten_times_audioflux_under_its_definition(name, source, request):
    """Under a config of audioFlux's choices librosa computes the same MFCC in dB where audioFlux gives
    bels: librosa = 10 x audioFlux to float32 rounding, whatever the geometry, window, norm or power."""
    clips = request.getfixturevalue(source)
    cfg = AF_CFG.replace(**SETTINGS[name])
    if cfg.sample_rate != 16000:
        clips = clips[:, ::2]
    lib, af = mfcc("librosa", cfg, clips), mfcc("audioflux", cfg, clips)
    assert lib.shape == af.shape == (len(clips), cfg.n_mfcc, cfg.n_frames()) and af.dtype == np.float32
    assert rel_error(lib, 10 * af) <= FLOAT32_REL[source]


def test_audioflux_is_a_different_definition_from_matched(fsdd_clips):
    """Against librosa under `matched`, over the frames both make: Slaney's mel scale, centring, the
    80 dB floor and the unit all differ (measured 0.91 relative on these clips; 0.21 after rescaling
    bels to dB)."""
    lib = mfcc("librosa", MFCCConfig(), fsdd_clips)
    af = mfcc("audioflux", AF_CFG, fsdd_clips)
    n = min(lib.shape[-1], af.shape[-1])
    assert rel_error(lib[..., :n], af[..., :n]) > 0.5
    assert rel_error(lib[..., :n], 10 * af[..., :n]) > 0.1


def test_mel_scale_is_htks(fsdd_clips):
    """The one step no setting changes: with Slaney's mel scale on librosa's side alone, the MFCCs move
    far beyond rounding (every other field equal; measured 0.063 relative on these clips)."""
    lib = mfcc("librosa", AF_CFG.replace(mel_scale="slaney"), fsdd_clips)
    assert rel_error(lib, 10 * mfcc("audioflux", AF_CFG, fsdd_clips)) > 1e-2


def test_direct_call_is_the_backend_without_the_front_end(fsdd_clips):
    """`direct_call` is MelSpectrogram + XXCC as audioFlux's documentation calls them (a Python loop per
    clip in both); the backend computes the cepstrum in one XXCC call over all frames: same numbers."""
    ours = mfcc("audioflux", AF_CFG, fsdd_clips[:5])
    direct = get("audioflux").direct_call(AF_CFG)(fsdd_clips[:5])
    assert direct.shape == ours.shape
    np.testing.assert_allclose(ours, direct, rtol=0, atol=1e-6 * np.abs(direct).max())


def test_mkl_is_sequential_so_the_mel_power_is_right():
    """torch is imported here (features imports it): without `sequential_mkl`, audioFlux's threaded MKL
    product came out exactly 2x the power. A 1 kHz tone's mel power against librosa's, bin by bin."""
    import librosa

    t = np.arange(16000) / 16000
    tone = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    from features.backends.audioflux import mel_spectrogram_object

    af = mel_spectrogram_object(AF_CFG).spectrogram(tone)
    lib = librosa.feature.melspectrogram(y=tone, sr=16000, n_fft=512, hop_length=160, center=False, n_mels=40,
                                         htk=True, norm=None)
    peak = lib.max()
    np.testing.assert_allclose(af, lib, rtol=1e-5, atol=1e-6 * peak)


# ------------------------------------------------------------------------- the backend's contract
def test_registered_with_its_capabilities():
    cls = get("audioflux")
    assert (cls.devices, cls.definition, cls.defaults_preset, cls.library, cls.per_clip, cls.full_grid) == \
        (("cpu",), "audioflux", "audioflux_defaults", "audioflux", False, False)
    assert cls.honours(AF_CFG) and not cls.honours(MFCCConfig())


def test_batch_invariance(fsdd_clips):
    """No floor over the batch and one C call per clip: a clip's MFCCs do not depend on its batch-mates."""
    clip = fsdd_clips[3]
    ext = create_extractor("audioflux", AF_CFG)
    alone = ext(clip[None]).numpy()[0]
    inside = ext(np.stack([20.0 * fsdd_clips[5], clip, 0.001 * fsdd_clips[7]])).numpy()[1]
    assert np.max(np.abs(alone - inside)) <= 1e-6 * np.max(np.abs(alone))


def test_shapes_lengths_and_input_types(rng):
    cfg = AF_CFG.replace(sample_size=None)
    ext = create_extractor("audioflux", cfg)
    for n in (512, 1600, 16161):
        one = ext(rng.standard_normal(n).astype(np.float32))
        assert one.shape == (13, cfg.n_frames(n)) and one.dtype == torch.float32
    centred = create_extractor("audioflux", cfg.replace(center=True))
    assert centred(np.zeros(100, np.float32)).shape == (13, 1)
    x = rng.standard_normal((5, 8000))
    as_tensor = ext(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(as_tensor, ext(x.astype(np.float32)).numpy())
    pcm = (x * 3000).astype(np.int16)
    np.testing.assert_allclose(ext(pcm).numpy(), ext(pcm / 32768.0).numpy(), rtol=0, atol=1e-5)
    fixed = create_extractor("audioflux", AF_CFG)
    short = rng.standard_normal((2, 12000))
    padded = np.concatenate([short, np.zeros((2, 4000))], axis=1)
    np.testing.assert_array_equal(fixed(short).numpy(), fixed(padded).numpy())
    assert fixed(rng.standard_normal((2, 20000))).shape == fixed(short).shape == (2, 13, 97)


def test_clip_shorter_than_a_frame_is_refused():
    ext = create_extractor("audioflux", AF_CFG.replace(sample_size=None))
    with pytest.raises(ValueError, match=r"^waveform of 511 samples: shorter than n_fft=512 .*\(audioflux backend\)$"):
        ext(np.zeros(511, np.float32))


@pytest.mark.parametrize("bad, error", [(np.array([0.0, np.nan] * 300, np.float32), ValueError),
                                        (np.zeros((2, 3, 600), np.float32), ValueError),
                                        (np.zeros(600, np.int64), TypeError),
                                        (np.zeros(600, np.complex64), TypeError)])
def test_input_policy(bad, error):
    with pytest.raises(error, match="waveform"):
        create_extractor("audioflux", AF_CFG)(bad)


def test_cpu_only():
    with pytest.raises(ValueError, match="runs on the CPU only"):
        create_extractor("audioflux", AF_CFG, device="cuda")


# ------------------------------------------------------------------------- refusals, each naming its field
REFUSED = [("n_fft", 400), ("win_length", 400), ("window", "povey"), ("mel_scale", "slaney"), ("dct_type", 3),
           ("dct_norm", None), ("lifter", 22), ("ref", 2.0), ("amin", 1e-10), ("top_db_scope", "clip"),
           ("dtype", "float64")]


@pytest.mark.parametrize("field, value", REFUSED, ids=[f for f, _ in REFUSED])
def test_refused_field_is_named(field, value):
    with pytest.raises(ValueError, match=f"^{field}={value!r}: .*\\(audioflux backend\\)"):
        create_extractor("audioflux", AF_CFG.replace(**{field: value}))


def test_preset_is_matched_geometry_in_audioflux_choices():
    """audioflux_defaults keeps `matched`'s geometry and sets only the fields audioFlux fixes."""
    differ = {k: v for k, v in AF_CFG.to_dict().items() if v != MFCCConfig().to_dict()[k]}
    assert differ == dict(center=False, mel_scale="htk", mel_norm=None, amin=1e-8, top_db_scope="off")
