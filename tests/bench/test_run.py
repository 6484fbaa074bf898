import json

import pytest

from bench import run
from bench.results import validate


@pytest.mark.slow
def test_quick_run_writes_results_csvs_and_report(tmp_path, capsys):
    out = tmp_path / "bench"
    assert run.main(["--quick", "--only", "agreement,accuracy", "--epochs", "1", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    validate(results)
    assert results["quick"] and results["dataset"] == "synthetic" and results["throughput"] == []
    assert {r["preset"] for r in results["agreement"]} >= {"matched", "naive_port"}
    assert {(r["train_backend"], r["test_backend"]) for r in results["accuracy"]} == {
        ("librosa", "librosa"), ("librosa", "torchaudio"), ("torchaudio", "torchaudio"), ("torchaudio", "librosa")}
    assert (out / "agreement.csv").exists() and (out / "accuracy.csv").exists()
    assert not (out / "throughput.csv").exists()
    html = (out / "report" / "index.html").read_text()
    assert "not measured in this run" in html                   # throughput was not asked for
    summary = capsys.readouterr().out
    assert "== summary ==" in summary and "agreement   matched" in summary


def test_unknown_measurement_is_refused():
    with pytest.raises(SystemExit, match="unknown measurement"):
        run.main(["--only", "speed", "--out", "/nonexistent"])
