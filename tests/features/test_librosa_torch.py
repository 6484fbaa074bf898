"""The librosa_torch backend, what is specific to it: any chunking gives the same numbers, the chunk size, the
folded lifter, its direct call, and its old name `fast` (the conformance suite checks agreement, fields, dtype
and policy)."""
import numpy as np
import pytest
import torch

from features import MFCCConfig, backend_names, create_extractor
from features.backends import RENAMED, get
from features.backends.torchaudio import matched_matrices
from tests.floats import assert_rounding_close, rel_error

# A clip in another chunk, or in a chunk of another size, goes through FFT and GEMM calls of another
# batch size, which may block the work differently: measured at most 1 eps * max|MFCC|; k = 64 as in
# the conformance suite's batch invariance (the DCT sums n_mels values each a few eps off).
CHUNK_K = 64


def chunks_of(ext, clips: int, batch) -> None:
    """Set `ext.chunk_bytes` so that chunks hold about `clips` clips of `batch` with this thread count."""
    ext.chunk_bytes = clips * ext.bytes_per_clip(torch.as_tensor(batch)) // torch.get_num_threads() + 1


@pytest.mark.parametrize("clips", [1, 5, 10 ** 6])
@pytest.mark.parametrize("scope", ["clip", "batch"])
def test_chunking_changes_nothing(clips, scope, fsdd_clips):
    """One clip per chunk, a few, or the whole batch at once: the same numbers, the batch floor included."""
    cfg = MFCCConfig(top_db_scope=scope)
    ext = create_extractor("librosa_torch", cfg)
    whole = ext(fsdd_clips).numpy()
    chunks_of(ext, clips, fsdd_clips)
    assert ext.chunk_clips(torch.from_numpy(fsdd_clips)) == clips
    chunked = ext(fsdd_clips).numpy()
    assert_rounding_close(chunked, whole, CHUNK_K)
    lib = create_extractor("librosa", cfg)(fsdd_clips).numpy()
    assert rel_error(lib, chunked) < 1e-4


def test_chunk_size_scales_with_threads_and_bytes():
    ext = create_extractor("librosa_torch", MFCCConfig())
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


def test_batch_invariance_across_chunks(fsdd_clips):
    clip = fsdd_clips[3]
    batch = np.concatenate([fsdd_clips, [clip], 20.0 * fsdd_clips[:5], 0.001 * fsdd_clips[:5]])
    ext = create_extractor("librosa_torch", MFCCConfig())
    chunks_of(ext, 8, batch)      # the clip in the first chunk and again in the fourth, beside loud and quiet ones
    alone, inside = ext(clip[None]).numpy()[0], ext(batch).numpy()
    for i in (3, len(fsdd_clips)):
        assert_rounding_close(inside[i], alone, CHUNK_K)


def test_buffers_fold_the_lifter_into_the_dct():
    assert backend_names()[:2] == ("librosa", "torchaudio") and "librosa_torch" in backend_names()
    cls = get("librosa_torch")
    assert cls.library == cls.distribution == "torch" and cls.devices == ("cpu", "cuda")
    # torchaudio's refusals, less the window: librosa_torch builds Kaldi's povey window like any other tensor
    assert cls.requires == {k: v for k, v in get("torchaudio").requires.items() if k != "window"}
    cfg = MFCCConfig(lifter=22)
    ext = create_extractor("librosa_torch", cfg)
    buffers = dict(ext.named_buffers())
    assert buffers["mel_fb"].shape == (257, 40) and buffers["cepstrum"].shape == (40, 13)
    m = matched_matrices(cfg)   # the lifter is folded into the DCT matrix: column k scaled by lifter[k]
    torch.testing.assert_close(buffers["cepstrum"] / m["dct"], m["lifter"].T.expand(40, 13))
    assert not list(ext.parameters())
    assert [stage for stage, _ in ext.stages()] == ["other", "stft", "power", "mel", "db", "dct"]


def test_direct_call_is_the_forward_without_the_input_check(synthetic_clips):
    """No library is wrapped: the direct call computes what the backend computes (the same ops on the same
    batch: bitwise the same), but skips the shared input policy, so int16 is not scaled and NaN passes."""
    cfg = MFCCConfig()
    direct, ext = get("librosa_torch").direct_call(cfg), create_extractor("librosa_torch", cfg)
    assert torch.equal(direct(synthetic_clips), ext(synthetic_clips))
    pcm = np.round(synthetic_clips[:2] / np.abs(synthetic_clips[:2]).max() * 32767).astype(np.int16)
    assert not torch.equal(direct(pcm), ext(pcm))              # unscaled: about 90 dB louder in c0
    assert_rounding_close(ext(pcm).numpy(), ext(pcm.astype(np.float32) / 32768).numpy(), 4)
    nan = synthetic_clips[:1].copy()
    nan[0, 100] = np.nan
    assert torch.isnan(direct(nan)).any()
    with pytest.raises(ValueError, match="NaN"):
        ext(nan)


@pytest.mark.gpu
def test_cuda_takes_the_batch_whole_and_its_stages_are_the_call(fsdd_clips):
    ext = create_extractor("librosa_torch", MFCCConfig(), device="cuda")
    assert ext.chunk_clips(torch.from_numpy(fsdd_clips)) == len(fsdd_clips)    # no chunking on CUDA
    value = torch.from_numpy(fsdd_clips).pin_memory()
    pipeline = ext.stage_pipeline()
    assert pipeline[0][0] == "h2d"
    for _, fn in pipeline:
        value = fn(value)
    assert torch.equal(value, ext(fsdd_clips))


def test_the_old_name_fast_still_creates_it_with_a_deprecation_warning():
    """`fast` said how the backend performs, not what it computes (librosa's numbers, in torch): it is
    librosa_torch now, and for one release the old name gives the same backend with a warning naming the new."""
    with pytest.warns(DeprecationWarning, match=r"fast is now called librosa_torch: create_extractor\('librosa_torch'"):
        ext = create_extractor("fast", MFCCConfig())
    assert type(ext) is get("librosa_torch") and ext.name == "librosa_torch"
    assert RENAMED == {"fast": "librosa_torch"} and "fast" not in backend_names()
    with pytest.raises(ValueError, match=r"^backend='fsat': must be one of \('librosa', .*'librosa_torch'"):
        create_extractor("fsat", MFCCConfig())
