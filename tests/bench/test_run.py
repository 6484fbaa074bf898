import json

import pytest

from bench import run
from reports.run_results import validate


@pytest.mark.slow
def test_quick_run_writes_results_csvs_and_report(tmp_path, capsys):
    out = tmp_path / "bench"
    assert run.main(["--quick", "--backend", "librosa,torchaudio", "--only", "agreement,accuracy", "--epochs", "1",
                     "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    assert validate(results) == []
    assert results["quick"] and results["dataset"] == "synthetic" and results["throughput"] == []
    assert results["profile"] == "quick" and results["wall_s"] > 0
    assert results["complete"] is True and results["measurements"] == ["agreement", "accuracy"]
    assert {r["preset"] for r in results["agreement"]} >= {"matched", "naive_port"}
    pairs = {(r["preset"], r["train_backend"], r["test_backend"]) for r in results["accuracy"]}
    assert {(t, s) for p, t, s in pairs if p == "matched"} == {
        ("librosa", "librosa"), ("librosa", "torchaudio"), ("torchaudio", "torchaudio"), ("torchaudio", "librosa")}
    # the quick profile also swaps each library's own defaults: the finding a user most needs
    assert {(t, s) for p, t, s in pairs if p == "library_defaults"} >= {("librosa", "torchaudio"),
                                                                       ("torchaudio", "librosa")}
    assert all((r["max_epochs"], r["best_epoch"], r["stopped_early"]) == (1, 1, False) for r in results["accuracy"])
    assert (out / "agreement.csv").exists() and (out / "accuracy.csv").exists()
    assert not (out / "throughput.csv").exists()
    assert (out / "report" / "index.html").exists()
    printed = capsys.readouterr().out
    assert "== summary ==" not in printed                        # no raw dump: the answer is what the run prints
    # the run ends with the answer: the accuracy lines (a smoke test, inconclusive at 2 seeds), the report and
    # the wall time, then the reference and the next step
    tail = printed[printed.index("== the answer"):]
    assert "Same settings (`matched`)" in tail and "Each library's own defaults" in tail
    assert "Smoke test on synthetic data" in tail and tail.splitlines()[1].startswith("GPU: ")
    last = tail.splitlines()
    assert last[-3].startswith(f"report: {out / 'report' / 'index.html'}, wall time ")
    assert last[-2].startswith("reference: librosa on the CPU") and last[-1] == f"next: {run.NEXT_STEP['quick']}"


def test_profiles_choose_the_grid_and_measurements():
    from bench import grid, profiles

    args = run.parse_args(["--quick"])
    assert args.profile is profiles.get("quick") and run.parse_args([]).profile is profiles.get("full")
    quick = profiles.get("quick")
    assert quick.chosen_measurements() == ("throughput", "agreement", "accuracy") and quick.swap_defaults
    points = grid.ThroughputGrid(**{**quick.grid.__dict__, "backends": ("librosa", "librosa_torch", "kaldi")}).points(("cpu",))
    measured = {(p["backend"], p["batch_size"], p["duration_s"]) for p in points}
    for backend in ("librosa", "librosa_torch"):          # the three workloads of the verdict, on every backend that can
        assert {(backend, 1, 1.0), (backend, 64, 1.0), (backend, 64, 10.0)} <= measured
    assert {("kaldi", 1, 1.0), ("kaldi", 64, 1.0)} <= measured           # per-clip: no 10 s clips
    assert profiles.get("full").chosen_measurements() == run.measurements.default_names()
    assert "generalisation" not in profiles.get("full").chosen_measurements()      # 45 minutes: opt-in
    assert profiles.get("generalisation").chosen_measurements() == ("accuracy", "generalisation")
    assert profiles.get("generalisation").seeds >= 5 and profiles.get("quick").seeds == 2
    with pytest.raises(ValueError, match="profile='fastest'"):
        profiles.get("fastest")


def test_one_or_two_backends_named_default_to_the_compare_profile():
    """`--backend torchaudio` ran the full profile (5.8 minutes on 2 cores) and timed no reference."""
    from bench import profiles

    assert run.parse_args(["--backend", "torchaudio"]).profile is profiles.get("compare")
    assert run.parse_args(["--backend", "torchaudio,librosa_torch"]).profile is profiles.get("compare")
    assert run.parse_args(["--backend", "torchaudio,librosa_torch,nnaudio"]).profile is profiles.get("full")
    assert run.parse_args(["--backend", "all"]).profile is profiles.get("full")
    assert run.parse_args(["--backend", "torchaudio", "--profile", "full"]).profile is profiles.get("full")
    compare = profiles.get("compare")
    assert compare.chosen_measurements() == ("throughput", "agreement") and compare.grid.thread_sweep == (1,)


def test_the_old_name_fast_runs_librosa_torch_after_a_one_line_notice(capsys):
    from bench.corpus import cli as corpus_cli
    from model import evaluate, train

    assert run.parse_args(["--backend", "torchaudio,fast"]).backend == ("torchaudio", "librosa_torch")
    assert capsys.readouterr().err == "note: fast is now called librosa_torch (the old name works for one release)\n"
    assert train.parse_args(["--backend", "fast", "--out", "o"]).backend == "librosa_torch"
    assert evaluate.parse_args(["--model", "m", "--dataset", "fsdd", "--backend", "fast"]).backend == "librosa_torch"
    assert corpus_cli.parse_args(["--backend", "fast", "--dataset", "fsdd", "--out", "o"]).backend == "librosa_torch"
    assert capsys.readouterr().err.count("note: fast is now called librosa_torch") == 3
    with pytest.raises(SystemExit):                       # an unknown name: the error it always had
        run.parse_args(["--backend", "fsat"])
    assert "error: argument --backend: unknown backend(s) ['fsat']; choose from librosa, torchaudio" in \
        capsys.readouterr().err


def test_the_reference_is_measured_whatever_was_named():
    said = []
    assert run.with_reference(("torchaudio",), said.append) == ("librosa", "torchaudio")
    assert run.with_reference(("librosa_torch", "librosa"), said.append) == ("librosa", "librosa_torch")
    assert said == ["reference: librosa (features.backends.REFERENCE) is measured beside torchaudio (added: not named); "
                    "every speed ratio is against it",
                    "reference: librosa (features.backends.REFERENCE) is measured beside librosa_torch; every speed ratio is "
                    "against it"]


@pytest.mark.slow
def test_one_backend_named_ends_with_it_against_librosa_per_workload(tmp_path, capsys, monkeypatch):
    """The compare profile's run, its grid cut to the three workloads' cheap points: the reference is timed
    beside the backend, all cores and one thread, and the answer gives torchaudio against librosa per workload."""
    import dataclasses

    from bench import grid, profiles

    tiny = dataclasses.replace(grid.THREE_WORKLOADS, durations_s=(1.0,), thin_durations_s=(1.0,), min_time_s=0.01,
                               min_repeats=2)
    monkeypatch.setitem(profiles.PROFILES, "compare", dataclasses.replace(profiles.get("compare"), grid=tiny))
    out = tmp_path / "b"
    assert run.main(["--backend", "torchaudio", "--out", str(out), "--no-report"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["profile"] == "compare" and results["backends"] == ["librosa", "torchaudio"]
    timed = {(r["backend"], r["batch_size"], r["threads"], r["thread_sweep"]) for r in results["throughput"]}
    for backend in ("librosa", "torchaudio"):
        for batch in (1, 64):
            assert {(backend, batch, 1, True)} <= timed and any(t[:2] == (backend, batch) and not t[3] for t in timed)
    text = capsys.readouterr()
    assert "reference: librosa (features.backends.REFERENCE) is measured beside torchaudio" in text.err
    last20 = text.out.splitlines()[-20:]              # the bar: the last 20 lines give the answer
    assert last20[-1] == f"next: {run.NEXT_STEP['compare']}" and last20[-2].startswith("reference: librosa")
    for scenario in ("one clip at a time (inference), 1 × 1 s", "a training batch, 64 × 1 s"):   # no 10 s clips here
        i = next(i for i, line in enumerate(last20) if line.strip() == scenario)
        assert last20[i + 1].split()[:2] == ["all", "cores"] and "against librosa's" in last20[i + 1]
        assert last20[i + 2].split()[:2] == ["one", "thread"] and last20[i + 2].endswith(", 1 thread")


def test_quick_and_another_profile_is_refused(capsys):
    with pytest.raises(SystemExit):
        run.parse_args(["--quick", "--profile", "full"])
    assert "--quick is --profile quick" in capsys.readouterr().err


@pytest.mark.slow
def test_only_runs_exactly_what_it_names(tmp_path):
    out = tmp_path / "b"
    assert run.main(["--profile", "standard", "--backend", "torchaudio", "--only", "cold_start", "--out", str(out),
                     "--no-report"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["measurements"] == ["cold_start"] and results["complete"]
    assert results["cold_start"] and not results["throughput"] and not results["overhead"] and not results["io"]
    assert sorted(p.name for p in out.iterdir()) == ["cold_start.csv", "memory.csv", "results.json"]


@pytest.mark.slow
def test_a_second_run_sets_the_first_aside(tmp_path):
    out = tmp_path / "b"
    (out / "report").mkdir(parents=True)
    (out / "results.json").write_text("{}")
    (out / "throughput.csv").write_text("old")
    assert run.main(["--profile", "standard", "--backend", "torchaudio", "--only", "cold_start", "--out", str(out),
                     "--no-report"]) == 0
    assert not (out / "throughput.csv").exists()                  # no other run's file beside this one
    (previous,) = (out / "previous").iterdir()
    assert sorted(p.name for p in previous.iterdir()) == ["report", "results.json", "throughput.csv"]


def test_a_failing_measurement_keeps_the_others_and_marks_the_run_incomplete(tmp_path, monkeypatch):
    from bench.measurements import cold_start

    monkeypatch.setattr(cold_start, "run", lambda ctx: 1 / 0)
    out = tmp_path / "b"
    assert run.main(["--profile", "standard", "--backend", "torchaudio", "--only", "cold_start,overhead", "--out", str(out),
                     "--no-report"]) == 1
    results = json.loads((out / "results.json").read_text())
    assert results["complete"] is False and results["failed"][0]["measurement"] == "cold_start"
    assert results["overhead"]


@pytest.mark.parametrize("argv, message", [
    (["--only", "speed"], "unknown measurement"),
    (["--backend", "nosuch"], "unknown backend"),
    (["--epochs", "0"], "positive integer"),
    (["--data-dir", "/tmp"], "--data-dir applies to --dataset fsdd or folder only"),       # was: synthetic, exit 0
    (["--dataset", "fsdd", "--manifest", "x.csv"], "--manifest applies to --dataset folder only"),
    (["--out", "/etc/hostname"], "is a file"),                 # checked before any work, not at the first write
])
def test_bad_options_are_refused_in_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        run.main(argv + ([] if "--out" in argv else ["--out", "/nonexistent/x"]))
    assert exc.value.code == 2 and message in capsys.readouterr().err


def test_console_command_dispatches_to_each_entry_point(capsys):
    from bench import cli

    assert cli.main(["--help"]) == 0 and "mfcc-bench run" in capsys.readouterr().out
    assert cli.main(["nonsense"]) == 2 and "mfcc-bench report" in capsys.readouterr().err
    for command in cli.COMMANDS:
        with pytest.raises(SystemExit) as done:
            cli.main([command, "--help"])
        assert done.value.code == 0 and "usage: python -m" in capsys.readouterr().out


def test_a_measurement_returning_bare_dict_rows_is_refused_in_one_line(tmp_path, monkeypatch):
    from bench.measurements import overhead

    monkeypatch.setattr(overhead, "run", lambda ctx: {"overhead": [dict(backend="torchaudio", device="cpu", overhead=0.1)]})
    out = tmp_path / "c"
    assert run.main(["--profile", "standard", "--backend", "torchaudio", "--only", "overhead", "--out", str(out),
                     "--no-report"]) == 1
    results = json.loads((out / "results.json").read_text())
    (failed,) = results["failed"]
    assert failed["measurement"] == "overhead" and "\n" not in failed["error"]
    assert failed["error"] == ("TypeError: measurement 'overhead': table 'overhead' holds a dict, expected "
                               "reports.records.Overhead records")
    assert results["overhead"] == []


def test_check_tables_accepts_records_and_declared_top_level_fields_only():
    from bench.results import check_tables
    from reports.records import Skipped

    check_tables("m", {"skipped": [Skipped(file="a.wav", reason="empty")], "example_clip": {"file": "a.wav"}})
    for bad, words in (([], "returned list"), ({"nosuch": []}, "unknown table 'nosuch'"),
                       ({"skipped": Skipped(file="a", reason="b")}, "holds a Skipped"),
                       ({"io": [Skipped(file="a", reason="b")]}, "holds a Skipped, expected reports.records.Io")):
        with pytest.raises(TypeError, match=words):
            check_tables("m", bad)
