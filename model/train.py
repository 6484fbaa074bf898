"""Train and evaluate `MFCCNet` on features from either backend; the CLI `python -m model.train`.

The steps are one call each: `prepare_features` (model.extract: cache or on-the-fly inputs, clips
with non-finite MFCCs skipped), `set_normalisation`, `fit` and `predict`/`scores` (model.fit).

Two feature modes:
- "cache": features are computed once per (backend, config, clip) into `model.cache.FeatureCache`,
  then training runs on in-memory tensors;
- "on-the-fly": waveforms go to the device and the extractor computes the features there in the
  loop; they never leave the device (backends that run on torch devices, not the CPU-only ones).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

import numpy as np
import torch

from features import PRESETS, MFCCConfig, backend_names
from common.atomic_write import atomic_path, write_text_atomic
from features.devices import resolve_device
from features.backends import RENAMED, option_name, runs_on

from .datasets import DATASETS, SPLITS, Splits, WaveformDataset, load_splits
from .splits import validate_labels
from .extract import check_dataset, dataset_features, drop_non_finite, prepare_features, waveform_matrix
from .fit import fit, predict, scores, set_normalisation
from .metrics import TrainingMetrics
from .net import MFCCNet
from .splits import SkipLog
from common.cli_options import (Terminated, check_dataset_options, check_out_dir, exit_cleanly_on_sigterm,
                      non_negative_int, open_fraction, positive_int)

__all__ = ["TrainedModel", "TrainingMetrics", "dataset_features", "evaluate", "load_checkpoint", "main", "save_checkpoint",
           "metrics_text", "seed_everything", "train_and_evaluate", "waveform_matrix"]

FEATURE_MODES = ("cache", "on-the-fly")
DEFAULT_EPOCHS = 25
OUT_FILES = ("model.pt", "metrics.json")


@dataclass
class TrainedModel:
    """A trained net with what it needs to be used again.

    Attributes:
        net (MFCCNet): the classifier (normalisation buffers included), in eval mode.
        cfg (MFCCConfig): the feature configuration it was trained on.
        labels (list[str]): class names, index = class id.
        backend (str): the backend whose features it was trained on.
        metrics (dict): the training run's metrics, TrainingMetrics.as_dict() (empty if unknown).
    """

    net: MFCCNet
    cfg: MFCCConfig
    labels: list
    backend: str
    metrics: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------- helpers
def seed_everything(seed: int) -> None:
    """Seed Python's `random`, NumPy's global RNG and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def strict_json(data):
    """`data` made valid strict JSON: every NaN or infinite float becomes null, and a top-level
    "not_finite" dict {"history[2].val_loss": "nan", ...} says which values were replaced and what
    they were. Returns a new object (dicts at the top level get the extra key only when needed)."""
    replaced = {}

    def clean(x, where):
        if isinstance(x, float) and not math.isfinite(x):
            replaced[where] = repr(x)
            return None
        if isinstance(x, dict):
            return {k: clean(v, f"{where}.{k}" if where else str(k)) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [clean(v, f"{where}[{i}]") for i, v in enumerate(x)]
        return x

    out = clean(data, "")
    if replaced and isinstance(out, dict):
        out["not_finite"] = replaced
    return out


def metrics_text(data: dict) -> str:
    """`data` as strict JSON text (see `strict_json`: no bare NaN), indented; written with
    common.atomic_write.write_text_atomic."""
    return json.dumps(strict_json(data), indent=2, allow_nan=False)


# ----------------------------------------------------------------------------- public API
def check_on_the_fly(backend: str) -> None:
    """ValueError unless `backend` can compute features on the training device inside the loop (it runs
    on torch devices, CUDA included)."""
    able = [n for n in backend_names() if runs_on(n, "cuda")]
    if backend not in able:
        raise ValueError(f"on-the-fly features are computed on the training device inside the loop: backend "
                         f"{backend!r} runs on the CPU only; use one of {', '.join(able)} or feature_mode 'cache'")


def train_and_evaluate(*, backend: str, cfg: MFCCConfig, splits: Splits, device="cpu",
                       epochs: int = DEFAULT_EPOCHS, seed: int = 0, feature_mode: str = "cache",
                       cache_dir=None, out_dir=None, progress: bool = True, cmvn: bool = False):
    """Train `MFCCNet` on `backend` features of `splits`, pick the best validation epoch, test it.

    Args:
        backend (str): a name in features.backend_names().
        cfg (MFCCConfig): feature configuration (sample_size must be set; sample_rate must match
            the rate the splits were decoded at).
        splits (Splits): from `model.datasets.load_splits`; no split may be empty.
        device (str | torch.device, "cpu"): where the net trains (and a backend that runs there extracts).
        epochs (int, 25): maximum epochs, >= 1 (early stop after 8 without validation improvement).
        seed (int, 0): seeds torch, NumPy, random, batch order and augmentation.
        feature_mode (str, "cache"): "cache" or "on-the-fly" (backends that run on CUDA as well as the CPU).
        cache_dir (str | Path | None | False, None): feature cache root; None = default_cache_dir()/
            features, False = compute in memory without a disk cache.
        out_dir (str | Path | None, None): where to write model.pt and metrics.json (checked first).
        progress (bool, True): tqdm bar and one line per epoch on stderr.
        cmvn (bool, False): the net normalises each clip's coefficients over its frames first (MFCCNet).

    Returns:
        (TrainedModel, TrainingMetrics): the metrics (model.metrics: test_accuracy, dataset info,
        config, split sizes, skipped clips, epochs, timings, per-class accuracy, confusion, history;
        `as_dict()` is metrics.json).

    Raises:
        ValueError: unknown backend/mode, on-the-fly with a CPU-only backend, epochs < 1, an empty split, an
            unusable out_dir, or a bad label (file named).
        RuntimeError: CUDA asked for where there is none; a split left empty once clips with
            non-finite MFCCs are skipped; a training loss that is not finite.
    """
    if backend not in backend_names():
        raise ValueError(f"backend={backend!r}: must be one of {backend_names()}")
    if feature_mode not in FEATURE_MODES:
        raise ValueError(f"feature_mode={feature_mode!r}: must be one of {FEATURE_MODES}")
    if feature_mode == "on-the-fly":
        check_on_the_fly(backend)
    if not (isinstance(epochs, int) and not isinstance(epochs, bool) and epochs >= 1):
        raise ValueError(f"epochs={epochs!r}: must be a positive integer")
    if out_dir is not None:
        check_out_dir(out_dir, files=OUT_FILES, option="out_dir")
    dev = resolve_device(device)
    labels = list(splits.labels)
    for name, part in zip(("train", "val", "test"), (splits.train, splits.val, splits.test)):
        validate_labels(part.labels, len(labels), part.paths)
        check_dataset(part, cfg, name)
    seed_everything(seed)

    t0 = time.perf_counter()
    data = prepare_features(backend, cfg, splits, device=dev, feature_mode=feature_mode, cache_dir=cache_dir)
    net = MFCCNet(cfg.n_mfcc, len(labels), cmvn=cmvn).to(dev)
    set_normalisation(net, data.xs[0], data.feature_fn)
    prep_seconds = time.perf_counter() - t0
    stats_feature_seconds = data.feature_fn.seconds

    t1 = time.perf_counter()
    history, best_epoch = fit(net, data.xs[0], data.ys[0], data.xs[1], data.ys[1], data.feature_fn,
                              epochs=epochs, seed=seed, progress=progress)
    result = scores(predict(net, data.xs[2], data.feature_fn), data.ys[2], labels)
    loop_seconds = time.perf_counter() - t1
    in_loop = data.feature_fn.seconds - stats_feature_seconds if feature_mode == "on-the-fly" else 0.0
    best = history[best_epoch - 1] if best_epoch else {}
    kept, cache = data.splits, data.cache
    metrics = TrainingMetrics(
        test_accuracy=result["test_accuracy"], backend=backend, dataset=splits.name,
        split=splits.split, preset=_preset_name(cfg), config=cfg.to_dict(),
        config_hash=cfg.hash(), device=str(dev), feature_mode=feature_mode, seed=seed, cmvn=cmvn,
        n_train=len(kept.train), n_val=len(kept.val), n_test=len(kept.test),
        skipped=list(data.skipped), n_skipped=len(data.skipped), epochs=len(history), max_epochs=epochs,
        best_epoch=best_epoch, val_accuracy=best.get("val_accuracy"),
        train_seconds=loop_seconds - in_loop,
        extraction_seconds=prep_seconds if feature_mode == "cache" else data.feature_fn.seconds,
        cache_hits=cache.hits if cache else 0, cache_misses=cache.misses if cache else 0,
        per_class_accuracy=result["per_class_accuracy"], confusion=result["confusion"], labels=labels,
        history=history, torch_threads=torch.get_num_threads(),
    )
    trained = TrainedModel(net, cfg, labels, backend, metrics.as_dict())
    if out_dir is not None:
        save_checkpoint(trained, Path(out_dir) / "model.pt")
        write_text_atomic(Path(out_dir) / "metrics.json", metrics_text(metrics.as_dict()))
    return trained, metrics


def evaluate(trained: TrainedModel, *, backend: str, cfg: MFCCConfig, dataset: WaveformDataset,
             device="cpu", cache_dir=None) -> dict:
    """Accuracy of `trained` on `dataset` with features from ANY backend/config (train/serve skew).

    Args:
        trained (TrainedModel): e.g. from `train_and_evaluate` or `load_checkpoint`.
        backend (str), cfg (MFCCConfig): how to compute the features now. A different frame count
            is fine (global pooling); a different n_mfcc is not.
        dataset (WaveformDataset): clips decoded at cfg.sample_rate, same label names as training.
        device (str, "cpu"), cache_dir (as in train_and_evaluate).

    Returns:
        dict: test_accuracy (float), per_class_accuracy ({label: float}), confusion ([[int]]), labels,
        n_test (int, clips scored) and skipped (list of {"file", "reason"}: clips whose MFCCs are not
        finite, left out).

    Raises:
        ValueError: n_mfcc differs from training (shapes incompatible), the labels differ, or the
            dataset is empty. RuntimeError: no clip has finite MFCCs.
    """
    if cfg.n_mfcc != trained.cfg.n_mfcc:
        raise ValueError(f"cfg.n_mfcc={cfg.n_mfcc} but the model was trained on n_mfcc={trained.cfg.n_mfcc}: "
                         "the feature shapes are incompatible")
    if list(dataset.label_names) != list(trained.labels):
        raise ValueError(f"the dataset's labels {dataset.label_names} differ from the model's {trained.labels}")
    dev = resolve_device(device)
    validate_labels(dataset.labels, len(trained.labels), dataset.paths)
    check_dataset(dataset, cfg, "test")
    log = SkipLog()
    x = dataset_features(backend, cfg, dataset, device=dev, cache_dir=cache_dir)
    dataset, x = drop_non_finite(dataset, x, log, "test")
    net = trained.net.to(dev)
    y = torch.tensor(dataset.labels, dtype=torch.long)
    return dict(scores(predict(net, x.to(dev), lambda f: f), y, trained.labels), n_test=len(dataset),
                skipped=list(log))


def save_checkpoint(trained: TrainedModel, path) -> None:
    """Write `trained` to `path` (torch.save of plain data: state dict, net kwargs, config dict,
    labels, backend, metrics), atomically."""
    path = Path(path)
    state = {k: v.detach().cpu() for k, v in trained.net.state_dict().items()}
    data = dict(state_dict=state, net_kwargs=trained.net.kwargs(), config=trained.cfg.to_dict(),
                labels=list(trained.labels), backend=trained.backend, metrics=trained.metrics)
    with atomic_path(path, suffix=".pt") as tmp:
        torch.save(data, tmp)


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [""])[0][:120]


CHECKPOINT_KEYS = ("state_dict", "net_kwargs", "config", "labels", "backend")


def load_checkpoint(path) -> TrainedModel:
    """A `TrainedModel` (on the CPU, eval mode) from a model.pt written by `save_checkpoint`. ValueError, one
    line naming the file, for a file that is not a checkpoint, a damaged or cut-short one, or one written by
    another version of this project. weights_only=True: loading a checkpoint never runs code."""
    path = Path(path)
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 -- torch.load raises UnpicklingError, RuntimeError, OSError, EOFError...
        with open(path, "rb") as f:
            zipped = f.read(2) == b"PK"       # torch.save writes a zip archive
        what = "damaged or cut short" if zipped else "not a checkpoint (torch.save file) at all"
        raise ValueError(f"--model {path}: {what} ({type(err).__name__}: {_first_line(err)})") from None
    missing = [k for k in CHECKPOINT_KEYS if not isinstance(data, dict) or k not in data]
    if missing:
        raise ValueError(f"--model {path}: a torch file, but not a model.train checkpoint (no {', '.join(missing)})")
    try:
        net = MFCCNet(**data["net_kwargs"])
        net.load_state_dict(data["state_dict"])
        cfg = MFCCConfig.from_dict(data["config"])
    except (TypeError, ValueError, RuntimeError, KeyError) as err:
        raise ValueError(f"--model {path}: written by another version of this project ({type(err).__name__}: "
                         f"{_first_line(err)})") from None
    net.eval()
    backend = RENAMED.get(data["backend"], data["backend"])     # a checkpoint written under an old name
    return TrainedModel(net, cfg, list(data["labels"]), backend, data.get("metrics") or {})


def _preset_name(cfg: MFCCConfig) -> Optional[str]:
    """The preset `cfg` equals, or None."""
    return next((name for name in PRESETS if MFCCConfig.preset(name) == cfg), None)


# ----------------------------------------------------------------------------- CLI
def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m model.train", description=__doc__.splitlines()[0])
    p.add_argument("--backend", required=True, type=option_name, choices=backend_names())
    p.add_argument("--dataset", default="synthetic", choices=DATASETS)
    p.add_argument("--data-dir", default=None, help="FSDD folder or class-per-folder root (fsdd, folder)")
    p.add_argument("--manifest", default=None, help="CSV with path,label[,split] (dataset folder)")
    p.add_argument("--split", default=None, choices=SPLITS, help="FSDD split (default official)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--epochs", type=positive_int, default=DEFAULT_EPOCHS)
    p.add_argument("--preset", default="matched", choices=list(PRESETS))
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--features", default="cache", choices=FEATURE_MODES)
    p.add_argument("--cmvn", action="store_true", help="per-utterance cepstral mean and variance normalisation")
    p.add_argument("--cache-dir", default=None, help="feature cache (default $MFCC_BENCH_CACHE/features)")
    p.add_argument("--limit", type=positive_int, default=None, help="at most this many clips per split")
    p.add_argument("--val-fraction", type=open_fraction, default=0.1, help="in (0, 1), default 0.1")
    p.add_argument("--cuda-debug", action="store_true", help="set CUDA_LAUNCH_BLOCKING=1")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--out", required=True, help="output folder for model.pt and metrics.json")
    return p.parse_args(argv)


def main(argv=None) -> int:
    """The CLI. Returns 0; 2 with one "error: ..." line on stderr for bad input (nothing written);
    143 on SIGTERM and 130 on Ctrl-C (temporary files removed, nothing written)."""
    args = parse_args(argv)
    if args.cuda_debug:   # before anything touches CUDA (torch initialises it lazily)
        os.environ["CUDA_LAUNCH_BLOCKING"] = "1"
    exit_cleanly_on_sigterm()
    try:
        check_dataset_options(args.dataset, args.data_dir, args.manifest, args.split)
        out = check_out_dir(args.out, files=OUT_FILES)
        if args.cache_dir is not None:
            check_out_dir(args.cache_dir, option="--cache-dir")
        resolve_device(args.device)
        if args.features == "on-the-fly":
            check_on_the_fly(args.backend)
        cfg = MFCCConfig.preset(args.preset)
        t0 = time.perf_counter()
        splits = load_splits(args.dataset, data_dir=args.data_dir, split=args.split or "official",
                             sample_rate=cfg.sample_rate, resampler=cfg.resampler, seed=args.seed,
                             val_fraction=args.val_fraction, manifest=args.manifest, limit=args.limit)
        load_seconds = time.perf_counter() - t0
        print(f"{args.dataset}: train {len(splits.train)}, val {len(splits.val)}, test {len(splits.test)} clips, "
              f"{len(splits.labels)} classes, decoded in {load_seconds:.1f} s", file=sys.stderr)
        trained, m = train_and_evaluate(backend=args.backend, cfg=cfg, splits=splits, device=args.device,
                                        epochs=args.epochs, seed=args.seed, feature_mode=args.features,
                                        cache_dir=args.cache_dir, out_dir=None, progress=not args.no_progress,
                                        cmvn=args.cmvn)
        m = replace(m, load_seconds=load_seconds)
        save_checkpoint(trained, out / "model.pt")
        write_text_atomic(out / "metrics.json", metrics_text(m.as_dict()))
    except (ValueError, RuntimeError, OSError, ImportError) as err:
        print(f"error: {_brief(err)}", file=sys.stderr)
        return 2
    except Terminated as stop:
        print("error: terminated (SIGTERM); temporary files removed, nothing written", file=sys.stderr)
        return stop.code
    except KeyboardInterrupt:
        print("error: interrupted; temporary files removed, nothing written", file=sys.stderr)
        return 130
    return 0


def _brief(err: BaseException, max_lines: int = 12) -> str:
    """The error's message, its detail lines (a skip list) capped at `max_lines`."""
    lines = str(err).splitlines() or [type(err).__name__]
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"  ... and {len(lines) - max_lines} more line(s)"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
