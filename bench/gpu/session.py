"""`python3 -m bench.gpu`: the whole GPU session as one command (`make bench-gpu`).

    python3 -m bench.gpu [--out DIR] [--rehearse [--no-report]] [--wheels .whl] [--fsdd .fsdd]
                                 [--only STEP[,...]]

On the lent machine (`make bench-gpu`, the device call carrying .whl and .fsdd), in order:
1. installs the carried wheels (`pip install --no-index --no-deps --target /tmp/site .whl/*.whl`) where
   the project's libraries are missing, and puts /tmp/site on every step's PYTHONPATH;
2. records the machine: nvidia-smi, driver, CUDA, cuDNN, every library's version (bench.gpu.env);
3. runs the steps of bench.gpu.plan.plan() one by one, each in its own process under its own deadline
   counted from its start (clipped to what is left of the session's 9 minutes): a step out of time is
   stopped and recorded as not measured, with the reason, and the session goes on;
4. merges the bench.run steps' results into DIR/results.json (reports.run_results.RunResults.merge, save),
   beside DIR/pytest-benchmark.json and DIR/session.log (every step's output). Nothing else is written
   under DIR: the device tool brings back at most 8 files.

DIR defaults to $OUT (set by the device tool), else out/gpu-session. Scratch goes to
out/gpu-session-work/. `--rehearse` runs the same plan on this machine's CPU with the sizes cut down,
checks the wheels with `pip install --dry-run` for CPython 3.12 instead of installing them, and builds
the report beside the committed CPU run (out/gpu-session-work/report/index.html). The exit status is 0
when every step measured, 1 otherwise (results.json is written either way), and 2 when the real session
finds no CUDA device (it stops before any step, saying so in session.log).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from reports.run_results import RunResults

from . import plan as gpu_plan
from .plan import ROOT, Step
from ..results import save

SITE = "/tmp/site"
CARRIED_MODULES = ("librosa", "soundfile", "soxr", "nnAudio", "kaldi_native_fbank")
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")
CPU_RUN = ROOT / "reports" / "results" / "cpu-amd-epyc-2core" / "results.json"
GRACE_S = 5                     # after SIGTERM, before SIGKILL


class Log:
    """Appends to DIR/session.log and echoes status lines (not the steps' own output) to stdout."""

    def __init__(self, path: Path):
        self.path, self.start = path, time.monotonic()
        path.write_text("")

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def line(self, text: str, echo: bool = True) -> None:
        stamped = f"[{self.elapsed():6.1f} s] {text}"
        with self.path.open("a") as f:
            f.write(stamped + "\n")
        if echo:
            print(stamped, flush=True)


def run_command(argv: list, *, deadline_s: float, env: dict, log: Log) -> tuple[int | None, float]:
    """Run argv (its output appended to the log) until it ends or `deadline_s` passes; then SIGTERM
    its process group, and SIGKILL it GRACE_S later. Returns (exit status or None if stopped, seconds)."""
    start = time.monotonic()
    with log.path.open("a") as out:
        try:
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
                                    start_new_session=True)
        except OSError as err:
            out.write(f"could not start {argv[0]}: {err}\n")
            return 127, time.monotonic() - start
        try:
            return proc.wait(timeout=deadline_s), time.monotonic() - start
        except subprocess.TimeoutExpired:
            for sig, wait in ((signal.SIGTERM, GRACE_S), (signal.SIGKILL, None)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
            proc.wait()
            return None, time.monotonic() - start


def wheels(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.whl")) if folder.is_dir() else []


def missing_modules() -> list[str]:
    import importlib.util

    return [m for m in CARRIED_MODULES if importlib.util.find_spec(m) is None]


def install_wheels(folder: Path, *, rehearse: bool, log: Log) -> dict:
    """Install the carried wheels into SITE where the project's libraries are missing (the GPU image);
    in a rehearsal, check with `pip install --dry-run` that they install on CPython 3.12 instead.
    Returns {status, reason, wheels, site (or None), seconds}."""
    found = wheels(folder)
    record = dict(wheels=[w.name for w in found], site=None, status="done", reason="")
    base = [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", "--no-cache-dir"]
    if rehearse:
        if not found:
            return dict(record, status="not checked", reason=f"no wheels in {folder.name}/ (make gpu-wheels)")
        target = ROOT / "out" / "gpu-session-work" / "dry-run-site"
        argv = base + ["--dry-run", "--only-binary=:all:", "--python-version", "3.12", "--implementation", "cp",
                       "--target", str(target)] + [a for p in PLATFORMS for a in ("--platform", p)]
        what = "dry run for CPython 3.12 manylinux x86-64"
    else:
        missing = missing_modules()
        if not missing:
            return dict(record, status="not needed", reason="the interpreter already has the project's libraries")
        if not found:
            return dict(record, status="failed", reason=f"{', '.join(missing)} missing and no wheels in {folder.name}/")
        argv = base + ["--no-compile", "--upgrade", "--target", SITE]
        what = f"into {SITE}"
    log.line(f"install: {len(found)} wheels from {folder.name}/, {what}")
    status, seconds = run_command(argv + [str(w) for w in found], deadline_s=gpu_plan.INSTALL_DEADLINE_S,
                                  env=dict(os.environ), log=log)
    record["seconds"] = round(seconds, 1)
    if status != 0:
        return dict(record, status="failed", reason=f"pip exit {status}" if status is not None else "out of time")
    return dict(record, site=None if rehearse else SITE)


def step_env(site: str | None, fsdd: Path) -> dict:
    """The environment every step runs in: the carried packages and the project first on the path."""
    path = [p for p in (site, str(ROOT), os.environ.get("PYTHONPATH")) if p]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(path), PYTHONUNBUFFERED="1", FSDD_DIR=str(fsdd),
                MPLBACKEND="Agg")


def describe_machine(env: dict, site: str | None, log: Log) -> dict:
    """bench.gpu.env's JSON (nvidia-smi, driver, CUDA, versions), also written to the log."""
    try:
        done = subprocess.run([sys.executable, "-m", "bench.gpu.env"] + ([site] if site else []), cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=60)
        machine = json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, json.JSONDecodeError, IndexError) as err:
        machine = dict(error=f"bench.gpu.env: {type(err).__name__}: {err}")
    log.line("machine: " + json.dumps(machine, indent=1), echo=False)
    log.line(f"machine: {machine.get('gpu_name') or 'no GPU'}, CUDA {machine.get('torch_cuda')}, "
             f"{machine.get('cpu_count')} CPUs; unmet requirements: {machine.get('unmet_requirements') or 'none'}")
    return machine


def pytest_summary(log_path: Path, since: int) -> str:
    """The last pytest summary line ('== 3 passed, 2 skipped in 4.1s ==') in the log after offset `since`."""
    text = log_path.read_text(errors="replace")[since:]
    lines = [ln.strip("= ") for ln in text.splitlines() if " in " in ln and any(
        w in ln for w in ("passed", "failed", "skipped", "error", "deselected", "no tests ran"))]
    return lines[-1] if lines else ""


def run_steps(steps: list[Step], *, env: dict, out: Path, work: Path, fsdd: Path, log: Log,
              session_start: float) -> tuple[list[dict], list[RunResults], list[dict]]:
    """Run each step under its deadline. Returns (step records, the bench.run steps' results, and one
    {"measurement", "error"} per step not measured or whose tests failed)."""
    records, parts, not_measured, failures = [], [], [], []
    for step in steps:
        given = gpu_plan.given_s(step, time.monotonic() - session_start)
        rec = dict(name=step.name, what=step.what, deadline_s=step.deadline_s, given_s=round(given, 1))
        results_file = work / step.results / "results.json" if step.results else None
        if step.name == "epoch_time" and not (fsdd / "recordings").is_dir():
            rec.update(status="not measured", reason=f"no FSDD copy at {fsdd.name}/ (make gpu-wheels makes it)")
        elif given == 0:
            rec.update(status="not measured", reason=f"the session's {gpu_plan.SESSION_BUDGET_S} s were spent")
        else:
            argv = step.command(python=sys.executable, out=out, work=work, fsdd=fsdd, given_s=given)
            log.line(f"== {step.name} (deadline {given:.0f} s): {' '.join(argv)}")
            offset = log.path.stat().st_size
            status, seconds = run_command(argv, deadline_s=given, env=env, log=log)
            rec.update(wall_s=round(seconds, 1), exit_status=status)
            if step.results is None:
                rec["summary"] = pytest_summary(log.path, offset)
            if status is None:
                rec.update(status="not measured", reason=f"out of time: stopped after its {given:.0f} s deadline")
            elif status == 1 and step.results is None:          # pytest ran, and some tests failed
                rec.update(status="measured", reason=f"tests failed: {rec['summary'] or 'see session.log'}")
                failures.append(dict(measurement=step.name, error=rec["reason"]))
            elif status != 0 and not (results_file and results_file.is_file()):
                rec.update(status="not measured", reason=f"exit status {status} (see session.log)")
            else:
                rec.update(status="measured" if status == 0 else "partial",
                           reason="" if status == 0 else f"exit status {status} (see session.log)")
        if results_file and results_file.is_file():
            part, problems = RunResults.load(results_file)                   # a part of an older schema too
            parts.append(part)
            for problem in problems:
                log.line(f"{step.name}: left out of the merge: {problem}")
        if rec["status"] == "not measured":
            not_measured.append(dict(measurement=step.name, error=f"not measured: {rec['reason']}"))
        log.line(f"{step.name}: {rec['status']}" + (f" in {rec['wall_s']} s" if "wall_s" in rec else "")
                 + (f" ({rec['reason']})" if rec["reason"] else "")
                 + (f"; {rec['summary']}" if rec.get("summary") else ""))
        records.append(rec)
    return records, parts, not_measured + failures


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python3 -m bench.gpu", description=__doc__.split("\n")[0])
    p.add_argument("--out", default=os.environ.get("OUT") or "out/gpu-session",
                   help="folder for results.json, pytest-benchmark.json and session.log (default: $OUT, "
                        "else out/gpu-session)")
    p.add_argument("--rehearse", action="store_true", help="the same plan on this CPU, sizes cut down")
    p.add_argument("--wheels", default=".whl", help="carried wheels (default .whl)")
    p.add_argument("--fsdd", default=".fsdd", help="FSDD copy holding recordings/ (default .fsdd)")
    p.add_argument("--only", default=None, help="comma-separated step names (default: every step)")
    p.add_argument("--no-report", action="store_true", help="rehearsal: do not build the report beside the CPU run")
    args = p.parse_args(argv)
    names = [s.name for s in gpu_plan.plan(rehearse=args.rehearse)]
    if args.only:
        unknown = [n for n in args.only.split(",") if n not in names]
        if unknown:
            p.error(f"--only: unknown step(s) {unknown}; choose from {', '.join(names)}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        p.error(f"--out {args.out}: is a file")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    session_start = time.monotonic()
    out, work = Path(args.out).resolve(), ROOT / "out" / "gpu-session-work"
    fsdd, wheel_dir = (ROOT / args.fsdd).resolve(), (ROOT / args.wheels).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for name in gpu_plan.OUT_FILES:                    # no file of an earlier session left looking current
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log = Log(out / "session.log")
    steps = [s for s in gpu_plan.plan(rehearse=args.rehearse) if not args.only or s.name in args.only.split(",")]
    log.line(f"GPU session{' rehearsal' if args.rehearse else ''}: {len(steps)} steps, at most "
             f"{gpu_plan.SESSION_BUDGET_S} s; results in {out}")
    install = install_wheels(wheel_dir, rehearse=args.rehearse, log=log)
    log.line(f"install: {install['status']}" + (f" ({install['reason']})" if install["reason"] else ""))
    if install["site"]:
        sys.path.insert(0, install["site"])            # this process imports the project's modules too
    env = step_env(install["site"], fsdd)
    machine = describe_machine(env, install["site"], log)
    if not args.rehearse and not machine.get("cuda_available"):
        log.line("error: torch sees no CUDA device here (see machine above); on a CPU run "
                 "`make bench-gpu REHEARSE=1` (python -m bench.gpu --rehearse)")
        return 2
    records, parts, not_measured = run_steps(steps, env=env, out=out, work=work, fsdd=fsdd, log=log,
                                             session_start=session_start)
    session = dict(rehearsal=args.rehearse, budget_s=gpu_plan.SESSION_BUDGET_S, install=install, machine=machine,
                   steps=records, wall_s=round(time.monotonic() - session_start, 1))
    if not parts:
        log.line("no step wrote results: results.json not written (see session.log)")
        return 1
    label = parts[0].label or "GPU session"
    results = RunResults.merge(parts, label=label, session=session, not_measured=not_measured)
    results.environment = dict(results.environment or {}, command=" ".join(
        [Path(sys.executable).name, "-m", "bench.gpu"] + list(sys.argv[1:] if argv is None else argv)))
    try:
        path = save(results, out, csv=False)
    except ValueError as err:                          # never lose a session's data to a schema slip
        path = out / "results-invalid.json"
        path.write_text(json.dumps(results.as_dict(), indent=1, default=str))
        log.line(f"results do not pass reports/run_results.py ({err}); written as {path.name} instead")
        return 1
    log.line(f"wrote {path}; {'complete' if results.complete else 'INCOMPLETE'} in {session['wall_s']} s")
    if args.rehearse and not args.no_report:
        from reports.build import build_report

        log.line(f"report beside the CPU run: {build_report([CPU_RUN, path], work / 'report')}")
    return 0 if results.complete else 1


if __name__ == "__main__":
    sys.exit(main())
