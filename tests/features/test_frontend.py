import numpy as np
import pytest
import soundfile as sf
import torch

from features import AudioLoadError, fix_length, load_audio, resample


def tone(sr, seconds=0.5, freq=440.0, channels=1):
    t = np.arange(int(sr * seconds)) / sr
    y = 0.5 * np.sin(2 * np.pi * freq * t)
    return np.stack([y] * channels, axis=1) if channels > 1 else y


@pytest.mark.parametrize("fmt, subtype, tol", [
    ("WAV", "PCM_U8", 1e-2), ("WAV", "PCM_16", 1e-4), ("WAV", "PCM_24", 1e-6), ("WAV", "PCM_32", 1e-6),
    ("WAV", "FLOAT", 1e-7), ("FLAC", "PCM_S8", 1e-2), ("FLAC", "PCM_16", 1e-4), ("FLAC", "PCM_24", 1e-6),
    ("OGG", "VORBIS", 5e-2),
])
def test_decodes_formats_and_bit_depths(tmp_path, fmt, subtype, tol):
    y = tone(16000)
    path = tmp_path / f"x.{fmt.lower()}"
    sf.write(path, y, 16000, format=fmt, subtype=subtype)
    out = load_audio(path, 16000)
    assert out.dtype == np.float32 and out.shape == y.shape
    assert np.max(np.abs(out - y)) < tol


def test_mono_mix_and_keep_channels(tmp_path):
    left, right = tone(8000, freq=300), tone(8000, freq=500)
    path = tmp_path / "st.wav"
    sf.write(path, np.stack([left, right], axis=1), 8000, subtype="FLOAT")
    np.testing.assert_allclose(load_audio(path, 8000), (left + right) / 2, atol=1e-6)
    assert load_audio(path, 8000, mono=False).shape == (2, 4000)


@pytest.mark.parametrize("resampler", ["soxr_hq", "torchaudio"])
def test_resample_keeps_a_tone(tmp_path, resampler):
    path = tmp_path / "t.wav"
    sf.write(path, tone(8000, seconds=1.0, freq=1000), 8000, subtype="FLOAT")
    out = load_audio(path, 16000, resampler=resampler)
    assert out.shape == (16000,)
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) - 1000) <= 1          # 1 Hz bins for one second
    ref = tone(16000, seconds=1.0, freq=1000)
    assert np.max(np.abs(out[200:-200] - ref[200:-200])) < 1e-2


def test_torchaudio_resampler_matches_the_functional_form():
    import torchaudio.functional as F

    y = tone(8000, seconds=0.3, freq=700).astype(np.float32)
    expected = F.resample(torch.from_numpy(y), 8000, 16000).numpy()
    np.testing.assert_allclose(resample(y, 8000, 16000, resampler="torchaudio"), expected, atol=1e-6)


def test_resamplers_differ_but_close():
    y = tone(8000, seconds=1.0, freq=700).astype(np.float32)
    a, b = resample(y, 8000, 16000, resampler="soxr_hq"), resample(y, 8000, 16000, resampler="torchaudio")
    assert a.shape == b.shape == (16000,)
    assert 0 < np.max(np.abs(a - b)[200:-200]) < 1e-2


def test_errors_name_the_path(tmp_path):
    missing = tmp_path / "nope.wav"
    with pytest.raises(AudioLoadError, match="no such file") as err:
        load_audio(missing, 16000)
    assert err.value.path == str(missing)

    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(AudioLoadError, match="not readable") as err:
        load_audio(garbage, 16000)
    assert err.value.path == str(garbage)

    zero_bytes = tmp_path / "zero.wav"
    zero_bytes.write_bytes(b"")
    with pytest.raises(AudioLoadError, match=str(zero_bytes)):
        load_audio(zero_bytes, 16000)

    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0), 16000)
    with pytest.raises(AudioLoadError, match="no samples") as err:
        load_audio(empty, 16000)
    assert err.value.path == str(empty)

    nan = tmp_path / "nan.wav"
    y = tone(16000)
    y[100] = np.nan
    sf.write(nan, y, 16000, subtype="FLOAT")
    with pytest.raises(AudioLoadError, match="NaN") as err:
        load_audio(nan, 16000)
    assert err.value.path == str(nan)


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="sample_rate"):
        load_audio(tmp_path / "x.wav", 0)
    with pytest.raises(ValueError, match="resampler"):
        load_audio(tmp_path / "x.wav", 16000, resampler="sinc_best")


@pytest.mark.parametrize("n, size", [(100, 160), (160, 160), (300, 160)])
def test_fix_length_numpy_and_torch(rng, n, size):
    x = rng.standard_normal((3, n)).astype(np.float32)
    out = fix_length(x, size)
    assert out.shape == (3, size) and out.dtype == np.float32
    keep = min(n, size)
    np.testing.assert_array_equal(out[:, :keep], x[:, :keep])
    assert not out[:, keep:].any()
    tout = fix_length(torch.from_numpy(x), size)
    assert isinstance(tout, torch.Tensor) and tout.shape == (3, size)
    np.testing.assert_array_equal(tout.numpy(), out)
    with pytest.raises(ValueError, match="size"):
        fix_length(x, 0)


# ----------------------------------------------------------------------------- issue 13
def test_folder_is_named_as_a_folder(tmp_path):
    with pytest.raises(AudioLoadError, match="is a folder") as err:
        load_audio(tmp_path, 16000)
    assert err.value.path == str(tmp_path)


@pytest.mark.parametrize("subtype, frame_bytes", [("PCM_16", 2), ("FLOAT", 4)])
def test_cut_short_wav_is_refused_with_frame_counts(tmp_path, subtype, frame_bytes):
    whole = tmp_path / "whole.wav"
    sf.write(whole, tone(8000, seconds=1.0), 8000, subtype=subtype)
    data = whole.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[:len(data) - 5000 * frame_bytes])          # 5,000 of 8,000 frames lost
    assert sf.info(cut).frames == 3000                              # soundfile alone says nothing
    with pytest.raises(AudioLoadError, match="data chunk cut short: the header declares 8000 frames, "
                                             "the file holds 3000") as err:
        load_audio(cut, 8000)
    assert err.value.path == str(cut)
    assert load_audio(whole, 8000).shape == (8000,)                 # a whole file still loads


def test_streamed_wav_with_unknown_length_loads(tmp_path):
    path = tmp_path / "stream.wav"
    sf.write(path, tone(8000), 8000, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    at = data.index(b"data")
    data[at + 4:at + 8] = b"\xff\xff\xff\xff"                     # what a pipe writer leaves there
    path.write_bytes(bytes(data))
    assert load_audio(path, 8000).shape == (4000,)
