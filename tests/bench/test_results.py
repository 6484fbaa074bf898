import json
import os

import pytest

from bench import results as R
from reports.run_results import RunResults


def minimal(**extra):
    res = R.new_results(label="test", small=True, dataset="synthetic", config={"n_mfcc": 13}, device="cpu")
    res.backends, res.reference = ["librosa", "torchaudio"], "librosa"
    res.update_tables(extra)
    return res


def test_environment_is_recorded():
    env = minimal().environment
    for key in ("python", "cpu_model", "cpu_threads", "torch", "torchaudio", "librosa", "numpy", "git_commit",
                "date", "command", "gpu_name"):
        assert key in env
    from importlib.metadata import version

    # the installed distributions' versions (torch's without its local "+cu..." tag), whatever they are
    assert env["torch"] == version("torch") and env["librosa"] == version("librosa")


def test_save_writes_json_and_csvs(tmp_path):
    from reports.records import Agreement

    res = minimal(agreement=[Agreement(backend="torchaudio", reference="librosa", device="cpu", preset="matched",
                                       definition="librosa", max_abs_error=1e-4, mean_abs_error=1e-5, rel_error=1e-6,
                                       correlation=1.0, shapes_match=True, note="")])
    path = R.save(res, tmp_path)
    assert json.loads(path.read_text())["agreement"][0]["preset"] == "matched"
    assert (tmp_path / "agreement.csv").read_text().startswith("backend,reference,device,preset,")
    assert not (tmp_path / "throughput.csv").exists()          # empty lists write no CSV
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    assert path.stat().st_mode & 0o044            # readable by others, unlike mkstemp's 0600
    back, problems = RunResults.load(path)                     # records both ways
    assert problems == [] and back.tables["agreement"] == res.tables["agreement"]
    assert back.reference == "librosa" and back.complete is False


def test_schema_is_checked(tmp_path):
    res = minimal()
    res.reference = None
    with pytest.raises(ValueError, match="reference"):
        R.save(res, tmp_path)
    res = minimal()
    res.tables["throughput"] = [dict(backend="librosa", device="cpu")]
    with pytest.raises(ValueError, match=r"throughput.*batch_size"):
        R.save(res, tmp_path)
    assert not (tmp_path / "results.json").exists()           # an invalid run writes nothing
