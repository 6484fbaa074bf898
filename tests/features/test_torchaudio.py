"""The torchaudio backend: its matrices are buffers, and float32's limit with magnitudes at 80 dB."""

from features import MFCCConfig, create_extractor
from tests.floats import rel_error


def test_magnitude_with_80_db_needs_float64(fsdd_clips):
    """power=1 with top_db=80 keeps magnitudes down to 1e-8 of the peak, below float32 FFT precision:
    the backends then differ in float32 (measured 5e-4 relative) but agree in float64 (1e-15)."""
    cfg = MFCCConfig(n_fft=256, hop_length=128, n_mels=32, n_mfcc=12, center=False, mel_norm=None, fmin=20.0,
                     fmax=7600.0, power=1.0, dct_norm=None, window="blackman", top_db=80.0)

    def both(c):
        return (create_extractor(b, c)(fsdd_clips).numpy() for b in ("librosa", "torchaudio"))

    assert rel_error(*both(cfg.replace(dtype="float64"))) < 1e-12
    assert rel_error(*both(cfg)) > 1e-4


def test_matrices_are_buffers():
    ext = create_extractor("torchaudio", MFCCConfig())
    buffers = dict(ext.named_buffers())
    assert buffers["mel_fb"].shape == (257, 40) and buffers["dct"].shape == (40, 13)
    assert buffers["window"].shape == (512,) and not list(ext.parameters())
    assert [stage for stage, _ in ext.stages()] == ["other", "stft", "power", "mel", "db", "dct"]
