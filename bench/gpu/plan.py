"""The GPU session's plan as data: its steps, each a command with a deadline, and how the steps'
results merge into one results.json. bench/gpu/session.py runs it; tests/bench/test_gpu_session.py
checks it, so the plan cannot rot between sessions that have a GPU.

The real session (one device call of at most 10 minutes) must end within SESSION_BUDGET_S; each step
gets its own deadline, counted from its start, clipped to what is left of the budget. A step out of
time is stopped and written as not measured, with the reason; what earlier steps measured stays.
The rehearsal runs the same steps on a CPU with the sizes cut down (`--profile gpu-rehearsal`, two
epochs on a few hundred FSDD clips, one benchmark point).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SESSION_BUDGET_S = 540          # the whole command: 9 minutes of the device call's 10
RESERVE_S = 15                  # kept back after the last step: merging and writing results.json
INSTALL_DEADLINE_S = 30         # installing the carried wheels (session.install_wheels)
MIN_STEP_S = 10                 # a step given less than this is not started
SOFT_MARGIN_S = 15              # a bench.run step's loops stop this long before its hard deadline
# everything written under $OUT (results-invalid.json only where the merged results fail the schema)
OUT_FILES = ("results.json", "pytest-benchmark.json", "session.log", "results-invalid.json")
BENCHMARK_JSON = "pytest-benchmark.json"


@dataclass(frozen=True)
class Step:
    """One command of the session.

    Attributes:
        name (str): the step's name in the log and in results["session"]["steps"].
        what (str): one line saying what it measures.
        argv (tuple[str]): the command; "{python}" stands for the interpreter, "{out}" for the output
            folder, "{work}" for the scratch folder, "{fsdd}" for the FSDD copy, "{soft_deadline}" for
            the seconds after which its own loops should start no new work (the deadline it is given,
            less SOFT_MARGIN_S, so that it still writes what it measured).
        deadline_s (float): seconds from its start after which it is stopped (SIGTERM, then SIGKILL).
        results (str | None): for a bench.run step, the folder under {work} its results.json is in.
    """

    name: str
    what: str
    argv: tuple
    deadline_s: float
    results: str | None = None

    def command(self, *, python: str, out: Path, work: Path, fsdd: Path, given_s: float | None = None) -> list[str]:
        """argv with the placeholders filled in (`given_s`: the deadline it runs under, default its own)."""
        soft = max((given_s or self.deadline_s) - SOFT_MARGIN_S, 5)
        fill = dict(python=python, out=str(out), work=str(work), fsdd=str(fsdd), soft_deadline=f"{soft:.0f}")
        return [a.format(**fill) for a in self.argv]


def gpu_test_files(root: Path = ROOT) -> list[str]:
    """The test files that hold `gpu`-marked tests (relative paths, sorted): only these are collected,
    so a test module whose imports the GPU image lacks (Ray) cannot stop the step."""
    return sorted(str(p.relative_to(root)) for p in (root / "tests").rglob("test_*.py")
                  if re.search(r"mark\.gpu\b", p.read_text(encoding="utf-8")))


def _bench_run(name: str, what: str, measurement: str, deadline_s: float, profile: str, label: tuple,
               *extra: str) -> Step:
    argv = ("{python}", "-m", "bench.run", "--profile", profile, "--only", measurement, *label, "--no-report",
            "--deadline-s", "{soft_deadline}", "--out", "{work}/" + name) + extra
    return Step(name, what, argv, deadline_s, results=name)


def plan(*, rehearse: bool) -> list[Step]:
    """The session's steps in run order (deadlines in seconds; the real ones, with the install and the
    reserve, add up to at most SESSION_BUDGET_S)."""
    profile = "gpu-rehearsal" if rehearse else "gpu"
    # the real run keeps bench.run's label ("GPU <its name>")
    label = ("--label", "GPU session rehearsal (the CPU stands in for the GPU)") if rehearse else ()
    pytest = ("{python}", "-m", "pytest", "-q", "-p", "no:cacheprovider")
    # benchmark cases: the rehearsal times one point; the real run every point of the backends it compares
    bench_filter = "cpu-1-1.0 or cuda-1-1.0" if rehearse else "cuda or librosa-cpu or torchaudio-cpu or librosa_torch-cpu"
    training = ("--dataset", "fsdd", "--data-dir", "{fsdd}", "--backend", "torchaudio,librosa")
    training += ("--epochs", "2") if rehearse else ("--epochs", "10")   # the rehearsal profile loads 240 clips a split
    return [
        Step("gpu_tests", "the gpu-marked tests (CUDA agreement, batch invariance, training on CUDA)",
             pytest + ("-m", "gpu", "-rs", "--benchmark-disable", "--continue-on-collection-errors")
             + tuple(gpu_test_files()), 60 if rehearse else 100),
        _bench_run("throughput", "every CUDA backend on the GPU with and without the host-to-device copy, "
                   "librosa, torchaudio and librosa_torch on the host CPU, and the FFT-plus-mel ceiling (whole batch "
                   "and chunked)", "throughput", 90 if rehearse else 140, profile, label),
        _bench_run("graph_replay", "each CUDA backend's call, its forward without the input check, and the "
                   "forward replayed as a CUDA graph: where a GPU call's time goes", "graph_replay",
                   30 if rehearse else 40, profile, label),
        _bench_run("crossover", "the batch from which the GPU, copy included, beats librosa and torchaudio "
                   "on this machine's CPU (1 s and 10 s clips)", "crossover", 60 if rehearse else 30, profile, label),
        _bench_run("cold_start", "import, CUDA context, first call (cuFFT plans) and peak memory, each "
                   "backend in a fresh process", "cold_start", 90 if rehearse else 60, profile, label),
        _bench_run("epoch_time", "FSDD training with torchaudio's features computed on the GPU inside the "
                   "loop against cached librosa CPU features", "epoch_time", 150 if rehearse else 60, profile,
                   label, *training),
        Step("benchmarks", "the pytest-benchmark suite: the CUDA backends, and librosa, torchaudio and librosa_torch on the "
             "CPU -> pytest-benchmark.json",
             pytest + ("tests/bench/test_benchmarks.py", "--benchmark-only", "--benchmark-json",
                       "{out}/" + BENCHMARK_JSON, "-k", bench_filter), 60 if rehearse else 40),
    ]


def budget_s(steps: list[Step]) -> float:
    """Seconds the session needs at most: the install, every step's deadline, the reserve."""
    return INSTALL_DEADLINE_S + sum(s.deadline_s for s in steps) + RESERVE_S


def given_s(step: Step, elapsed_s: float) -> float:
    """The deadline `step` runs under when the session has run `elapsed_s`: its own, clipped to
    what is left of SESSION_BUDGET_S less RESERVE_S; 0 (not started) when less than MIN_STEP_S is left."""
    left = SESSION_BUDGET_S - RESERVE_S - elapsed_s
    return min(step.deadline_s, left) if left >= MIN_STEP_S else 0.0
