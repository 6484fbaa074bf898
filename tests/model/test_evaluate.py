"""python -m model.evaluate: a saved model scored on a dataset with its own or another backend's features."""
from __future__ import annotations

import json

import pytest

from model import evaluate as cli
from model.train import main as train_main


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("evaluate") / "run"
    argv = ["--backend", "librosa", "--dataset", "synthetic", "--epochs", "2", "--limit", "60", "--no-progress",
            "--out", str(out)]
    assert train_main(argv) == 0
    return out


def _run(capsys, argv):
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_own_features_reproduce_the_training_runs_test_accuracy(small_run, capsys):
    code, out, _ = _run(capsys, ["--model", str(small_run), "--dataset", "synthetic", "--limit", "60"])
    assert code == 0
    m = json.loads(out)
    recorded = json.loads((small_run / "metrics.json").read_text())
    assert m["backend"] == m["trained_backend"] == "librosa"
    assert m["n_test"] == recorded["n_test"] and m["test_accuracy"] == recorded["test_accuracy"]


def test_another_backend_and_all_clips(small_run, capsys):
    code, out, _ = _run(capsys, ["--model", str(small_run / "model.pt"), "--dataset", "synthetic", "--limit", "60",
                                 "--backend", "torchaudio", "--part", "all"])
    assert code == 0
    m = json.loads(out)
    assert m["backend"] == "torchaudio" and m["part"] == "all"
    assert m["n_test"] > 60 and 0.0 <= m["test_accuracy"] <= 1.0
    assert sum(map(sum, m["confusion"])) == m["n_test"]


@pytest.mark.parametrize("extra, message", [
    (["--preset", "librosa_defaults"], "n_mfcc=20, but the model was trained on n_mfcc=13"),
    (["--preset", "kaldi_defaults"], "cannot compute this model's features: window='povey'"),
    (["--manifest", "x.csv"], "--manifest applies to --dataset folder"),
])
def test_one_line_errors(small_run, capsys, extra, message):
    code, out, err = _run(capsys, ["--model", str(small_run), "--dataset", "synthetic"] + extra)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err


def test_missing_model_is_one_line(tmp_path, capsys):
    code, _, err = _run(capsys, ["--model", str(tmp_path), "--dataset", "synthetic"])
    assert code == 2 and "no model.pt there" in err and err.count("\n") == 1
