"""`python -m bench.corpus`: featurise every file of a dataset on Ray, on one machine or a cluster.

    python -m bench.corpus --backend librosa --dataset fsdd --out out/corpus            # local Ray, all CPUs
    python -m bench.corpus --backend torchaudio --device cuda --dataset folder --manifest files.csv \\
        --address ray://head:10001 --out /shared/corpus                                 # an existing cluster

Writes Parquet shards under DIR/shards, DIR/manifest.csv (path, label, n_frames, skip_reason: a row
per input file) and DIR/job.json; read them back with `bench.corpus.shards.read_features(DIR)`. A re-run with
the same arguments finishes what a killed run left and recomputes no finished shard. Exit status 0
when done, 2 for bad arguments (one line on stderr), 1 when a shard failed.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from tqdm.auto import tqdm

from features import PRESETS, MFCCConfig, backend_names
from features import backends
from common.atomic_write import write_text_atomic

from . import engine
from .shards import job_json, write_manifest

PARTS = ("all", "train", "val", "test")
DELAY_ENV = "BENCH_CORPUS_SHARD_DELAY_S"      # test hook: sleep this long after each finished shard


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def parse_args(argv=None) -> argparse.Namespace:
    p = _Parser(prog="python -m bench.corpus", description=__doc__.split("\n")[0])
    p.add_argument("--backend", required=True, type=backends.option_name, help=f"one of {', '.join(backend_names())}")
    p.add_argument("--dataset", required=True, choices=("fsdd", "folder"))
    p.add_argument("--data-dir", default=None, help="FSDD folder (else $FSDD_DIR or the cache) or a class-per-folder root")
    p.add_argument("--manifest", default=None, help="CSV path,label[,split] (for --dataset folder)")
    p.add_argument("--split", choices=PARTS, default="all",
                   help="which part to featurise (FSDD: its official split; a manifest: its split column)")
    p.add_argument("--workers", type=int, default=None,
                   help="shards in flight (default: every CPU, or every GPU with --device cuda)")
    p.add_argument("--address", default=None, help="an existing Ray cluster (default: $RAY_ADDRESS, else start one here)")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    p.add_argument("--config", default="matched", help=f"MFCC preset, one of {', '.join(PRESETS)}")
    p.add_argument("--shard-size", type=int, default=256, help="files per shard (default 256)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p.parse_args(argv)


def dataset_items(dataset: str, *, data_dir=None, manifest=None, split: str = "all") -> list:
    """[(path, label name)] of every file of the dataset part `split`, in the loaders' order
    (model.datasets.fsdd_items / folder_items). Raises ValueError / FileNotFoundError for bad input."""
    from model.datasets import folder_items, fsdd_dir, fsdd_items

    if dataset == "fsdd":
        parts, names = fsdd_items(fsdd_dir(data_dir)), [str(d) for d in range(10)]
    else:
        parts, names = folder_items(data_dir, manifest)
    if split == "all":
        chosen = [it for part in ("all", "train", "val", "test") for it in parts.get(part, [])]
    elif split in parts:
        chosen = parts[split]
    else:
        raise ValueError(f"--split {split}: this dataset has no such part (it has: all, {', '.join(parts)})")
    if not chosen:
        raise ValueError(f"{dataset}: no audio files found for --split {split}")
    return [(p, names[y]) for p, y in chosen]


def check_out(out: Path, job: engine.Job) -> None:
    """Refuse an --out that is a file, not writable, a non-empty folder of something else, or a job
    with another backend or config (its shards would mix)."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    existing = out / "job.json"
    if existing.is_file():
        try:
            old = json.loads(existing.read_text())
        except ValueError:
            raise UsageError(f"--out {out}: its job.json is unreadable; use another folder") from None
        if (old.get("backend"), old.get("config_hash")) != (job.backend, job.cfg.hash()):
            raise UsageError(f"--out {out}: holds a job with backend {old.get('backend')} and config "
                             f"{old.get('config_hash')}; use another folder for {job.backend} / {job.cfg.hash()}")
    elif out.is_dir() and any(out.iterdir()):
        raise UsageError(f"--out {out}: a non-empty folder that holds no corpus job; use a new folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"--out {out}: cannot create it ({err.strerror})") from None
    if not os.access(out, os.W_OK):
        raise UsageError(f"--out {out}: not writable")


def _prepare(args) -> tuple:
    """(job, items) from the arguments; UsageError for anything wrong, before any work."""
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers {args.workers}: must be at least 1")
    if args.shard_size < 1:
        raise UsageError(f"--shard-size {args.shard_size}: must be at least 1")
    if args.backend not in backend_names():
        raise UsageError(f"--backend {args.backend}: must be one of {', '.join(backend_names())}")
    if args.config not in PRESETS:
        raise UsageError(f"--config {args.config}: must be one of {', '.join(PRESETS)}")
    if args.manifest and args.dataset != "folder":
        raise UsageError("--manifest goes with --dataset folder")
    cfg = MFCCConfig.preset(args.config)
    if not backends.runs_on(args.backend, args.device):
        raise UsageError(f"--device {args.device}: the {args.backend} backend runs on {', '.join(backends.get(args.backend).devices)} only")
    if backends.missing_library(args.backend):
        raise UsageError(backends.missing_library(args.backend))
    try:
        backends.get(args.backend).check_config(cfg)
    except ValueError as err:
        raise UsageError(f"--config {args.config}: {err}") from None
    delay = float(os.environ.get(DELAY_ENV) or 0)
    job = engine.Job(backend=args.backend, cfg=cfg, out=Path(args.out), device=args.device,
                     shard_size=args.shard_size, delay_s=delay)
    check_out(job.out, job)
    try:
        items = dataset_items(args.dataset, data_dir=args.data_dir, manifest=args.manifest, split=args.split)
    except (ValueError, FileNotFoundError, OSError) as err:
        raise UsageError(str(err).splitlines()[0]) from None
    return job, items


def _clean(out: Path, keep: set) -> None:
    """Remove temporary files a killed run left, and shards / markers not in this plan."""
    for folder in (out / "shards", out / "done"):
        for f in folder.glob("*") if folder.is_dir() else ():
            stem = f.name.split(".")[0] if not f.name.startswith(".") else None
            shard_id = stem.rsplit("-", 1)[-1] if stem else None
            if f.name.startswith(".") or shard_id not in keep:
                f.unlink(missing_ok=True)


def main(argv=None) -> int:
    try:
        args = parse_args(argv)
        job, items = _prepare(args)
    except UsageError as err:
        print(f"bench.corpus: error: {err}", file=sys.stderr)
        return 2
    shards = engine.plan_shards(items, job)
    _clean(job.out, {s.id for s in shards})
    write_text_atomic(job.out / "job.json", job_json(dict(job.describe(), dataset=args.dataset, split=args.split,
                                                          files=len(items), shard_size=job.shard_size,
                                                          shard_files=[], complete=False)))
    done, todo = engine.split_done(shards, job)
    bar = tqdm(total=len(items), initial=sum(d["files"] for d in done), unit="file", desc=job.backend,
               disable=args.no_progress or None, dynamic_ncols=True)
    start, audio = time.perf_counter(), [0.0]

    def on_done(result):
        audio[0] += result["audio_s"]
        wall = time.perf_counter() - start
        bar.update(result["files"])
        bar.set_postfix_str(f"{audio[0] / 3600:.3f} h audio, {audio[0] / max(wall, 1e-9):.1f}x realtime")

    ray_s = 0.0
    try:
        if todo:
            ray_s = engine.start_ray(workers=args.workers, address=args.address)
            if job.device == "cuda" and not __import__("ray").cluster_resources().get("GPU"):
                bar.close()
                print("bench.corpus: error: --device cuda: the Ray cluster has no GPU", file=sys.stderr)
                return 2
            start = time.perf_counter()
            workers = args.workers or engine.cluster_slots(job.device)
            todo_results = engine.run_ray(todo, job, workers=workers, on_done=on_done)
        else:
            todo_results = []
    except Exception as err:                         # a shard failed on a worker: one line, status 1
        bar.close()
        print(f"bench.corpus: error: {str(err).strip().splitlines()[-1]}", file=sys.stderr)
        return 1
    bar.close()
    wall = time.perf_counter() - start
    results = sorted(done + todo_results, key=lambda r: r["index"])
    rows = [row for r in results for row in r["rows"]]
    manifest = write_manifest(job.out, rows)
    write_text_atomic(job.out / "job.json", job_json(dict(
        job.describe(), dataset=args.dataset, split=args.split, files=len(items), shard_size=job.shard_size,
        shard_files=[r["shard_file"] for r in results if r["shard_file"]], complete=True)))
    skipped = sum(1 for r in rows if r["skip_reason"])
    new_audio = sum(r["audio_s"] for r in todo_results)
    print(f"{len(rows) - skipped} of {len(rows)} files featurised ({skipped} skipped, see {manifest}); "
          f"{len(todo_results)} shard(s) computed in {wall:.1f} s ({new_audio / 3600:.3f} h of audio, "
          f"{new_audio / max(wall, 1e-9):.1f}x realtime; Ray start {ray_s:.1f} s), "
          f"{len(done)} already complete", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
