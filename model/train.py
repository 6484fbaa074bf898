"""Train and evaluate `MFCCNet` on features from either backend; the CLI `python -m model.train`.

Two feature modes:
- "cache": features are computed once per (backend, config, clip) into `model.cache.FeatureCache`,
  then training runs on in-memory tensors;
- "on-the-fly": waveforms go to the device and the torchaudio extractor computes the features there
  in the loop; they never leave the device (torchaudio only).
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from features import PRESETS, MFCCConfig, backend_names, create_extractor, fix_length
from features.atomic_write import atomic_path
from features.devices import resolve_device

from .cache import FeatureCache, clip_key, compute_features
from .datasets import DATASETS, SPLITS, Splits, WaveformDataset, default_cache_dir, load_splits, validate_labels
from .net import MFCCNet

FEATURE_MODES = ("cache", "on-the-fly")
DEFAULT_EPOCHS = 25
BATCH_SIZE = 64
LR = 3e-3
PATIENCE = 8


@dataclass
class TrainedModel:
    """A trained net with what it needs to be used again.

    Attributes:
        net (MFCCNet): the classifier (normalisation buffers included), in eval mode.
        cfg (MFCCConfig): the feature configuration it was trained on.
        labels (list[str]): class names, index = class id.
        backend (str): the backend whose features it was trained on.
        metrics (dict): the training run's metrics (empty if unknown).
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



def _check_dataset(dataset: WaveformDataset, cfg: MFCCConfig) -> None:
    if cfg.sample_size is None:
        raise ValueError("cfg.sample_size is None: the model needs fixed-length clips; set sample_size")
    if dataset.sample_rate != cfg.sample_rate:
        raise ValueError(f"the dataset was decoded at {dataset.sample_rate} Hz but cfg.sample_rate is "
                         f"{cfg.sample_rate}; load the splits with sample_rate=cfg.sample_rate")


def waveform_matrix(dataset: WaveformDataset, indices, size: int) -> np.ndarray:
    """Clips at `indices`, zero-padded or cut to `size` samples -> float32 (len(indices), size)."""
    out = np.zeros((len(indices), size), np.float32)
    for row, i in enumerate(indices):
        w = fix_length(dataset.waveforms[i], size)
        out[row, :len(w)] = w
    return out


def dataset_features(backend: str, cfg: MFCCConfig, dataset: WaveformDataset, *, device="cpu",
                     cache_dir=None, cache: Optional[FeatureCache] = None) -> torch.Tensor:
    """Features of every clip of `dataset` -> CPU tensor (N, n_mfcc, n_frames).

    cache_dir (str | Path | None | False): None = default_cache_dir()/features; False = no disk cache.
    """
    _check_dataset(dataset, cfg)
    extractor = create_extractor(backend, cfg, device=device if backend == "torchaudio" else "cpu")
    all_idx = list(range(len(dataset)))
    if cache is None and cache_dir is False:
        return torch.from_numpy(compute_features(extractor, waveform_matrix(dataset, all_idx, cfg.sample_size)))
    if cache is None:
        cache = FeatureCache(Path(cache_dir) if cache_dir else default_cache_dir() / "features")
    keys = [clip_key(k, dataset.sample_rate, dataset.resampler) for k in dataset.keys]
    feats = cache.get_or_compute(backend, cfg, keys, lambda idx: waveform_matrix(dataset, idx, cfg.sample_size),
                                 extractor)
    return torch.from_numpy(feats)


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Training-time augmentation on normalised features (B, C, T), same for every backend:
    a random circular time shift (up to +-10 frames), one time mask (up to 12 frames) and one
    coefficient mask (up to 2 coefficients), masked values set to 0 (the training mean)."""
    b, c, t = x.shape
    dev = x.device
    r = torch.rand(b, 5, generator=gen).to(dev)
    shift = ((r[:, 0] * 21).long() - 10)
    idx = (torch.arange(t, device=dev)[None, :] - shift[:, None]) % t
    x = torch.gather(x, 2, idx[:, None, :].expand(b, c, t))
    tw, t0 = (r[:, 1] * 13).long(), (r[:, 2] * t).long()
    tpos = torch.arange(t, device=dev)[None, :]
    tmask = (tpos >= t0[:, None]) & (tpos < (t0 + tw)[:, None])
    cw, c0 = (r[:, 3] * 3).long(), (r[:, 4] * c).long()
    cpos = torch.arange(c, device=dev)[None, :]
    cmask = (cpos >= c0[:, None]) & (cpos < (c0 + cw)[:, None])
    return x.masked_fill(tmask[:, None, :] | cmask[:, :, None], 0.0)


class _Timed:
    """Wraps a feature function and adds its (device-synchronised) time to `.seconds`."""

    def __init__(self, fn, device: torch.device):
        self.fn, self.device, self.seconds = fn, device, 0.0

    def __call__(self, x):
        t0 = time.perf_counter()
        out = self.fn(x)
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        self.seconds += time.perf_counter() - t0
        return out


@torch.no_grad()
def _predict(net: MFCCNet, x: torch.Tensor, feature_fn, batch_size: int = 256):
    """Logits of `net` for every row of `x` (features, or waveforms through `feature_fn`)."""
    net.eval()
    outs = [net(feature_fn(x[i:i + batch_size])).float() for i in range(0, len(x), batch_size)]
    return torch.cat(outs) if outs else torch.zeros(0, net.n_classes, device=x.device)


def _scores(logits: torch.Tensor, y: torch.Tensor, labels: list) -> dict:
    """test_accuracy, per_class_accuracy, confusion (rows = true, columns = predicted), labels."""
    n = len(labels)
    pred = logits.argmax(1).cpu()
    y = y.cpu()
    conf = torch.zeros(n, n, dtype=torch.long)
    conf.index_put_((y, pred), torch.ones_like(y), accumulate=True)
    per_class = {labels[c]: (int(conf[c, c]) / int(conf[c].sum()) if conf[c].sum() else None) for c in range(n)}
    acc = int((pred == y).sum()) / len(y) if len(y) else None
    return dict(test_accuracy=acc, per_class_accuracy=per_class, confusion=conf.tolist(), labels=list(labels))


def _fit(net, train_x, train_y, val_x, val_y, feature_fn, *, epochs, seed, progress, batch_size=BATCH_SIZE,
         lr=LR, patience=PATIENCE):
    """Adam + cosine schedule with augmentation; keeps the weights of the best validation epoch.

    Returns (history list of per-epoch dicts, best epoch number)."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    steps = max(1, epochs * -(-len(train_x) // batch_size))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    history, best, best_state, best_epoch = [], (-1.0, float("inf")), None, 0
    bar = tqdm(range(1, epochs + 1), desc="train", disable=not progress, leave=False, file=sys.stderr)
    for epoch in bar:
        epoch_start = time.perf_counter()
        net.train()
        perm = torch.randperm(len(train_x), generator=gen).to(train_x.device)
        tot_loss, tot_ok, tot_n = 0.0, 0, 0
        for i in range(0, len(perm), batch_size):
            idx = perm[i:i + batch_size]
            if len(idx) == 0:      # nothing left in this batch (cannot happen with decoded splits)
                continue
            with torch.no_grad():
                xb = augment(net.normalise(feature_fn(train_x[idx])), gen)
            yb = train_y[idx]
            logits = net(xb, normalised=True)
            loss = F.cross_entropy(logits, yb, label_smoothing=0.05)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tot_loss += loss.item() * len(idx)
            tot_ok += int((logits.argmax(1) == yb).sum())
            tot_n += len(idx)
        val_logits = _predict(net, val_x, feature_fn)
        val_loss = float(F.cross_entropy(val_logits, val_y)) if len(val_y) else float("nan")
        val_acc = float((val_logits.argmax(1) == val_y).float().mean()) if len(val_y) else float("nan")
        row = dict(epoch=epoch, train_loss=tot_loss / max(tot_n, 1), train_accuracy=tot_ok / max(tot_n, 1),
                   val_loss=val_loss, val_accuracy=val_acc, lr=sched.get_last_lr()[0],
                   seconds=time.perf_counter() - epoch_start)
        history.append(row)
        msg = (f"epoch {epoch:3d}  train loss {row['train_loss']:.4f} acc {row['train_accuracy']:.4f}  "
               f"val loss {val_loss:.4f} acc {val_acc:.4f}")
        if progress:
            tqdm.write(msg, file=sys.stderr)
        score = (val_acc if val_acc == val_acc else row["train_accuracy"], val_loss if val_loss == val_loss else 0)
        if score[0] > best[0] or (score[0] == best[0] and score[1] < best[1]):
            best, best_epoch = score, epoch
            best_state = copy.deepcopy(net.state_dict())
        elif epoch - best_epoch >= patience:
            break
    if best_state is not None:
        net.load_state_dict(best_state)
    net.eval()
    return history, best_epoch


def write_json_atomic(path, data: dict) -> None:
    """json.dump to a temporary file next to `path`, then os.replace."""
    with atomic_path(path, suffix=".json") as tmp:
        tmp.write_text(json.dumps(data, indent=2))


# ----------------------------------------------------------------------------- public API
def train_and_evaluate(*, backend: str, cfg: MFCCConfig, splits: Splits, device="cpu",
                       epochs: int = DEFAULT_EPOCHS, seed: int = 0, feature_mode: str = "cache",
                       cache_dir=None, out_dir=None, progress: bool = True):
    """Train `MFCCNet` on `backend` features of `splits`, pick the best validation epoch, test it.

    Args:
        backend (str): "librosa" or "torchaudio".
        cfg (MFCCConfig): feature configuration (sample_size must be set; sample_rate must match
            the rate the splits were decoded at).
        splits (Splits): from `model.datasets.load_splits`.
        device (str | torch.device, "cpu"): where the net trains (and torchaudio extracts).
        epochs (int, 25): maximum epochs (early stop after 8 without validation improvement).
        seed (int, 0): seeds torch, NumPy, random, batch order and augmentation.
        feature_mode (str, "cache"): "cache" or "on-the-fly" (torchaudio only).
        cache_dir (str | Path | None | False, None): feature cache root; None = default_cache_dir()/
            features, False = compute in memory without a disk cache.
        out_dir (str | Path | None, None): where to write model.pt and metrics.json.
        progress (bool, True): tqdm bar and one line per epoch on stderr.

    Returns:
        (TrainedModel, dict): the dict holds test_accuracy, backend, dataset info, config, n_train,
        n_val, n_test, skipped, epochs, best_epoch, train_seconds, extraction_seconds,
        per_class_accuracy, confusion, labels, history and more (see metrics.json).

    Raises:
        ValueError: unknown backend/mode, on-the-fly with librosa, or a bad label (file named).
        RuntimeError: CUDA asked for where there is none.
    """
    if backend not in backend_names():
        raise ValueError(f"backend={backend!r}: must be one of {backend_names()}")
    if feature_mode not in FEATURE_MODES:
        raise ValueError(f"feature_mode={feature_mode!r}: must be one of {FEATURE_MODES}")
    if feature_mode == "on-the-fly" and backend != "torchaudio":
        raise ValueError("feature_mode='on-the-fly' computes features on the device inside the loop and "
                         "needs backend='torchaudio'; librosa runs on the CPU only: use feature_mode='cache'")
    dev = resolve_device(device)
    labels = list(splits.labels)
    for part in (splits.train, splits.val, splits.test):
        validate_labels(part.labels, len(labels), part.paths)
        _check_dataset(part, cfg)
    seed_everything(seed)

    t0 = time.perf_counter()
    cache = None
    if feature_mode == "cache":
        if cache_dir is not False:
            cache = FeatureCache(Path(cache_dir) if cache_dir else default_cache_dir() / "features")
        xs = [dataset_features(backend, cfg, d, device=dev, cache_dir=cache_dir, cache=cache).to(dev)
              for d in (splits.train, splits.val, splits.test)]
        feature_fn = _Timed(lambda x: x, dev)
    else:
        extractor = create_extractor(backend, cfg, device=dev)
        xs = [torch.from_numpy(waveform_matrix(d, range(len(d)), cfg.sample_size)).to(dev)
              for d in (splits.train, splits.val, splits.test)]
        feature_fn = _Timed(extractor, dev)
    ys = [torch.tensor(d.labels, dtype=torch.long, device=dev) for d in (splits.train, splits.val, splits.test)]

    net = MFCCNet(cfg.n_mfcc, len(labels)).to(dev)
    with torch.no_grad():   # per-coefficient statistics of the TRAINING features only
        n, s, s2 = 0, 0.0, 0.0
        for i in range(0, len(xs[0]), 256):
            f = feature_fn(xs[0][i:i + 256]).double()
            n += f.shape[0] * f.shape[2]
            s = s + f.sum(dim=(0, 2))
            s2 = s2 + (f * f).sum(dim=(0, 2))
        mean = s / n
        net.set_normalisation(mean.float(), (s2 / n - mean * mean).clamp_min(0).sqrt().float())
    prep_seconds = time.perf_counter() - t0
    stats_feature_seconds = feature_fn.seconds

    t1 = time.perf_counter()
    history, best_epoch = _fit(net, xs[0], ys[0], xs[1], ys[1], feature_fn, epochs=epochs, seed=seed,
                               progress=progress)
    scores = _scores(_predict(net, xs[2], feature_fn), ys[2], labels)
    loop_seconds = time.perf_counter() - t1
    in_loop = feature_fn.seconds - stats_feature_seconds if feature_mode == "on-the-fly" else 0.0
    best = history[best_epoch - 1] if best_epoch else {}
    metrics = dict(
        test_accuracy=scores["test_accuracy"], backend=backend, dataset=splits.name,
        split=splits.split, preset=_preset_name(cfg), config=cfg.to_dict(),
        config_hash=cfg.hash(), device=str(dev), feature_mode=feature_mode, seed=seed,
        n_train=len(splits.train), n_val=len(splits.val), n_test=len(splits.test),
        skipped=list(splits.skipped), n_skipped=len(splits.skipped), epochs=len(history), max_epochs=epochs,
        best_epoch=best_epoch, val_accuracy=best.get("val_accuracy"),
        train_seconds=loop_seconds - in_loop,
        extraction_seconds=prep_seconds if feature_mode == "cache" else feature_fn.seconds,
        cache_hits=cache.hits if cache else 0, cache_misses=cache.misses if cache else 0,
        per_class_accuracy=scores["per_class_accuracy"], confusion=scores["confusion"], labels=labels,
        history=history, torch_threads=torch.get_num_threads(),
    )
    trained = TrainedModel(net, cfg, labels, backend, metrics)
    if out_dir is not None:
        save_checkpoint(trained, Path(out_dir) / "model.pt")
        write_json_atomic(Path(out_dir) / "metrics.json", metrics)
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
        dict: test_accuracy (float), per_class_accuracy ({label: float}), confusion ([[int]]), labels.

    Raises:
        ValueError: n_mfcc differs from training (shapes incompatible), or the labels differ.
    """
    if cfg.n_mfcc != trained.cfg.n_mfcc:
        raise ValueError(f"cfg.n_mfcc={cfg.n_mfcc} but the model was trained on n_mfcc={trained.cfg.n_mfcc}: "
                         "the feature shapes are incompatible")
    if list(dataset.label_names) != list(trained.labels):
        raise ValueError(f"the dataset's labels {dataset.label_names} differ from the model's {trained.labels}")
    dev = resolve_device(device)
    validate_labels(dataset.labels, len(trained.labels), dataset.paths)
    x = dataset_features(backend, cfg, dataset, device=dev, cache_dir=cache_dir).to(dev)
    net = trained.net.to(dev)
    y = torch.tensor(dataset.labels, dtype=torch.long)
    return _scores(_predict(net, x, lambda f: f), y, trained.labels)


def save_checkpoint(trained: TrainedModel, path) -> None:
    """Write `trained` to `path` (torch.save of plain data: state dict, net kwargs, config dict,
    labels, backend, metrics), atomically."""
    path = Path(path)
    state = {k: v.detach().cpu() for k, v in trained.net.state_dict().items()}
    data = dict(state_dict=state, net_kwargs=trained.net.kwargs(), config=trained.cfg.to_dict(),
                labels=list(trained.labels), backend=trained.backend, metrics=trained.metrics)
    with atomic_path(path, suffix=".pt") as tmp:
        torch.save(data, tmp)


def load_checkpoint(path) -> TrainedModel:
    """A `TrainedModel` (on the CPU, eval mode) from a model.pt written by `save_checkpoint`."""
    data = torch.load(path, map_location="cpu", weights_only=True)
    net = MFCCNet(**data["net_kwargs"])
    net.load_state_dict(data["state_dict"])
    net.eval()
    return TrainedModel(net, MFCCConfig.from_dict(data["config"]), list(data["labels"]), data["backend"],
                        data.get("metrics") or {})


def _preset_name(cfg: MFCCConfig) -> Optional[str]:
    """The preset `cfg` equals, or None."""
    return next((name for name in PRESETS if MFCCConfig.preset(name) == cfg), None)


# ----------------------------------------------------------------------------- CLI
def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m model.train", description=__doc__.splitlines()[0])
    p.add_argument("--backend", required=True, choices=backend_names())
    p.add_argument("--dataset", default="synthetic", choices=DATASETS)
    p.add_argument("--data-dir", default=None, help="FSDD folder or class-per-folder root")
    p.add_argument("--manifest", default=None, help="CSV with path,label[,split] (dataset folder)")
    p.add_argument("--split", default="official", choices=SPLITS, help="FSDD split")
    p.add_argument("--device", default="cpu")
    p.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS)
    p.add_argument("--preset", default="matched", choices=list(PRESETS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--features", default="cache", choices=FEATURE_MODES)
    p.add_argument("--cache-dir", default=None, help="feature cache (default $MFCC_BENCH_CACHE/features)")
    p.add_argument("--limit", type=int, default=None, help="at most this many clips per split")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--cuda-debug", action="store_true", help="set CUDA_LAUNCH_BLOCKING=1")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--out", required=True, help="output folder for model.pt and metrics.json")
    args = p.parse_args(argv)
    if args.cuda_debug:   # before anything touches CUDA (torch initialises it lazily)
        os.environ["CUDA_LAUNCH_BLOCKING"] = "1"
    try:
        resolve_device(args.device)
        if args.features == "on-the-fly" and args.backend != "torchaudio":
            raise ValueError("--features on-the-fly needs --backend torchaudio (librosa runs on the CPU only)")
        cfg = MFCCConfig.preset(args.preset)
        t0 = time.perf_counter()
        splits = load_splits(args.dataset, data_dir=args.data_dir, split=args.split, sample_rate=cfg.sample_rate,
                             resampler=cfg.resampler, seed=args.seed, val_fraction=args.val_fraction,
                             manifest=args.manifest, limit=args.limit)
        load_seconds = time.perf_counter() - t0
        print(f"{args.dataset}: train {len(splits.train)}, val {len(splits.val)}, test {len(splits.test)} clips, "
              f"{len(splits.labels)} classes, decoded in {load_seconds:.1f} s", file=sys.stderr)
        trained, m = train_and_evaluate(backend=args.backend, cfg=cfg, splits=splits, device=args.device,
                                        epochs=args.epochs, seed=args.seed, feature_mode=args.features,
                                        cache_dir=args.cache_dir, out_dir=None, progress=not args.no_progress)
        m["load_seconds"] = load_seconds
        save_checkpoint(trained, Path(args.out) / "model.pt")
        write_json_atomic(Path(args.out) / "metrics.json", m)
    except (ValueError, RuntimeError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
