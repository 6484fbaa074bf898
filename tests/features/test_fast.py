"""The fast backend: librosa's numbers (1e-4 in float32, 1e-10 in float64), every field, any chunking."""
import numpy as np
import pytest
import torch

from features import MFCCConfig, backend_names, create_extractor
from features.backends import get
from features.backends.torchaudio import matched_matrices

SETTINGS = {
    "matched": dict(),
    "400/200/64/20-nocentre-htk-none": dict(n_fft=400, hop_length=200, n_mels=64, n_mfcc=20, center=False,
                                            mel_scale="htk", mel_norm=None),
    "1024/256/80/30-reflect-lifter-preemph": dict(n_fft=1024, hop_length=256, n_mels=80, n_mfcc=30, pad_mode="reflect",
                                                  win_length=800, window="hamming", lifter=22, preemphasis=0.97),
    "256/128/32/12-magnitude-batchfloor": dict(n_fft=256, hop_length=128, n_mels=32, n_mfcc=12, center=False,
                                               mel_norm=None, fmin=20.0, fmax=7600.0, power=1.0, dct_norm=None,
                                               window="blackman", top_db=50.0, top_db_scope="batch"),
}
# each field moved off `matched` (the torchaudio backend's test moves the same ones)
FIELD_CHANGES = dict(n_mfcc=20, n_fft=1024, win_length=400, hop_length=128, window="hamming", center=False,
                     pad_mode="reflect", power=1.0, n_mels=64, fmin=100.0, fmax=6000.0, mel_scale="htk",
                     mel_norm=None, dct_norm=None, lifter=22, ref=2.0, amin=1e-3, top_db=40.0,
                     top_db_scope="off", preemphasis=0.97, sample_size=12000, dtype="float64")


def rel_error(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(a)


def both(cfg, clips, device="cpu"):
    lib = create_extractor("librosa", cfg)(clips).numpy()
    out = create_extractor("fast", cfg, device=device)(clips)
    assert out.device.type == device
    return lib, out.cpu().numpy()


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("dtype, tolerance", [("float32", 1e-4), ("float64", 1e-10)])
@pytest.mark.parametrize("source", ["fsdd_clips", "synthetic_clips"])
def test_agrees_with_librosa(name, dtype, tolerance, source, request):
    clips = request.getfixturevalue(source)
    lib, fast = both(MFCCConfig(dtype=dtype, **SETTINGS[name]), clips)
    assert lib.shape == fast.shape and fast.dtype == np.dtype(dtype)
    assert rel_error(lib, fast) < tolerance


@pytest.mark.parametrize("field", FIELD_CHANGES)
def test_every_field_is_honoured(field, synthetic_clips):
    base = MFCCConfig(top_db=60.0)
    changed = base.replace(**{field: FIELD_CHANGES[field]})
    fast0, fast1 = (create_extractor("fast", c)(synthetic_clips).numpy() for c in (base, changed))
    assert fast0.shape != fast1.shape or fast0.dtype != fast1.dtype or np.max(np.abs(fast0 - fast1)) > 1e-3
    lib1, fast1 = both(changed, synthetic_clips)
    assert rel_error(lib1, fast1) < (1e-10 if changed.dtype == "float64" else 1e-4)


def test_refuses_what_torchaudio_refuses():
    assert get("fast").requires == get("torchaudio").requires
    with pytest.raises(ValueError, match="dct_type=3"):
        create_extractor("fast", MFCCConfig(dct_type=3))
    with pytest.raises(ValueError, match="sample_rate=11025"):
        create_extractor("fast", MFCCConfig(sample_rate=11025))


def chunks_of(ext, clips: int, batch) -> None:
    """Set `ext.chunk_bytes` so that chunks hold about `clips` clips of `batch` with this thread count."""
    ext.chunk_bytes = clips * ext.bytes_per_clip(torch.as_tensor(batch)) // torch.get_num_threads() + 1


@pytest.mark.parametrize("clips", [1, 5, 10 ** 6])
@pytest.mark.parametrize("scope", ["clip", "batch"])
def test_chunking_changes_nothing(clips, scope, fsdd_clips):
    """One clip per chunk, a few, or the whole batch at once: the same numbers, the batch floor included."""
    cfg = MFCCConfig(top_db_scope=scope)
    ext = create_extractor("fast", cfg)
    whole = ext(fsdd_clips)
    chunks_of(ext, clips, fsdd_clips)
    assert ext.chunk_clips(torch.from_numpy(fsdd_clips)) == clips
    np.testing.assert_allclose(ext(fsdd_clips).numpy(), whole.numpy(), rtol=1e-5, atol=1e-4)
    lib = create_extractor("librosa", cfg)(fsdd_clips).numpy()
    assert rel_error(lib, ext(fsdd_clips).numpy()) < 1e-4


def test_chunk_size_scales_with_threads_and_bytes():
    ext = create_extractor("fast", MFCCConfig())
    x = torch.zeros(64, 16000)
    assert ext.bytes_per_clip(x) == 101 * (512 + 4 * 257) * 4
    threads = torch.get_num_threads()
    try:
        for n in (1, 2):
            torch.set_num_threads(n)
            assert ext.chunk_clips(x) == max(1, ext.chunk_bytes * n // ext.bytes_per_clip(x))
    finally:
        torch.set_num_threads(threads)
    assert ext.chunk_clips(x.double()) == max(1, ext.chunk_bytes * threads // (2 * ext.bytes_per_clip(x)))


def test_batch_invariance_per_clip_floor(fsdd_clips):
    clip = fsdd_clips[3]
    batch = np.concatenate([fsdd_clips, [clip], 20.0 * fsdd_clips[:5], 0.001 * fsdd_clips[:5]])
    ext = create_extractor("fast", MFCCConfig())
    chunks_of(ext, 8, batch)      # the clip in the first chunk and again in the fourth, beside loud and quiet ones
    alone, inside = ext(clip[None]).numpy()[0], ext(batch).numpy()
    for i in (3, len(fsdd_clips)):
        assert np.max(np.abs(alone - inside[i])) < 1e-5 * np.max(np.abs(alone)) + 1e-5


def test_shapes_single_clip_and_lengths(rng):
    cfg = MFCCConfig(sample_size=None, n_mfcc=20)
    ext = create_extractor("fast", cfg)
    for n in (1600, 16000, 16161):
        one = ext(rng.standard_normal(n).astype(np.float32))
        assert one.shape == (20, cfg.n_frames(n)) and one.dtype == torch.float32
    assert ext(torch.randn(5, 8000)).shape == (5, 20, cfg.n_frames(8000))
    assert ext(np.zeros((2, 16000), dtype=np.int16)).shape == (2, 20, 101)    # the shared input policy applies
    with pytest.raises(ValueError, match="NaN"):
        ext(np.full((1, 16000), np.nan, dtype=np.float32))


def test_registry_buffers_and_direct_call(synthetic_clips):
    assert backend_names()[:2] == ("librosa", "torchaudio") and "fast" in backend_names()
    cls = get("fast")
    assert cls.library == cls.distribution == "torch" and cls.devices == ("cpu", "cuda")
    cfg = MFCCConfig(lifter=22)
    ext = create_extractor("fast", cfg)
    buffers = dict(ext.named_buffers())
    assert buffers["mel_fb"].shape == (257, 40) and buffers["cepstrum"].shape == (40, 13)
    m = matched_matrices(cfg)   # the lifter is folded into the DCT matrix: column k scaled by lifter[k]
    torch.testing.assert_close(buffers["cepstrum"] / m["dct"], m["lifter"].T.expand(40, 13))
    assert not list(ext.parameters())
    direct = cls.direct_call(cfg)
    torch.testing.assert_close(direct(synthetic_clips), ext(synthetic_clips), rtol=0, atol=0)


@pytest.mark.gpu
@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("dtype, tolerance", [("float32", 1e-4), ("float64", 1e-10)])
def test_cuda_agrees_with_librosa(name, dtype, tolerance, fsdd_clips):
    lib, fast = both(MFCCConfig(dtype=dtype, **SETTINGS[name]), fsdd_clips, device="cuda")
    assert rel_error(lib, fast) < tolerance


@pytest.mark.gpu
def test_cuda_batch_invariance_and_stages(fsdd_clips):
    clip = fsdd_clips[3]
    ext = create_extractor("fast", MFCCConfig(), device="cuda")
    assert ext.chunk_clips(torch.from_numpy(fsdd_clips)) == len(fsdd_clips)    # no chunking on CUDA
    alone = ext(clip[None]).cpu().numpy()[0]
    inside = ext(np.stack([20.0 * fsdd_clips[5], clip, 0.001 * fsdd_clips[7]])).cpu().numpy()[1]
    assert np.max(np.abs(alone - inside)) < 1e-5 * np.max(np.abs(alone)) + 1e-5
    value = torch.from_numpy(fsdd_clips).pin_memory()
    pipeline = ext.stage_pipeline()
    assert pipeline[0][0] == "h2d"
    for _, fn in pipeline:
        value = fn(value)
    assert torch.equal(value, ext(fsdd_clips))
