"""Leave-one-speaker-out: the presets and Kaldi's defaults with one setting reverted at a time, each trained on
every speaker fold with two classifiers, so that a claim about unseen speakers rests on six held-out speakers
and on more than one model.

    python -m bench.run --profile loso --dataset fsdd      # every clip, 6 folds, 3 seeds (make bench-loso)

Every clip the run loaded (train, val and test of whichever split) is joined and split again by speaker
(model.loso): each fold trains on five speakers (a tenth of them, stratified by digit, kept for validation)
and tests on all 500 clips of the sixth. Per setting (bench.measurements.support.loso_settings.SETTINGS) the features of every clip
are computed once, through the feature cache, then:
- "cnn": model.net.MFCCNet trained as model.train does (model.fit: AdamW, one-cycle, augmentation, best
  validation epoch), once per fold and seed;
- "logreg": model.pooled (logistic regression on pooled per-clip statistics), once per fold: its fit is convex
  from zero weights, so the seed changes nothing and its record carries seed 0.
The seeds go round the folds and settings (seed 0 for every fold and setting, then seed 1, ...), so a run
stopped by its deadline has each finished seed on every fold and setting (and the seed it was on for some folds).
One record per training.
Trainings run in WORKERS forked processes of one torch thread each, in that order.
"""
from __future__ import annotations

import multiprocessing
import os
import time

import torch
from tqdm.auto import tqdm

from reports.records import Loso

from .support import loso_settings as study
from ..grid import Sizes

NAME = "loso"
TABLES = ("loso",)
NEEDS_DATA = True
SPLIT = "loso"          # every clip joined, one fold per speaker (results.json's dataset_info says so)
EPOCHS = Sizes(small=10, full=30)
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


def train_logreg(stats, y, fold, *, n_mfcc: int, n_classes: int, cmvn: bool) -> dict:
    """The pooled-statistics logistic regression on one fold (`stats`: model.pooled.pooled_statistics of every
    clip): scores (model.fit.scores) and timing."""
    from model.fit import scores
    from model.pooled import fit_statistics

    t0 = time.perf_counter()
    train, val, test = (torch.as_tensor(ix) for ix in (fold.train, fold.val, fold.test))
    model = fit_statistics(stats[train], y[train], n_mfcc=n_mfcc, n_classes=n_classes, cmvn=cmvn)
    labels = [str(c) for c in range(n_classes)]
    with torch.no_grad():
        out = {name: scores(model.from_statistics(stats[ix]), y[ix], labels)["test_accuracy"]
               for name, ix in (("test", test), ("val", val))}
    return dict(test_accuracy=out["test"], val_accuracy=out["val"], epochs=None, best_epoch=None,
                train_seconds=time.perf_counter() - t0)


def record(setting, classifier: str, fold, seed: int, cfg_hash: str, result: dict) -> Loso:
    reverted = next(iter(setting.changes), None) if setting.group == "revert" else None
    return Loso(classifier=classifier, setting=setting.name, group=setting.group, reverted=reverted,
                changes=", ".join(f"{k}={v}" for k, v in setting.changes.items()) or (setting.preset or ""),
                backend=setting.backend, preset=setting.preset or study.BASELINE, config=cfg_hash, fold=fold.speaker,
                seed=seed, split="loso", n_train=len(fold.train), n_val=len(fold.val), n_test=len(fold.test), **result)


#: Trainings run in this many worker processes of one torch thread each (forked: they share the features). Two
#: single-threaded processes beat one process of two threads on a busy 2-core machine: there, an epoch of the CNN
#: took 3.9 s on one thread and 31.6 s on two (OpenMP threads waiting on each other), measured 2026-12-04.
WORKERS = max(1, min(2, os.cpu_count() or 1))
_SHARED: dict = {}      # what the forked workers read: features, statistics, labels, folds, options


def _one(job: tuple):
    """One (seed, fold, setting) job in a worker: its records, or None once the deadline has passed."""
    seed, f, i = job
    sh = _SHARED
    if sh["deadline"] is not None and time.monotonic() > sh["deadline"]:
        return None
    torch.set_num_threads(1)
    s, fold = study.SETTINGS[i], sh["folds"][f]
    x, y, n_classes = sh["feats"][s.name], sh["y"], sh["n_classes"]
    cfg_hash = s.config(**sh["keep"]).hash()
    out = [record(s, "cnn", fold, seed, cfg_hash, train_cnn(x, y, fold, n_classes=n_classes, seed=seed,
                                                             epochs=sh["epochs"], cmvn=s.cmvn))]
    if seed == 0:
        out.append(record(s, "logreg", fold, 0, cfg_hash, train_logreg(sh["stats"][s.name], y, fold, n_mfcc=x.shape[1],
                                                                       n_classes=n_classes, cmvn=s.cmvn)))
    return out


def run(ctx) -> dict:
    from model.cache import FeatureCache
    from model.datasets import default_cache_dir
    from model.loso import join, loso_folds
    from model.pooled import pooled_statistics

    if ctx.splits is None:
        raise ValueError("loso needs the dataset's clips (run with --dataset fsdd)")
    data = join(ctx.splits.train, ctx.splits.val, ctx.splits.test)
    folds = loso_folds(data)
    n_seeds = ctx.options.seeds
    keep = dict(sample_rate=ctx.cfg.sample_rate, sample_size=ctx.cfg.sample_size)
    cache = FeatureCache(default_cache_dir() / "features")
    feats, stats = {}, {}
    for s in study.SETTINGS:
        t0 = time.perf_counter()
        feats[s.name] = setting_features(s, data, keep, cache)
        stats[s.name] = pooled_statistics(feats[s.name], cmvn=s.cmvn)
        ctx.progress(f"loso: features of {s.name} for {len(data)} clips in {time.perf_counter() - t0:.1f} s")
    _SHARED.update(feats=feats, stats=stats, y=torch.tensor(data.labels, dtype=torch.long), folds=folds, keep=keep,
                   n_classes=len(data.label_names), epochs=ctx.options.epochs or EPOCHS.pick(ctx.small),
                   deadline=ctx.options.deadline)
    jobs = [(seed, f, i) for seed in range(n_seeds) for f in range(len(folds)) for i in range(len(study.SETTINGS))]
    rows, stopped, pool = [], 0, None
    bar = tqdm(total=len(jobs), desc="loso", unit="training", leave=False)
    try:
        if WORKERS > 1:
            pool = multiprocessing.get_context("fork").Pool(WORKERS)
            results = pool.imap(_one, jobs)
        else:
            results = map(_one, jobs)
        for job, out in zip(jobs, results):
            if out is None:
                stopped += 1
            else:
                rows += out
            bar.update()
            if job[1:] == (len(folds) - 1, len(study.SETTINGS) - 1) and not stopped:
                ctx.progress(f"loso: seed {job[0]} done on every fold ({len(rows)} records)")
        if pool is not None:
            pool.close()
            pool.join()
            pool = None
    finally:
        if pool is not None:        # stopped midway (an error, SIGTERM): no worker outlives the run
            pool.terminate()
        _SHARED.clear()
        bar.close()
    if stopped:
        ctx.progress(f"loso: deadline reached; {stopped} of {len(jobs)} trainings not run")
    return {"loso": rows}
