"""Leave-one-speaker-out: the presets and Kaldi's defaults with one setting reverted at a time, each trained on
every speaker fold with two classifiers, so that a claim about unseen speakers rests on six held-out speakers
and on more than one model.

    python -m bench.run --profile loso --dataset fsdd      # every clip, 6 folds, 3 seeds (make bench-loso)

Every clip the run loaded (train, val and test of whichever split) is joined and split again by speaker
(model.loso): each fold trains on five speakers (a tenth of them, stratified by digit, kept for validation)
and tests on all 500 clips of the sixth. Per setting (bench.loso_settings.SETTINGS) the features of every clip
are computed once, through the feature cache, then:
- "cnn": model.net.MFCCNet trained as model.train does (model.fit: AdamW, one-cycle, augmentation, best
  validation epoch), once per fold and seed;
- "logreg": model.pooled (logistic regression on pooled per-clip statistics), once per fold: its fit is convex
  from zero weights, so the seed changes nothing and its record carries seed 0.
The seeds go round the folds and settings (seed 0 for every fold and setting, then seed 1, ...), so a run
stopped by its deadline keeps every setting on every fold with the same, fewer, seeds. One record per training.
"""
from __future__ import annotations

import time

import torch
from tqdm.auto import tqdm

from reports.records import Loso

from .. import loso_settings as study
from ..grid import Sizes

NAME = "loso"
TABLES = ("loso",)
NEEDS_DATA = True
EPOCHS = Sizes(quick=10, full=30)
CLASSIFIERS = ("cnn", "logreg")


def setting_features(setting, data, keep: dict, cache) -> torch.Tensor:
    """(N, n_mfcc, n_frames) features of every clip of `data` under `setting` (FeatureCache `cache`, or None)."""
    from model.extract import dataset_features, finite_rows

    cfg = setting.config(**keep)
    x = dataset_features(setting.backend, cfg, data, cache_dir=False if cache is None else None, cache=cache)
    bad = int((~finite_rows(x)).sum())
    if bad:
        raise RuntimeError(f"{setting.name}: the MFCCs of {bad} clip(s) are not finite; the folds need every clip")
    return x


def train_cnn(x, y, fold, *, n_classes: int, seed: int, epochs: int, cmvn: bool) -> dict:
    """MFCCNet on one fold's features, as model.train.train_and_evaluate trains it: scores and timings."""
    from model.fit import fit, predict, scores, set_normalisation
    from model.net import MFCCNet
    from model.train import seed_everything

    seed_everything(seed)
    parts = [torch.as_tensor(ix) for ix in (fold.train, fold.val, fold.test)]
    (xt, xv, xs), (yt, yv, ys) = [x[p] for p in parts], [y[p] for p in parts]
    net = MFCCNet(x.shape[1], n_classes, cmvn=cmvn)
    t0 = time.perf_counter()
    set_normalisation(net, xt, lambda f: f)
    history, best = fit(net, xt, yt, xv, yv, lambda f: f, epochs=epochs, seed=seed, progress=False)
    labels = [str(c) for c in range(n_classes)]
    result = scores(predict(net, xs, lambda f: f), ys, labels)
    return dict(test_accuracy=result["test_accuracy"], val_accuracy=history[best - 1]["val_accuracy"] if best else None,
                epochs=len(history), best_epoch=best, train_seconds=time.perf_counter() - t0)


def train_logreg(x, y, fold, *, n_classes: int, cmvn: bool) -> dict:
    """The pooled-statistics logistic regression on one fold: scores (model.fit.scores) and timing."""
    from model.fit import scores
    from model.pooled import fit_pooled

    t0 = time.perf_counter()
    model = fit_pooled(x[list(fold.train)], y[list(fold.train)], n_classes=n_classes, cmvn=cmvn)
    labels = [str(c) for c in range(n_classes)]
    with torch.no_grad():
        test = scores(model(x[list(fold.test)]), y[list(fold.test)], labels)
        val = scores(model(x[list(fold.val)]), y[list(fold.val)], labels)
    return dict(test_accuracy=test["test_accuracy"], val_accuracy=val["test_accuracy"], epochs=None, best_epoch=None,
                train_seconds=time.perf_counter() - t0)


def record(setting, classifier: str, fold, seed: int, cfg_hash: str, result: dict) -> Loso:
    reverted = next(iter(setting.changes), None) if setting.group == "revert" else None
    return Loso(classifier=classifier, setting=setting.name, group=setting.group, reverted=reverted,
                changes=", ".join(f"{k}={v}" for k, v in setting.changes.items()) or (setting.preset or ""),
                backend=setting.backend, preset=setting.preset or study.BASELINE, config=cfg_hash, fold=fold.speaker,
                seed=seed, split="loso", n_train=len(fold.train), n_val=len(fold.val), n_test=len(fold.test), **result)


def run(ctx) -> dict:
    from model.cache import FeatureCache
    from model.datasets import default_cache_dir
    from model.loso import join, loso_folds

    if ctx.splits is None:
        raise ValueError("loso needs the dataset's clips (run with --dataset fsdd)")
    data = join(ctx.splits.train, ctx.splits.val, ctx.splits.test)
    folds = loso_folds(data)
    n_seeds, deadline = ctx.options.seeds, ctx.options.deadline
    epochs = ctx.options.epochs or EPOCHS.pick(ctx.quick)
    keep = dict(sample_rate=ctx.cfg.sample_rate, sample_size=ctx.cfg.sample_size)
    cache = FeatureCache(default_cache_dir() / "features")
    y = torch.tensor(data.labels, dtype=torch.long)
    n_classes = len(data.label_names)
    feats = {}
    for s in study.SETTINGS:
        t0 = time.perf_counter()
        feats[s.name] = setting_features(s, data, keep, cache)
        ctx.progress(f"loso: features of {s.name} for {len(data)} clips in {time.perf_counter() - t0:.1f} s")
    rows = []
    bar = tqdm(total=n_seeds * len(folds) * len(study.SETTINGS), desc="loso", unit="training", leave=False)
    for seed in range(n_seeds):
        for fold in folds:
            for s in study.SETTINGS:
                if deadline is not None and time.monotonic() > deadline:
                    ctx.progress(f"loso: deadline reached after {len(rows)} trainings; stopping")
                    bar.close()
                    return {"loso": rows}
                bar.set_postfix_str(f"seed {seed}, {fold.speaker} held out: {s.name}")
                cfg_hash = s.config(**keep).hash()
                x = feats[s.name]
                rows.append(record(s, "cnn", fold, seed, cfg_hash, train_cnn(
                    x, y, fold, n_classes=n_classes, seed=seed, epochs=epochs, cmvn=s.cmvn)))
                if seed == 0:
                    rows.append(record(s, "logreg", fold, 0, cfg_hash, train_logreg(x, y, fold, n_classes=n_classes,
                                                                                    cmvn=s.cmvn)))
                bar.update()
        ctx.progress(f"loso: seed {seed} done on every fold ({len(rows)} records)")
    bar.close()
    return {"loso": rows}
