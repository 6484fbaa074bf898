"""`python -m features.port` as a user types it: pasted calls, --value, array windows, --emit with --check on
files (short, unreadable, sampled), and a verdict that flags every file above the tolerance."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import soundfile as sf

from features import port
from features.port.call_text import parse_call_args
from features.port.check_files import representative
from features.port.cli import main


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


@pytest.mark.parametrize("text, values, want", [
    ("librosa.feature.mfcc(y=y, sr=16000, n_mfcc=13)", None, {"sr": 16000, "n_mfcc": 13}),
    ("y=y, sr=sr, n_mfcc=13", {"sr": 8000}, {"sr": 8000, "n_mfcc": 13}),
    ("librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=22050, n_mels=64), ref=np.max)", None,
     {"sr": 22050, "n_mels": 64, "ref": np.max}),
    ("torchaudio.transforms.MFCC(sample_rate=16000, melkwargs={'n_fft': n_fft})(waveform)", {"n_fft": 400},
     {"sample_rate": 16000, "melkwargs": {"n_fft": 400}}),
])
def test_pasted_calls_are_read_without_running_them(text, values, want):
    assert parse_call_args(text, values) == want


def test_a_variable_is_asked_for_by_name():
    with pytest.raises(ValueError, match=r"^sr=sr: 'sr' is a variable; give its value with --value sr=VALUE$"):
        parse_call_args("librosa.feature.mfcc(y=y, sr=sr, n_mfcc=13)")
    with pytest.raises(ValueError, match="is not a literal"):
        parse_call_args("sr=os.system('true')")


def test_an_array_window_equal_to_a_named_one_is_that_window():
    kwargs = parse_call_args("sr=16000, n_fft=512, win_length=160, window=scipy.signal.get_window('hamming', 160)")
    p = port.librosa_to_torchaudio(**kwargs)
    assert p.recipe.window == "hamming"
    assert p.residual["float64"] <= port.TOLERANCE["float64"]      # checked against librosa given the array
    with pytest.raises(ValueError, match="^window='an array of 2048 samples': equals none"):
        port.librosa_to_torchaudio(**parse_call_args("window=np.hanning(2048)"))   # symmetric, not periodic


def test_limit_draws_across_lengths_not_the_first_files(tmp_path):
    for i in range(40):
        sf.write(tmp_path / f"{i:02d}.wav", np.zeros(100 + 100 * i, dtype=np.float32), 8000)
    files = sorted(tmp_path.glob("*.wav"))
    chosen = representative(files, 4, seed=0)
    lengths = sorted(sf.info(str(f)).frames for f in chosen)
    assert len(chosen) == 4 and lengths[0] <= 1000 and lengths[-1] >= 3100      # one per quarter of the lengths
    assert chosen == representative(files, 4, seed=0) and representative(files, 50) == files


def _clips(folder, n=3, samples=6000, sr=16000):
    rng = np.random.default_rng(1)
    for i in range(n):
        sf.write(folder / f"clip{i}.wav", (0.1 * rng.standard_normal(samples)).astype(np.float32), sr)


@pytest.mark.parametrize("target", ["onnx", "torch"])
def test_emit_and_check_skips_what_it_cannot_read_and_counts_it(target, tmp_path, capsys):
    _clips(tmp_path)
    sf.write(tmp_path / "short.wav", np.full(900, 0.1, dtype=np.float32), 16000)    # < n_fft: checked, as librosa pads
    (tmp_path / "broken.wav").write_bytes(b"RIFF1234WAVEjunk")
    out = tmp_path / f"mfcc.{'onnx' if target == 'onnx' else 'py'}"
    assert main(["librosa", "librosa.feature.mfcc(y=y, sr=sr, n_mfcc=13, n_fft=2048)", "--value", "sr=16000",
                 "--emit", target, "--out", str(out), "--check", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert out.is_file()
    assert re.search(r"# skipped .*broken\.wav: ", text) and not re.search(r"# skipped .*short\.wav", text)
    assert "on 4 file(s) from" in text and "(1 skipped)" in text
    assert re.search(r"# float32: max relative error \S+: within the 0.0001 tolerance on every clip", text)


def test_a_file_above_the_tolerance_is_flagged_and_the_exit_status_says_so(tmp_path, capsys, monkeypatch):
    _clips(tmp_path, n=2)
    monkeypatch.setitem(port.TOLERANCE, "float32", 1e-12)
    assert main(["librosa", "sr=16000, n_mfcc=13", "--check", str(tmp_path)]) == 1
    text = capsys.readouterr().out
    assert "# float32: max relative error" in text and "ABOVE the 1e-12 tolerance on 2 of 2" in text
    assert len(re.findall(r"#   ABOVE \S+ .*clip\d\.wav", text)) == 2
    # the notes come from the user's files, not the synthetic clips
    assert re.search(r"# - measured on 2 file\(s\) from .*: max relative error", text)


@pytest.mark.slow
def test_readme_port_commands_run_as_typed(monkeypatch, capsys):
    import shlex
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    commands = [line for line in (repo / "README.md").read_text(encoding="utf-8").splitlines()
                if line.startswith(".venv/bin/python -m features.port ")]
    assert len(commands) >= 3
    if any("../shared/data/fsdd" in c for c in commands) and not (repo.parent / "shared" / "data" / "fsdd").is_dir():
        pytest.skip("FSDD is not at ../shared/data/fsdd, where the README's commands read it")
    monkeypatch.chdir(repo)
    for command in commands:
        assert main(shlex.split(command)[3:]) == 0, (command, capsys.readouterr())
