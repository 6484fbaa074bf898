"""The nnAudio backend: what is specific to it (float32 kernels, its own MFCC's floor, its defaults)."""
import inspect

import torch

from features import MFCCConfig, create_extractor
from features.backends import get
from tests.floats import rel_error


def mfcc(backend, cfg, clips):
    return create_extractor(backend, cfg)(clips).numpy()


def test_registered_with_its_capabilities():
    cls = get("nnaudio")
    assert (cls.devices, cls.definition, cls.defaults_preset) == (("cpu", "cuda"), "librosa", "nnaudio_defaults")


def test_float64_is_limited_by_its_float32_kernels(fsdd_clips):
    """float64 arithmetic, but nnAudio's Fourier kernels are float32: 1e-8 relative (matched), where
    torchaudio reaches 1e-15."""
    cfg = MFCCConfig(dtype="float64")
    lib, nn, ta = (mfcc(b, cfg, fsdd_clips) for b in ("librosa", "nnaudio", "torchaudio"))
    assert nn.dtype == lib.dtype
    assert 1e-10 < rel_error(lib, nn) < 1e-7
    assert rel_error(lib, ta) < 1e-12


def test_own_mfcc_floors_per_clip(fsdd_clips):
    """`direct_call` is nnAudio.features.MFCC: its floor is per clip (log_spec.flatten(1).max(1)), so it
    matches librosa with top_db_scope="clip" (measured 1e-7) and not the batch-wide floor."""
    cfg = MFCCConfig()
    direct = get("nnaudio").direct_call(cfg)(fsdd_clips).numpy()
    assert rel_error(mfcc("librosa", cfg, fsdd_clips), direct) < 1e-5
    assert rel_error(mfcc("librosa", cfg.replace(top_db_scope="batch"), fsdd_clips), direct) > 1e-2
    assert rel_error(mfcc("nnaudio", cfg, fsdd_clips), direct) < 1e-5


def test_is_a_silent_module_with_buffers(capsys):
    ext = create_extractor("nnaudio", MFCCConfig())
    assert capsys.readouterr().out == ""
    buffers = dict(ext.named_buffers())
    assert buffers["melspec.stft.wsin"].shape == (257, 1, 512) and buffers["melspec.mel_basis"].shape == (40, 257)
    assert buffers["dct"].shape == (40, 13) and buffers["lifter"].shape == (13, 1)
    assert isinstance(ext, torch.nn.Module) and not list(ext.parameters())
    assert all(b.dtype == torch.float32 and b.device.type == "cpu" for b in buffers.values())


def test_defaults_preset_is_nnaudios_defaults():
    from nnAudio.features import MFCC, MelSpectrogram

    mfcc_args = {k: p.default for k, p in inspect.signature(MFCC).parameters.items()}
    mel_args = {k: p.default for k, p in inspect.signature(MelSpectrogram).parameters.items()}
    cfg = MFCCConfig.preset("nnaudio_defaults")
    assert (cfg.n_mfcc, cfg.dct_norm, cfg.ref, cfg.amin, cfg.top_db) == \
        tuple(mfcc_args[k] for k in ("n_mfcc", "norm", "ref", "amin", "top_db"))
    assert (cfg.n_fft, cfg.win_length, cfg.n_mels, cfg.hop_length, cfg.window, cfg.center, cfg.pad_mode,
            cfg.power, cfg.mel_scale == "htk", cfg.fmin, cfg.fmax, cfg.mel_norm == "slaney") == \
        tuple(mel_args[k] for k in ("n_fft", "win_length", "n_mels", "hop_length", "window", "center",
                                    "pad_mode", "power", "htk", "fmin", "fmax", "norm"))
    assert cfg.top_db_scope == "clip"
