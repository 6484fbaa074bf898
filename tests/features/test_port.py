"""features.port: librosa <-> torchaudio translation, checked against the library each call came from.

The random tests draw 200 seeded parameter sets per direction and feature kind (tests/features/port_params.py).
Each port must match its source to TOLERANCE (1e-5 relative in float64, 1e-4 in float32: float rounding)
on the port's own synthetic clips, or say in a note why not with the residual it measured; the printed code
is exec'd afresh and must give the port's own output.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch

from features import port
from features.port.reference import librosa_reference, relative_error, run_module, torchaudio_transform

from tests.features import port_params

N_SETS = 200
DIRECTIONS = {
    "librosa_mfcc": (port_params.librosa_mfcc, port.librosa_to_torchaudio),
    "librosa_logmel": (port_params.librosa_logmel, port.librosa_logmel_to_torchaudio),
    "torchaudio_mfcc": (port_params.torchaudio_mfcc, port.torchaudio_to_librosa),
    "torchaudio_logmel": (port_params.torchaudio_logmel, port.torchaudio_logmel_to_librosa),
}


@pytest.fixture(autouse=True)
def _one_thread_quiet():
    """One torch thread (these ops are tiny; threads only contend on a shared box) and no empty-filter warnings."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield
    torch.set_num_threads(threads)


def _residual_is_explained(p) -> None:
    for dtype, tol in port.TOLERANCE.items():
        if p.residual[dtype] > tol:
            figure = f"{p.residual[dtype]:.1e}"
            assert any(dtype in n and figure in n and "above" in n for n in p.notes), (dtype, figure, p.notes)


def _fresh(code: str, name: str):
    ns: dict = {}
    exec(code, ns)
    return ns[name]


@pytest.mark.parametrize("direction", list(DIRECTIONS))
def test_random_parameter_sets_match_their_source_or_say_why(direction):
    make_params, make_port = DIRECTIONS[direction]
    exact = 0
    for seed in range(N_SETS):
        kwargs = make_params(seed)
        p = make_port(**kwargs)
        _residual_is_explained(p)
        exact += p.residual["float64"] <= port.TOLERANCE["float64"]
        r = p.recipe
        y = np.random.default_rng(seed).standard_normal(max(int(0.25 * r.sr), r.n_fft + 4 * r.hop_length))
        if hasattr(p, "module"):
            fresh = _fresh(p.code, "module")
            x = torch.from_numpy(np.stack([y, 0.1 * y]).astype(np.float32))
            with torch.no_grad():
                np.testing.assert_array_equal(fresh(x).numpy(), p.module(x).numpy())
        else:
            np.testing.assert_array_equal(_fresh(p.code, "features")(y), p.fn(y))
    # librosa -> torchaudio is exact in float64 for every set; torchaudio's own float32 buffers make the
    # other direction miss 1e-5 on some (each with its note)
    if direction.startswith("librosa"):
        assert exact == N_SETS


def test_librosa_defaults_use_transforms_mfcc_and_match():
    p = port.librosa_to_torchaudio(sr=22050, n_mfcc=20, hop_length=256)
    assert "torchaudio.transforms.MFCC(" in p.code and "pad_mode': 'constant'" in p.code
    assert p.residual["float64"] <= 1e-5 and p.residual["float32"] <= 1e-4
    y = np.random.default_rng(1).standard_normal(11025).astype(np.float32)
    out = p.module(torch.from_numpy(y))
    assert tuple(out.shape) == (20, 1 + 11025 // 256)
    assert p.check(y) <= 1e-5
    assert p.check([y, y[:5000]], dtype="float32") <= 1e-4


@pytest.mark.parametrize("kind, extra", [("mfcc", {}), ("mfcc", {"lifter": 10}),      # transforms / functional
                                         ("logmel", {}), ("logmel", {"amin": 1e-8})])
def test_quiet_clip_beside_loud_one_gets_its_features_alone(kind, extra):
    make = port.librosa_to_torchaudio if kind == "mfcc" else port.librosa_logmel_to_torchaudio
    p = make(sr=16000, n_fft=512, hop_length=128, **extra)
    assert ("torchaudio.transforms" in p.code) == (not extra)
    rng = np.random.default_rng(2)
    loud = rng.standard_normal(8000).astype(np.float32)
    quiet = 1e-4 * rng.standard_normal(8000).astype(np.float32)
    with torch.no_grad():
        beside = p.module(torch.from_numpy(np.stack([loud, quiet])))[1].numpy()
        alone = p.module(torch.from_numpy(quiet)).numpy()
    assert relative_error(beside, alone) <= 1e-5
    assert relative_error(alone, librosa_reference(kind, p.source)(quiet)) <= 1e-4
    # while torchaudio's own transform, handed the same (B, T) batch, floors the quiet clip at the loud one's
    ta = port.torchaudio_to_librosa(sample_rate=16000, melkwargs={"n_fft": 512, "hop_length": 128})
    transform = torchaudio_transform("mfcc", ta.source)
    shifted = run_module(transform, np.stack([loud, quiet]))[1] - run_module(transform, quiet[None])[0]
    assert np.max(np.abs(shifted)) > 10.0
    assert any("across the whole batch" in n for n in ta.notes)


def test_hop_length_none_is_librosa_stfts_quarter_window():
    p = port.librosa_to_torchaudio(sr=16000, n_fft=512, win_length=400, hop_length=None)
    assert p.recipe.hop_length == 100 and p.residual["float64"] <= 1e-5


def test_odd_sample_rate_uses_each_librarys_grid():
    p = port.librosa_to_torchaudio(sr=11025, n_mfcc=13)
    assert any("sample_rate // 2 = 5512" in n for n in p.notes)
    assert p.residual["float64"] <= 1e-5
    q = port.torchaudio_to_librosa(sample_rate=11025, n_mfcc=13)
    assert "sr=11024" in q.code and any("11024" in n for n in q.notes)
    assert q.residual["float32"] <= 1e-4


@pytest.mark.parametrize("dct_type", [1, 3, 4])
@pytest.mark.parametrize("norm", [None, "ortho"])
def test_dct_types_torchaudio_lacks_are_built_exactly(dct_type, norm):
    p = port.librosa_to_torchaudio(sr=16000, n_fft=512, n_mels=40, n_mfcc=40, dct_type=dct_type, norm=norm,
                                   lifter=10)
    assert "dct_matrix" in p.code and any(f"dct_type={dct_type}" in n for n in p.notes)
    assert p.residual["float64"] <= 1e-5


def test_log_mels_and_normalized_and_pad_reach_librosa():
    q = port.torchaudio_to_librosa(sample_rate=16000, n_mfcc=20, log_mels=True,
                                   melkwargs={"n_fft": 512, "pad": 7, "normalized": True, "pad_mode": "circular"})
    assert "np.log(S + 1e-6)" in q.code and "np.pad(y, 7)" in q.code and "mode='wrap'" in q.code
    assert "import torch" not in q.code
    assert q.residual["float32"] <= 1e-4


@pytest.mark.parametrize("make, kwargs, name", [
    (port.librosa_to_torchaudio, {"window": ("kaiser", 4.0)}, "window"),
    (port.librosa_to_torchaudio, {"pad_mode": "linear_ramp"}, "pad_mode"),
    (port.librosa_to_torchaudio, {"dct_type": 5}, "dct_type"),
    (port.librosa_to_torchaudio, {"norm": "forward"}, "norm"),
    (port.librosa_to_torchaudio, {"n_mfcc": 200}, "n_mfcc"),
    (port.librosa_to_torchaudio, {"win_length": 4096}, "win_length"),
    (port.librosa_to_torchaudio, {"hop": 256}, "hop"),
    (port.librosa_to_torchaudio, {"n_fft": 0}, "n_fft"),
    (port.librosa_logmel_to_torchaudio, {"ref": np.median}, "ref"),
    (port.torchaudio_to_librosa, {"dct_type": 3}, "dct_type"),
    (port.torchaudio_to_librosa, {"melkwargs": {"window_fn": torch.kaiser_window}}, "window_fn"),
    (port.torchaudio_to_librosa, {"melkwargs": {"wkwargs": {"periodic": False}}}, "wkwargs"),
    (port.torchaudio_logmel_to_librosa, {"power": None}, "power"),
    (port.torchaudio_logmel_to_librosa, {"stype": "energy"}, "stype"),
    (port.torchaudio_logmel_to_librosa, {"f_min": 9000.0}, "fmin"),
])
def test_refusals_are_one_line_and_name_the_argument(make, kwargs, name):
    with pytest.raises(ValueError) as err:
        make(**kwargs)
    message = str(err.value)
    assert "\n" not in message and re.match(rf"{name}=", message), message


def test_check_rejects_bad_waveforms_in_one_line():
    p = port.librosa_to_torchaudio(sr=16000, n_fft=512)
    q = port.torchaudio_to_librosa(sample_rate=16000)
    for bad in (np.zeros((2, 2, 1000)), [np.zeros(0)], np.full(1000, np.nan)):
        for ported in (p, q):
            with pytest.raises(ValueError, match="^waveforms: [^\n]*$"):
                ported.check(bad)
    with pytest.raises(ValueError, match="^waveforms: clip 0 has 100 samples, fewer than 201"):
        q.check(np.zeros(100))      # torchaudio's reflect padding mirrors n_fft // 2 = 200 samples


def test_clips_shorter_than_n_fft_are_checked_as_librosa_takes_them():
    # 192 of FSDD's recordings are shorter than 2,048 samples: librosa zero-pads them (center=True)
    p = port.librosa_to_torchaudio(sr=16000, n_mfcc=13)
    y = np.random.default_rng(0).standard_normal((2, 1500))
    assert p.check(y) <= port.TOLERANCE["float64"]
    assert p.check(y.astype(np.float32), dtype="float32") <= port.TOLERANCE["float32"]


def test_cli_prints_code_that_runs_and_the_error_on_files(tmp_path, capsys):
    import soundfile as sf
    from features.port.cli import main

    rng = np.random.default_rng(3)
    for i in range(2):
        sf.write(tmp_path / f"clip{i}.wav", (0.1 * rng.standard_normal(4000)).astype(np.float32), 8000)
    assert main(["librosa", "sr=8000, n_mfcc=13, n_fft=512, lifter=22", "--check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    code = out.split("# notes")[0].split("\n", 2)[2]
    module = _fresh(code, "module")
    y = np.asarray(rng.standard_normal(4000), dtype=np.float32)
    with torch.no_grad():
        got = module(torch.from_numpy(y)).numpy()
    want = librosa_reference("mfcc", {"sr": 8000, "n_mfcc": 13, "n_fft": 512, "lifter": 22})(y)
    assert relative_error(got, want) <= 1e-4
    figures = re.search(r"measured on 2 file\(s\) .*: max relative error (\S+) \(float64\), (\S+) \(float32\)", out)
    assert figures and float(figures[1]) <= 1e-5 and float(figures[2]) <= 1e-4


@pytest.mark.parametrize("argv, message", [
    (["librosa", "sr=foo"], "sr=foo: 'foo' is a variable; give its value with --value foo=VALUE"),
    (["librosa", "sr=np.zeros(3)"], "'np.zeros(3)' is not a literal"),
    (["librosa", "22050"], "keywords only"),
    (["torchaudio", "n_mfcc=13, dct_type=3"], "dct_type=3"),
    (["librosa", "sr=8000", "--check", "/no/such/dir"], "no such file or folder"),
])
def test_cli_errors_are_one_line(argv, message, capsys):
    from features.port.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
