"""The corpus job: Ray locally over a few FSDD files and a corrupt one, a killed-and-resumed run, CLI errors."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from bench.corpus import cli as corpus
from bench.corpus import engine
from bench.corpus.shards import read_features, read_manifest
from features import MFCCConfig, create_extractor, fix_length, load_audio
from tests.floats import assert_rounding_close

N_FILES = 5


@pytest.fixture(scope="module")
def ray_address():
    """One local Ray instance (2 CPUs) for the whole module; its GCS address for --address."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, log_to_driver=False, include_dashboard=False)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture
def manifest(fsdd_dir, tmp_path) -> Path:
    """A CSV of N_FILES FSDD recordings (digits 0-4) and one corrupt file, last."""
    names = [f"{d}_jackson_{d}.wav" for d in range(N_FILES)]
    (tmp_path / "corrupt.wav").write_bytes(b"RIFF\x00\x00not really a wave file")
    lines = ["path,label"] + [f"{fsdd_dir / 'recordings' / n},{n[0]}" for n in names] + ["corrupt.wav,9"]
    path = tmp_path / "files.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def expected(paths, backend: str) -> np.ndarray:
    """create_extractor(backend, matched) on the same files, decoded as the job decodes them, one clip at a time
    (the job's shards batch them otherwise, so the two agree to float32 rounding, not bit for bit)."""
    cfg = MFCCConfig.preset("matched")
    ext = create_extractor(backend, cfg)
    waves = [fix_length(load_audio(p, cfg.sample_rate, resampler=cfg.resampler), cfg.sample_size) for p in paths]
    return np.stack([ext(w).numpy() for w in waves])


def job_args(manifest, out, *extra):
    return ["--dataset", "folder", "--manifest", str(manifest), "--out", str(out), "--no-progress", *extra]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["librosa", "torchaudio"])
def test_job_on_ray_skips_the_corrupt_file_and_equals_create_extractor(ray_address, manifest, tmp_path, backend):
    out = tmp_path / "out"
    assert corpus.main(job_args(manifest, out, "--backend", backend, "--address", ray_address,
                                "--workers", "2", "--shard-size", "2")) == 0
    rows = read_manifest(out)
    assert len(rows) == N_FILES + 1
    assert [r["skip_reason"] for r in rows[:N_FILES]] == [""] * N_FILES
    assert [r["n_frames"] for r in rows[:N_FILES]] == ["101"] * N_FILES
    bad = rows[-1]
    assert bad["path"].endswith("corrupt.wav") and bad["n_frames"] == ""
    assert bad["skip_reason"].startswith("not readable as audio")
    paths, labels, feats = read_features(out)
    assert paths == [r["path"] for r in rows[:N_FILES]]           # the corrupt file was never written
    assert labels == [str(d) for d in range(N_FILES)]
    assert feats.shape == (N_FILES, 13, 101) and feats.dtype == np.float32
    for clip, (got, want) in enumerate(zip(feats, expected(paths, backend))):
        assert_rounding_close(got, want, what=f"clip {clip}")
    job = json.loads((out / "job.json").read_text())
    assert job["complete"] and len(job["shard_files"]) == 3       # 2 + 2 + (1 good + corrupt)


@pytest.mark.slow
def test_a_killed_run_resumes_without_recomputing_its_finished_shard(ray_address, manifest, tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, **{corpus.DELAY_ENV: "120", "PYTHONPATH": str(Path(corpus.__file__).parents[2])})
    cmd = [sys.executable, "-m", "bench.corpus", "--backend", "librosa", "--address", ray_address,
           "--workers", "1", "--shard-size", "2", *job_args(manifest, out)]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300          # a wait, not a timing claim: a loaded 2-core CI box is slow
        while not list((out / "done").glob("*.json")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert proc.poll() is None, proc.stderr.read().decode()
        os.killpg(proc.pid, signal.SIGKILL)                       # the job's own process group
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    first = sorted((out / "shards").glob("shard-*.parquet"))
    assert len(first) == 1 and len(list((out / "done").glob("*.json"))) == 1
    assert not json.loads((out / "job.json").read_text())["complete"]
    with pytest.raises(ValueError, match="has not finished"):
        read_features(out)
    stamp = first[0].stat().st_mtime_ns
    marker = next((out / "done").glob("*.json"))
    marker_stamp = marker.stat().st_mtime_ns

    assert corpus.main(job_args(manifest, out, "--backend", "librosa", "--address", ray_address,
                                "--workers", "2", "--shard-size", "2")) == 0
    assert first[0].stat().st_mtime_ns == stamp and marker.stat().st_mtime_ns == marker_stamp
    assert len(list((out / "shards").glob("*"))) == 3              # no temporary file left behind
    paths, _, feats = read_features(out)
    assert len(paths) == N_FILES
    for clip, (got, want) in enumerate(zip(feats, expected(paths, "librosa"))):
        assert_rounding_close(got, want, what=f"clip {clip}")


def test_non_finite_features_are_skipped_with_their_reason(manifest, tmp_path, monkeypatch):
    class NanOnSecond:
        cfg = MFCCConfig.preset("matched")

        def __call__(self, batch):
            import torch
            out = torch.zeros(len(batch), 13, 101)
            out[1, 0, 0] = float("nan")
            return out

    monkeypatch.setattr(engine, "_extractor", lambda *a: NanOnSecond())
    job = engine.Job(backend="librosa", cfg=MFCCConfig.preset("matched"), out=tmp_path / "out", shard_size=3)
    items = [tuple(line.split(",")) for line in manifest.read_text().splitlines()[1:4]]
    (shard,) = engine.plan_shards(items, job)
    result = engine.featurise_shard(shard, job)
    assert [r["skip_reason"] for r in result["rows"]] == ["", engine.NON_FINITE, ""]
    assert result["featurised"] == 2 and result["rows"][1]["n_frames"] is None
    done, todo = engine.split_done([shard], job)
    assert todo == [] and done[0]["id"] == shard.id and done[0]["rows"] == result["rows"]


@pytest.mark.parametrize("args, message", [
    (["--backend", "nope", "--dataset", "fsdd"], "--backend nope: must be one of"),
    (["--backend", "librosa", "--dataset", "fsdd", "--workers", "0"], "--workers 0: must be at least 1"),
    (["--backend", "librosa", "--dataset", "fsdd", "--shard-size", "0"], "--shard-size 0"),
    (["--backend", "librosa", "--dataset", "fsdd", "--device", "cuda"], "runs on cpu only"),
    (["--backend", "librosa", "--dataset", "fsdd", "--config", "odd"], "--config odd: must be one of"),
    (["--backend", "librosa", "--dataset", "fsdd", "--data-dir", "/nonexistent"], "no such folder"),
    (["--backend", "librosa", "--dataset", "synthetic"], "invalid choice: 'synthetic'"),
])
def test_bad_arguments_get_one_line_and_status_2(args, message, tmp_path, capsys):
    assert corpus.main([*args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("bench.corpus: error:") and message in err


def test_out_is_checked_before_any_work(tmp_path, capsys):
    a_file = tmp_path / "file"
    a_file.write_text("keep me")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "thesis.tex").write_text("x")
    for out, message in ((a_file, "not a folder"), (busy, "holds no corpus job")):
        assert corpus.main(["--backend", "librosa", "--dataset", "fsdd", "--data-dir", "/nonexistent",
                            "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err
    assert a_file.read_text() == "keep me" and os.listdir(busy) == ["thesis.tex"]
