"""The version matrix's driver: build each combination's environment, run the worker there, compare.

    python -m bench.versions --fsdd DIR --out out/versions               # the full matrix (make bench-versions)
    python -m bench.versions --combo torch-2.15.0 --limit 20 ...         # one combination, 20 clips per split
    python -m bench.versions lock [--combo NAME]                         # (re)write requirements/versions/*.txt

Per combination: the worker's features of FSDD's test split (official split, 16 kHz, 1 s) under `matched`
and each library's defaults, called clip by clip and as one (B, T) batch, compared with the locked stack's
(compare.largest_difference); the conformance suite's CPU cases run inside its environment; the accuracy
of models trained on the locked stack (the project's training code, one per seed) served that
combination's features, paired by seed with the same model served the locked stack's; and throughput on
64 x 1 s clips, each combination's timing runs interleaved pass by pass (medians over passes).
Writes OUT/versions.json (everything the report reads) and keeps features under OUT/features/<combo>/.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from ..results import cpu_model as cpu_name   # /proc/cpuinfo's model name, as every run records it
from . import envs
from .combos import LOCKED
from .compare import ROUNDING, largest_difference, within_rounding
from .worker import LIBRARIES, MODES, PATHS, PRESETS, file_name

ROOT = Path(__file__).resolve().parents[2]
THROUGHPUT_CLIPS = 64
CONFORMANCE = "tests/features/test_conformance.py"


def say(msg: str) -> None:
    print(f"[versions {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def worker_env(data_dir=None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), MFCC_BENCH_ANY_TORCH="1", PYTHONDONTWRITEBYTECODE="1")
    if data_dir is not None:                 # the conformance suite's FSDD cases
        env["FSDD_DIR"] = str(Path(data_dir).resolve())
    env.pop("VIRTUAL_ENV", None)
    return env


def run_in(python: Path, args: list, *, timeout: float = 3600, data_dir=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), *args], cwd=ROOT, env=worker_env(data_dir), capture_output=True, text=True,
                          timeout=timeout)


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def start_conformance(python: Path, log: Path, select=None, data_dir=None) -> subprocess.Popen:
    """The conformance suite's CPU cases in that environment, started in the background (`select`: a pytest -k
    expression, for a quick check); its output goes to `log`, kept beside the results."""
    log.parent.mkdir(parents=True, exist_ok=True)
    args = [str(python), "-m", "pytest", CONFORMANCE, "-q", "-p", "no:cacheprovider", "-m", "not gpu",
            *(["-k", select] if select else [])]
    with open(log, "w") as sink:
        return subprocess.Popen(args, cwd=ROOT, env=worker_env(data_dir), stdout=sink, stderr=subprocess.STDOUT)


def finish_conformance(proc: subprocess.Popen, log: Path) -> dict:
    """{"passed": bool, "summary": pytest's last line} once `proc` has ended."""
    code = proc.wait(timeout=3600)
    return {"passed": code == 0, "summary": last_line(log.read_text())}


def featurise(python: Path, waveforms: Path, out: Path) -> dict:
    done = run_in(python, ["-m", "bench.versions.worker", "features", "--waveforms", str(waveforms), "--out", str(out)])
    if done.returncode != 0:
        return {"error": last_line(done.stderr)}
    return json.loads((out / "info.json").read_text())


def timing(python: Path, waveforms: Path, out: Path, repeats: int) -> dict:
    if (out / "timing.json").exists():          # measured by an earlier run of the same folder (--resume)
        return json.loads((out / "timing.json").read_text())
    done = run_in(python, ["-m", "bench.versions.worker", "time", "--waveforms", str(waveforms), "--out", str(out),
                           "--repeats", str(repeats)])
    if done.returncode != 0:
        return {"error": last_line(done.stderr)}
    return json.loads((out / "timing.json").read_text())


def differences(ref_dir: Path, out_dir: Path) -> list:
    """One row per (library, preset, path, mode) both folders hold: the largest relative difference."""
    rows = []
    for library in LIBRARIES:
        for preset in PRESETS:
            for path in PATHS:
                for mode in MODES:
                    name = file_name(library, preset, path, mode)
                    if (ref_dir / name).exists() and (out_dir / name).exists():
                        d = largest_difference(np.load(ref_dir / name), np.load(out_dir / name))
                        rows.append(dict(library=library, preset=preset, path=path, mode=mode, difference=d,
                                         within_rounding=within_rounding(d)))
    return rows


def undo(ref_dir: Path, out_dir: Path) -> list:
    """Whether the project's backend under each library's defaults preset gives, in this combination, what
    the locked stack's library gives when called directly on the batch (the settings that keep an upgrade's
    features equal to the old ones): one row per library, the largest relative difference."""
    rows = []
    for library in LIBRARIES:
        ref, out = (d / file_name(library, "defaults", p, "batch") for d, p in ((ref_dir, "direct"), (out_dir, "backend")))
        if ref.exists() and out.exists():
            d = largest_difference(np.load(ref), np.load(out))
            rows.append(dict(library=library, difference=d, within_rounding=within_rounding(d)))
    return rows


def accuracy(splits, feature_dirs: dict, *, seeds: int, epochs: int, cache_dir=False) -> list:
    """Models trained on the locked stack (the project's training code), one per library, preset and seed,
    each served every combination's features (every path and mode): one row each, with the accuracy of
    the same model served the locked stack's features of that path and mode (the pair, by seed)."""
    import torch
    from features import MFCCConfig
    from features.backends import get
    from model.fit import predict, scores
    from model.train import train_and_evaluate

    y = torch.tensor(splits.test.labels, dtype=torch.long)
    rows = []
    for library in LIBRARIES:
        for preset in PRESETS:
            cfg = MFCCConfig.preset("matched" if preset == "matched" else get(library).defaults_preset)
            for seed in range(seeds):
                say(f"accuracy: training on locked {library} features ({preset}, seed {seed})")
                trained, m = train_and_evaluate(backend=library, cfg=cfg, splits=splits, epochs=epochs, seed=seed,
                                                cache_dir=cache_dir, progress=False)
                net = trained.net.to("cpu")

                def served(folder: Path, name: str):
                    if not (folder / name).exists():
                        return None
                    x = torch.from_numpy(np.load(folder / name))
                    return scores(predict(net, x, lambda f: f), y, trained.labels)["test_accuracy"]

                for path in PATHS:
                    for mode in MODES:
                        name = file_name(library, preset, path, mode)
                        locked = served(feature_dirs[LOCKED.name], name)
                        for combo, folder in feature_dirs.items():
                            if combo != LOCKED.name:
                                acc = served(folder, name)
                                rows.append(dict(combo=combo, library=library, preset=preset, path=path, mode=mode,
                                                 seed=seed, accuracy=acc, locked_accuracy=locked,
                                                 delta=None if acc is None or locked is None else acc - locked,
                                                 trained_test_accuracy=m.test_accuracy))
    return rows


def throughput(pythons: dict, waveforms: Path, out: Path, *, passes: int, repeats: int) -> list:
    """Each combination's timing run once per pass, the order rotated every pass (interleaved): one row per
    combination and library with the per-pass medians and their median, in audio seconds per second."""
    names = list(pythons)
    per_pass: dict = {}
    for p in range(passes):
        order = names[p % len(names):] + names[:p % len(names)]
        for name in order:
            say(f"throughput pass {p + 1}/{passes}: {name}")
            t = timing(pythons[name], waveforms, out / name / f"pass{p}", repeats)
            for library, runs in t.get("seconds", {}).items():
                per_pass.setdefault((name, library), []).append(statistics.median(runs))
    rows = []
    audio_seconds = THROUGHPUT_CLIPS * 1.0
    for (name, library), medians in per_pass.items():
        rates = [audio_seconds / s for s in medians]
        rows.append(dict(combo=name, library=library, passes=len(medians), seconds_per_call=statistics.median(medians),
                         audio_s_per_s=statistics.median(rates), low=min(rates), high=max(rates)))
    return rows


def verdicts(combos: list, infos: dict, confs: dict, diffs: dict) -> list:
    """Per combination: verified (imports, conformance, features within rounding of the locked stack) and,
    where not, what broke, in one line."""
    rows = []
    for combo in combos:
        info, why = infos.get(combo.name, {}), []
        if "error" in info:
            why.append(f"worker failed: {info['error']}")
        held = info.get("versions") or {}
        why += [f"{lib} {held[lib]} installed where the lock names {want}" for lib, want in
                (("librosa", combo.librosa), ("torch", combo.torch), ("torchaudio", combo.torchaudio))
                if held.get(lib) and held[lib].split("+")[0] != want]
        why += [f"{lib} does not import ({err})" for lib, err in info.get("broken", {}).items()]
        why += [f"{name.removesuffix('.npy')} failed ({err})" for name, err in info.get("failed", {}).items()]
        conf = confs.get(combo.name)
        if conf is not None and not conf["passed"]:
            why.append(f"conformance suite failed ({conf['summary']})")
        off = [r for r in diffs.get(combo.name, []) if not r["within_rounding"]]
        if off:
            worst = max(off, key=lambda r: r["difference"])
            why.append(f"{len(off)} feature sets differ beyond float32 rounding (worst: {worst['library']} "
                       f"{worst['preset']} {worst['path']} {worst['mode']}, {worst['difference']:.3g})")
        rows.append(dict(combo=combo.name, changes=combo.changes, python=combo.python, librosa=combo.librosa,
                         torch=combo.torch, torchaudio=combo.torchaudio, verified=not why, broke="; ".join(why) or None,
                         pair_refusal=info.get("pair_refusal"), versions=info.get("versions")))
    return rows


def run(combos: list, *, data_dir, out: Path, envs_root: Path, limit=None, seeds: int = 3, epochs: int = 30,
        passes: int = 5, repeats: int = 5, stub: bool = False, conformance_select=None, resume: bool = False) -> dict:
    """The whole matrix (see the module docstring); returns what it writes to out/versions.json.
    `stub`: every combination but the locked one runs in envs.link_current (this environment's packages,
    nothing downloaded): the mechanism's test. `resume`: features and timings already in `out` (an earlier
    run stopped after them) are kept, and the conformance suites then run beside the training."""
    from model.datasets import load_splits
    from model.extract import waveform_matrix

    start = time.time()
    out.mkdir(parents=True, exist_ok=True)
    say("decoding FSDD (official split, 16 kHz)")
    splits = load_splits("fsdd", data_dir=data_dir, split="official", sample_rate=16000, limit=limit)
    test = waveform_matrix(splits.test, range(len(splits.test)), 16000)
    np.save(out / "waveforms-test.npy", test)
    reps = np.resize(np.arange(len(test)), THROUGHPUT_CLIPS)
    np.save(out / "waveforms-64x1s.npy", test[reps])
    pythons, infos, confs, diffs, dirs, running = {}, {}, {}, {}, {}, {}

    def wait_for_conformance():
        for name, proc in running.items():
            confs[name] = finish_conformance(proc, out / "conformance" / f"{name}.txt")
        running.clear()

    try:
        for combo in combos:
            say(f"{combo.name}: environment")
            if combo.changes == "none":
                pythons[combo.name] = Path(sys.executable)
            else:
                try:
                    env = envs.link_current(envs_root, combo.name) if stub else envs.build(combo, envs_root)
                except envs.EnvError as err:
                    infos[combo.name] = {"error": str(err)}
                    continue
                pythons[combo.name] = envs.python_of(env)
            dirs[combo.name] = out / "features" / combo.name
            if resume and (dirs[combo.name] / "info.json").exists():
                infos[combo.name] = json.loads((dirs[combo.name] / "info.json").read_text())
            else:
                say(f"{combo.name}: features")
                infos[combo.name] = featurise(pythons[combo.name], out / "waveforms-test.npy", dirs[combo.name])
            say(f"{combo.name}: conformance suite (in the background)")
            running[combo.name] = start_conformance(pythons[combo.name], out / "conformance" / f"{combo.name}.txt",
                                                    conformance_select, data_dir)
        undos = {}
        for combo in combos:
            if combo.name in dirs and combo.name != LOCKED.name:
                diffs[combo.name] = differences(dirs[LOCKED.name], dirs[combo.name])
                undos[combo.name] = undo(dirs[LOCKED.name], dirs[combo.name])
        timed = all((out / "timing" / name / f"pass{p}" / "timing.json").exists() for name in pythons
                    for p in range(passes))
        if not (resume and timed):
            wait_for_conformance()               # nothing else of ours runs while the timings do
        speed = throughput(pythons, out / "waveforms-64x1s.npy", out / "timing", passes=passes, repeats=repeats)
        acc = accuracy(splits, {k: v for k, v in dirs.items() if "error" not in infos.get(k, {})}, seeds=seeds,
                       epochs=epochs, cache_dir=out / "cache")
        wait_for_conformance()
    finally:
        for proc in running.values():
            proc.kill()
        for combo in combos:
            if combo.changes != "none":
                envs.remove(envs_root / combo.name)
    result = dict(
        kind="versions", rounding=ROUNDING, n_test=int(len(test)), limit=limit, seeds=seeds, epochs=epochs,
        passes=passes, repeats=repeats, stub=stub, conformance_select=conformance_select, resumed=resume,
        throughput_clips=THROUGHPUT_CLIPS,
        machine=dict(cpu=cpu_name(), cores=os.cpu_count(), platform=platform.platform()),
        combos=verdicts(combos, infos, confs, diffs), conformance=confs,
        differences=[dict(r, combo=k) for k, rows in diffs.items() for r in rows],
        undo=[dict(r, combo=k) for k, rows in undos.items() for r in rows], accuracy=acc, throughput=speed,
        minutes=(time.time() - start) / 60,
        command=" ".join(["python -m bench.versions", *sys.argv[1:]]))
    (out / "versions.json").write_text(json.dumps(result, indent=1, default=float) + "\n")
    return result
