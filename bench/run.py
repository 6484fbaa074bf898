"""`python -m bench.run`: throughput, agreement and end-to-end accuracy, written to DIR/results.json.

    python -m bench.run [--backend librosa|torchaudio|all] [--device cpu|cuda] [--dataset synthetic|fsdd|folder]
                        [--data-dir D] [--quick] [--out DIR]

`--backend torchaudio` runs torchaudio on CUDA where a GPU is present, else on the CPU, and says which.
Agreement always compares against librosa. Results are rewritten (atomically) after every
measurement, so an interrupted run keeps what it had measured; the report is built at the end.
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from features import MFCCConfig, fix_length

from . import grid as grids
from .results import new_results, write_results

AGREEMENT_CLIPS = {"quick": 32, "full": 256}
EPOCHS = {"quick": 15, "full": 30}
QUICK_LIMIT = 240          # clips per split in a quick run


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--backend", choices=("librosa", "torchaudio", "all"), default="all")
    p.add_argument("--device", choices=("cpu", "cuda"), default=None,
                   help="torchaudio's device (default: cuda where present, else cpu)")
    p.add_argument("--dataset", choices=("synthetic", "fsdd", "folder"), default="synthetic")
    p.add_argument("--data-dir", default=None, help="FSDD folder (else $FSDD_DIR or the cache) or a class folder")
    p.add_argument("--manifest", default=None, help="CSV manifest (path,label[,split]) for --dataset folder")
    p.add_argument("--split", choices=("official", "speakers"), default="official")
    p.add_argument("--quick", action="store_true", help="a small grid and short training (< 90 s on 2 cores)")
    p.add_argument("--only", default="throughput,agreement,accuracy",
                   help="comma-separated measurements to run (default: all three)")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--label", default=None, help="run label in reports (default: device and CPU)")
    p.add_argument("--out", default="out/bench", help="output folder (default: out/bench)")
    p.add_argument("--no-report", action="store_true", help="do not build the HTML report")
    return p.parse_args(argv)


class Progress:
    """Timestamped progress lines on stderr."""

    def __init__(self):
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.start:7.1f} s] {message}", file=sys.stderr, flush=True)


def resolve_torchaudio_device(requested, progress) -> str:
    if requested == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch.cuda.is_available() is False on this machine; use --device cpu")
    device = requested or ("cuda" if torch.cuda.is_available() else "cpu")
    where = torch.cuda.get_device_name(0) if device == "cuda" else "the CPU"
    progress(f"torchaudio runs on {device} ({where})")
    return device


def agreement_clips(splits, cfg: MFCCConfig, n: int):
    """Up to `n` clips spread over the test split (then the training split), fixed to cfg.sample_size."""
    from .agreement import Clips

    pool = [splits.test[i] for i in range(len(splits.test))]
    if len(pool) < n:
        pool += [splits.train[i] for i in range(len(splits.train))]
    step = max(1, len(pool) // n)
    chosen = pool[::step][:n]
    waves = np.stack([fix_length(w, cfg.sample_size) for w, _, _ in chosen])
    return Clips(waveforms=waves, files=[p for _, _, p in chosen])


def summary_table(results: dict) -> str:
    """The decision figures as a plain-text table."""
    lines = ["", "== summary =="]
    usual = grids.FULL.usual_point
    rows = [r for r in results["throughput"] if (r["batch_size"], r["duration_s"]) == usual
            and not r.get("includes_transfer")]
    for r in rows:
        threads = f"{r['threads']} thread(s)" + (" sweep" if r["thread_sweep"] else "")
        lines.append(f"throughput  {r['backend']:<10} {r['device']:<4} batch {r['batch_size']:>3} x "
                     f"{r['duration_s']} s, {threads:<12} {r['realtime_factor']:>12,.0f}x realtime  "
                     f"(IQR {r['realtime_factor_q1']:,.0f}-{r['realtime_factor_q3']:,.0f})")
    for r in results["overhead"]:
        lines.append(f"overhead    {r['backend']:<10} {r['device']:<4} interface {r['interface_s'] * 1e3:.2f} ms "
                     f"vs direct {r['direct_s'] * 1e3:.2f} ms ({r['overhead']:+.1%}, IQR {r['overhead_q1']:+.1%} to "
                     f"{r['overhead_q3']:+.1%})")
    for r in results["cold_start"]:
        lines.append(f"cold start  {r['backend']:<10} {r['device']:<4} import {r['import_s']:.2f} s, "
                     f"first call {r['first_call_s']:.3f} s, steady {r['steady_call_s'] * 1e3:.2f} ms")
    for r in results["agreement"]:
        lines.append(f"agreement   {r['preset']:<20} max abs {r['max_abs_error']:.3g}  rel {r['rel_error']:.3g}"
                     f"{'' if r['shapes_match'] else '  (shapes differ: overlap compared)'}")
    for r in results["ablation"][:3]:
        lines.append(f"ablation    #{r['rank']} {r['parameter']}={r['value']!r:<12} rel {r['rel_error']:.3g}")
    for r in results["accuracy"]:
        lines.append(f"accuracy    {r['preset']:<17} train {r['train_backend']:<10} test {r['test_backend']:<10} "
                     f"{r['test_accuracy']:.2%}")
    for r in results["epoch_time"]:
        lines.append(f"epoch time  {r['path']:<28} {r['epoch_seconds']:.2f} s  ({r['test_accuracy']:.2%})")
    if results["skipped"]:
        lines.append(f"skipped     {len(results['skipped'])} file(s): see skipped.csv")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    progress = Progress()
    only = set(args.only.split(","))
    unknown = only - {"throughput", "agreement", "accuracy"}
    if unknown:
        raise SystemExit(f"--only: unknown measurement(s) {sorted(unknown)}")
    mode = "quick" if args.quick else "full"
    ta_device = resolve_torchaudio_device(args.device, progress)
    backends = ("librosa", "torchaudio") if args.backend == "all" else (args.backend,)
    cfg = MFCCConfig.preset("matched")
    label = args.label or f"{'GPU ' + torch.cuda.get_device_name(0) if ta_device == 'cuda' else 'CPU'}"
    out = Path(args.out)
    results = new_results(label=label, quick=args.quick, dataset=args.dataset, config=cfg.to_dict(),
                          device=ta_device)
    results["backends"] = list(backends)
    warnings.filterwarnings("ignore", message=".*(Empty filters|all zero values).*")  # 128 mels at 16 kHz

    def save():
        write_results(results, out)

    from model.datasets import load_splits

    progress(f"loading dataset {args.dataset!r}" + (f" ({args.split} split)" if args.dataset == "fsdd" else ""))
    splits = load_splits(args.dataset, data_dir=args.data_dir, manifest=args.manifest, split=args.split,
                         sample_rate=cfg.sample_rate, resampler=cfg.resampler, seed=0,
                         limit=QUICK_LIMIT if args.quick else None)
    results["skipped"] = list(splits.skipped)
    results["dataset_info"] = dict(name=args.dataset, split=args.split if args.dataset == "fsdd" else None,
                                   n_train=len(splits.train), n_val=len(splits.val), n_test=len(splits.test),
                                   classes=list(splits.labels))
    progress(f"{len(splits.train)} train / {len(splits.val)} val / {len(splits.test)} test clips, "
             f"{len(splits.skipped)} skipped")

    if "throughput" in only:
        from .throughput import (measure_overhead, run_cold_start, run_io, run_throughput,
                                 synthetic_wav_files)

        grid = grids.QUICK if args.quick else grids.FULL
        grid = grids.ThroughputGrid(**{**grid.__dict__, "backends": backends})
        devices = ("cpu", "cuda") if ta_device == "cuda" else ("cpu",)
        results.update(run_throughput(cfg, grid, devices, progress=progress))
        save()
        progress("interface overhead against direct library calls")
        results["overhead"] = measure_overhead(cfg, backends=backends, device=ta_device,
                                               pairs=30 if args.quick else 150)
        progress("cold start and peak memory (fresh processes)")
        results.update(run_cold_start(cfg, backends, devices, grid.memory_batch_sizes))
        progress("decode and resample")
        files = [Path(p) for p in splits.test.paths if Path(p).is_file()][:300]
        results["io"] = run_io(files or synthetic_wav_files(100), target_sr=cfg.sample_rate)
        save()

    if "agreement" in only:
        from .agreement import run_agreement

        clips = agreement_clips(splits, cfg, AGREEMENT_CLIPS[mode])
        agreement = run_agreement(clips, cfg, device=ta_device, progress=progress)
        results["example_clip"] = agreement.pop("example_clip")
        results.update(agreement)
        save()

    if "accuracy" in only:
        from .accuracy import run_accuracy, run_epoch_time

        epochs = args.epochs or EPOCHS[mode]
        presets = ("matched",) if args.quick else ("matched", "library_defaults")
        results.update(run_accuracy(splits, cfg, backends=backends, presets=presets, device=ta_device, epochs=epochs,
                                    cache_dir=False,
                                    progress=progress))
        save()
        if ta_device == "cuda":
            results.update(run_epoch_time(splits, cfg, device=ta_device, epochs=min(epochs, 10), progress=progress))
            save()

    path = out / "results.json"
    save()
    progress(f"wrote {path} and one CSV per measurement in {out}/")
    print(summary_table(results))
    if not args.no_report:
        try:
            from reports.build import build_report
        except ImportError:
            progress("reports.build is not available: no HTML report")
        else:
            index = build_report([path], out / "report")
            progress(f"report: {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
