"""The GPU session's plan and runner (bench.gpu.plan, bench.gpu.session), rehearsed on the CPU so the
one command a lent GPU machine runs cannot rot between sessions that have one."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from bench.gpu import plan as gpu_plan, session as gpu_session
from bench.gpu.plan import Step
from bench.measurements import Options
from bench.results import serialised
from bench.run import parse_args
from reports import run_results, schema

STEP_NAMES = ["gpu_tests", "throughput", "graph_replay", "crossover", "cold_start", "epoch_time", "benchmarks"]


def fill(step: Step, tmp_path: Path) -> list[str]:
    return step.command(python=sys.executable, out=tmp_path / "out", work=tmp_path / "work", fsdd=tmp_path / "fsdd")


@pytest.mark.parametrize("rehearse", [False, True], ids=["real", "rehearsal"])
def test_plan_steps_fit_the_budget_and_every_bench_run_command_parses(rehearse, tmp_path):
    steps = gpu_plan.plan(rehearse=rehearse)
    assert [s.name for s in steps] == STEP_NAMES                  # the rehearsal is the same plan
    if not rehearse:                                              # install + steps + reserve within 9 minutes
        assert gpu_plan.budget_s(steps) <= gpu_plan.SESSION_BUDGET_S == 540
    (tmp_path / "fsdd" / "recordings").mkdir(parents=True)
    for step in steps:
        argv = fill(step, tmp_path)
        assert argv[0] == sys.executable and "{" not in " ".join(argv)
        if step.results:
            args = parse_args(argv[3:])                           # the options bench.run takes today
            assert args.profile.name == ("gpu-rehearsal" if rehearse else "gpu")
            assert args.only == (step.name,) and args.deadline_s == step.deadline_s - gpu_plan.SOFT_MARGIN_S
            assert Path(args.out) == tmp_path / "work" / step.results
        else:
            files = [a for a in argv if a.startswith("tests/")]
            assert files and all((gpu_plan.ROOT / f).is_file() for f in files)


def test_gpu_tests_step_collects_every_file_with_gpu_tests():
    files = gpu_plan.gpu_test_files()
    assert "tests/features/test_conformance.py" in files and "tests/model/test_train.py" in files
    assert "tests/bench/test_corpus.py" not in files               # Ray is not on the GPU machine


def test_a_step_gets_its_deadline_clipped_to_what_is_left():
    step = Step("s", "", ("x",), 100)
    budget = gpu_plan.SESSION_BUDGET_S - gpu_plan.RESERVE_S
    assert gpu_plan.given_s(step, 0) == 100
    assert gpu_plan.given_s(step, budget - 40) == 40
    assert gpu_plan.given_s(step, budget - gpu_plan.MIN_STEP_S + 1) == 0
    throughput = next(s for s in gpu_plan.plan(rehearse=False) if s.name == "throughput")
    argv = throughput.command(python="py", out=Path("o"), work=Path("w"), fsdd=Path("f"), given_s=40)
    assert argv[argv.index("--deadline-s") + 1] == "25"             # its loops stop before the clipped deadline


def fake(name: str, code: str, deadline_s: float, results: bool = False) -> Step:
    return Step(name, f"fake {name}", ("{python}", "-c", code, "{work}/" + name), deadline_s,
                results=name if results else None)


WRITE_RESULTS = """
import json, pathlib, sys
d = pathlib.Path(sys.argv[1]); d.mkdir(parents=True)
rec = dict(backend="torchaudio", device="cpu", batch_size=1, duration_s=1.0, median_s=0.001, realtime_factor=1000.0)
(d / "results.json").write_text(json.dumps(dict(schema_version=2, label="x", backends=["torchaudio"],
    reference="librosa", complete=True, measurements=["throughput"], failed=[], throughput=[rec])))
"""
# a child that outlives its parent's SIGTERM unless the whole process group is stopped
HANG = "import subprocess, time; subprocess.Popen(['sleep', '60']); time.sleep(60)"


def test_rehearsal_runs_the_plan_stops_a_step_at_its_deadline_and_writes_valid_results(tmp_path, monkeypatch):
    crossover = next(s for s in gpu_plan.plan(rehearse=True) if s.name == "crossover")
    steps = [crossover, fake("written", WRITE_RESULTS, 30, results=True), fake("hangs", HANG, 2),
             fake("fails", "raise SystemExit(3)", 30),
             fake("tests_fail", "print('== 1 failed, 2 passed in 0.1s =='); raise SystemExit(1)", 30)]
    monkeypatch.setattr(gpu_plan, "plan", lambda rehearse: steps)
    # the machine's description (a subprocess importing torch) is checked by the next test, in this process
    monkeypatch.setattr(gpu_session, "describe_machine", lambda env, site, log: {"gpu_name": None})
    out = tmp_path / "out"
    start = time.monotonic()
    status = gpu_session.main(["--rehearse", "--no-report", "--out", str(out), "--wheels", "no-such-folder",
                               "--fsdd", str(tmp_path / "no-fsdd")])
    assert status == 1                                            # two steps did not measure
    assert time.monotonic() - start < 60                          # the hung step's group was stopped
    assert sorted(p.name for p in out.rglob("*")) == ["results.json", "session.log"]
    assert len(list(out.iterdir())) <= 8
    results, problems = run_results.read(out / "results.json")
    assert problems == [] and results["complete"] is False
    steps_done = {s["name"]: s for s in results["session"]["steps"]}
    assert steps_done["crossover"]["status"] == steps_done["written"]["status"] == "measured"
    assert steps_done["hangs"]["status"] == "not measured" and "out of time" in steps_done["hangs"]["reason"]
    assert steps_done["fails"]["reason"].startswith("exit status 3")
    assert steps_done["tests_fail"]["status"] == "measured"                   # a pytest step whose tests failed
    assert steps_done["tests_fail"]["reason"] == "tests failed: 1 failed, 2 passed in 0.1s"
    assert {f["measurement"] for f in results["failed"]} == {"hangs", "fails", "tests_fail"}
    assert results["session"]["install"]["status"] == "not checked"
    # the real crossover step measured on the CPU standing in: every (backend, competitor) pair, 1 s clips
    pairs = {(r["backend"], r["competitor"]) for r in results["crossover"]}
    assert ("librosa_torch", "librosa") in pairs and ("torchaudio", "torchaudio") not in pairs
    for r in results["crossover"]:
        assert r["duration_s"] == 1.0 and len(r["backend_s"]) == len(r["competitor_s"]) == len(r["batch_sizes"])
        if r["crossover_batch"] is not None:                      # it crossed where the walk stopped
            assert r["batch_sizes"][-1] == r["crossover_batch"] and r["backend_s"][-1] < r["competitor_s"][-1]
    assert [r["backend"] for r in results["throughput"]] == ["torchaudio"]    # merged from the fake step
    assert "crossover" in (out / "session.log").read_text()


def test_machine_description_names_versions_and_what_is_missing(tmp_path):
    from bench.gpu import env as gpu_env

    machine = gpu_env.describe(None)
    assert machine["libraries"]["librosa"]["version"] == "0.11.0" and machine["python"] == sys.version.split()[0]
    assert machine["libraries"]["torch"]["version"].startswith("2.11.0") and "torch_cuda" in machine
    assert machine["unmet_requirements"] == [] and machine["nvidia_smi"]            # text, or why there is none
    assert gpu_env.command(["no-such-program-here"]) == "no-such-program-here: not found"
    site = tmp_path / "site" / "demo-1.0.dist-info"                                # a carried wheel's metadata
    site.mkdir(parents=True)
    (site / "METADATA").write_text("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: numpy>=99\n"
                                   "Requires-Dist: not-installed-anywhere\nRequires-Dist: pytest; extra == 'test'\n")
    unmet = gpu_env.unmet(str(tmp_path / "site"))
    assert len(unmet) == 2 and unmet[0].startswith("demo needs numpy>=99: ") and "not installed" in unmet[1]
    assert json.dumps(machine)


def test_merge_keeps_every_table_and_says_what_was_not_measured():
    from reports.records import ColdStart, Throughput
    from reports.run_results import RunResults

    a = RunResults(backends=["torchaudio"], reference="librosa", complete=True, label="a", measurements=["throughput"],
                   failed=[], wall_s=86.7)
    a.tables["throughput"].append(Throughput(backend="torchaudio", device="cpu", batch_size=1, duration_s=1.0,
                                             median_s=0.1, realtime_factor=10.0))
    b = RunResults(backends=["librosa", "torchaudio"], reference="librosa", complete=True,
                   measurements=["cold_start"], failed=[], dataset="fsdd", dataset_info={"name": "fsdd"})
    b.tables["cold_start"].append(ColdStart(backend="librosa", device="cpu"))
    merged = RunResults.merge([a, b], label="L", session={"steps": [], "wall_s": 270.4},
                              not_measured=[{"measurement": "crossover", "error": "not measured: out of time"}])
    assert merged.backends == ["torchaudio", "librosa"] and merged.measurements == ["throughput", "cold_start"]
    assert len(merged.tables["throughput"]) == len(merged.tables["cold_start"]) == 1 and merged.dataset == "fsdd"
    assert merged.complete is False and merged.failed[0]["measurement"] == "crossover"
    assert merged.label == "L" and a.label == "a" and len(a.tables["cold_start"]) == 0   # the parts are not changed
    assert merged.wall_s == 270.4 and a.wall_s == 86.7                 # the session's wall time, not its first step's
    from reports.data import wall_seconds
    assert wall_seconds({"wall_s": 86.7, "session": {"wall_s": 270.4}}) == 270.4 == wall_seconds(merged.plain())
    assert run_results.validate(merged.plain()) == []
    with pytest.raises(ValueError, match="no step wrote results"):
        RunResults.merge([], label="L", session={}, not_measured=[])


def test_bad_options_get_one_line(capsys):
    with pytest.raises(SystemExit) as exc:
        gpu_session.parse_args(["--only", "throughput,nope"])
    assert exc.value.code == 2 and "unknown step(s) ['nope']" in capsys.readouterr().err


def test_crossover_walk_stops_each_pair_where_it_crosses():
    from bench.measurements.crossover import walk

    gpu = {1: 5.0, 2: 5.0, 4: 5.0, 8: 5.0}.__getitem__               # a fixed cost per call
    cpu = {1: 1.0, 2: 2.0, 4: 4.0, 8: 8.0}.__getitem__               # linear in the batch
    found = walk([("a", gpu, cpu), ("b", cpu, gpu)], (1, 2, 4, 8), progress=lambda m: None)
    assert found["a"]["crossover_batch"] == 8 and found["a"]["batch_sizes"] == [1, 2, 4, 8]
    assert found["b"]["crossover_batch"] == 1 and found["b"]["note"] == "faster at every batch timed"
    never = walk([("c", gpu, cpu)], (1, 2), progress=lambda m: None)["c"]
    assert never["crossover_batch"] is None and "slower at every batch timed" in never["note"]
    late = walk([("d", gpu, cpu)], (1, 2), deadline=time.monotonic() - 1, progress=lambda m: None)["d"]
    assert late["batch_sizes"] == [] and "deadline" in late["note"]
    assert json.dumps(found)                                        # plain JSON for results.json


def test_epoch_time_trains_in_the_loop_and_on_cached_features_only_with_an_accelerator(make_ctx):
    from bench.measurements import epoch_time
    from model.datasets import load_splits

    splits = load_splits("synthetic", limit=24)
    assert epoch_time.run(make_ctx(backends=("torchaudio",), splits=splits)) == {"epoch_time": []}   # CPU only
    ctx = make_ctx(backends=("torchaudio", "librosa"), splits=splits, options=Options(accelerator="cpu", epochs=1))
    rows = serialised(epoch_time.run(ctx))["epoch_time"]
    assert [(r["path"], r["backend"]) for r in rows] == [("torchaudio-in-loop-cpu", "torchaudio"),
                                                         ("librosa-cpu-precomputed", "librosa")]
    for r in rows:
        assert r["epochs"] == 1 and r["epoch_seconds"] > 0 and 0.0 <= r["test_accuracy"] <= 1.0
        assert schema.record_problem("epoch_time", r) is None


def test_bench_run_profile_options_refuse_what_cannot_apply(capsys, tmp_path):
    import torch

    from bench.run import main as bench_run

    for bad in ("0", "-5", "nan", "soon"):
        with pytest.raises(SystemExit) as exc:
            parse_args(["--deadline-s", bad])
        assert exc.value.code == 2
    assert "expected a number of seconds > 0" in capsys.readouterr().err
    if not torch.cuda.is_available():
        with pytest.raises(SystemExit, match="--profile gpu: torch.cuda.is_available.. is False"):
            bench_run(["--profile", "gpu", "--only", "crossover", "--out", str(tmp_path / "o")])


def test_cold_start_starts_no_probe_after_its_deadline(make_ctx):
    from bench.measurements import cold_start

    said = []
    ctx = make_ctx(backends=("torchaudio", "librosa_torch"), progress=said.append,
                   options=Options(deadline=time.monotonic() - 1))
    assert cold_start.run(ctx) == {"cold_start": [], "memory": []}
    assert said == ["cold start: deadline passed; not probed: torchaudio/cpu, librosa_torch/cpu"]


def test_the_real_session_stops_at_once_without_cuda(tmp_path, monkeypatch):
    monkeypatch.setattr(gpu_session, "describe_machine", lambda env, site, log: {"cuda_available": False})
    monkeypatch.setattr(gpu_plan, "plan", lambda rehearse: [fake("never", "raise SystemExit(0)", 30)])
    assert gpu_session.main(["--out", str(tmp_path), "--wheels", "no-such-folder"]) == 2
    log = (tmp_path / "session.log").read_text()
    assert "install: not needed" in log and "torch sees no CUDA device here" in log and "== never" not in log
    assert not (tmp_path / "results.json").exists()
