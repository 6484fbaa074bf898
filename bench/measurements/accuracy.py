"""End-to-end accuracy: the shared classifier trained on each backend's features, and the train/serve
skew matrix (a model trained on one backend's features, served with another's).

Every training runs once per seed (ctx.options.seeds: the profile's, 2 in quick, 5 in full; the seed
sets initialisation, batch order and augmentation, the splits stay fixed), each seed's records carrying
it, so the report gives each accuracy as a mean with its interval and compares on paired seeds
(reports/intervals.py).

Presets:
- each backend's own config (`matched`, or its defaults preset where it cannot honour `matched`):
  one training per backend; the model is then served with every other chosen backend that runs the
  same config (so the matrix covers every pair that can share a config);
- "library_defaults" (where ctx.swap_defaults: the quick and full profiles): each backend with a defaults
  preset trains on it, and every other
  backend of the same definition with a defaults preset serves it through a naive port (its own
  defaults with n_mfcc, n_fft, hop and n_mels copied over: what a user porting code writes), and
  beside it a "ported" row: the same model served the other library's features built by features.port
  from the trainer's own library call (librosa <-> torchaudio), so the naive swap's loss and the
  port's recovery sit side by side.
Epoch time (features on the GPU inside the loop against cached CPU features) is measurements/epoch_time.py.
"""
from __future__ import annotations

import time

from features import MFCCConfig
from features.backends import REFERENCE, get
from reports.records import Accuracy

from ..grid import Sizes
from .support.mfcc_agreement import naive_port
from .support.ported import PORTABLE, ported_server, why_not_portable

NAME = "accuracy"
TABLES = ("accuracy",)
NEEDS_DATA = True
EPOCHS = Sizes(small=15, full=30)

def train_and_serve(ctx, *, preset: str, trainer: str, train_cfg: MFCCConfig, servers: dict,
                    ported: bool = False, seed: int = 0) -> list[dict]:
    """Train on `trainer`'s features with `train_cfg` at `seed`, test it, then serve it with each backend in
    `servers` ({backend: serve config}); one accuracy record each. `ported`: one more record (preset
    "ported") serving it the other library's features built by features.port from trainer's call."""
    from model.train import evaluate, train_and_evaluate

    device, splits = ctx.options.train_device, ctx.splits
    ctx.progress(f"accuracy: training on {trainer} features ({preset}, seed {seed})")
    trained, m = train_and_evaluate(backend=trainer, cfg=train_cfg, splits=splits, device=device,
                                    epochs=ctx.options.epochs or EPOCHS.pick(ctx.small),
                                    seed=seed, cache_dir=False, progress=False)
    common = dict(preset=preset, train_backend=trainer, seed=seed, device=str(device), split=ctx.options.split,
                  epochs=m["epochs"], max_epochs=m["max_epochs"], best_epoch=m["best_epoch"],
                  stopped_early=m["epochs"] < m["max_epochs"], n_train=m["n_train"], n_test=m["n_test"],
                  train_seconds=m["train_seconds"], train_config=train_cfg.hash())
    rows = [dict(common, test_backend=trainer, test_accuracy=m["test_accuracy"],
                 extraction_seconds=m["extraction_seconds"], serve_config=train_cfg.hash(),
                 per_class_accuracy=m["per_class_accuracy"], confusion=m["confusion"], labels=m["labels"])]
    for server, serve_cfg in servers.items():
        ctx.progress(f"accuracy: {trainer}-trained model on {server} features ({preset})")
        start = time.perf_counter()
        r = evaluate(trained, backend=server, cfg=serve_cfg, dataset=splits.test, device=device, cache_dir=False)
        rows.append(dict(common, test_backend=server, test_accuracy=r["test_accuracy"],
                         extraction_seconds=time.perf_counter() - start, serve_config=serve_cfg.hash(),
                         per_class_accuracy=r["per_class_accuracy"], confusion=r["confusion"], labels=r["labels"]))
    if ported:
        rows.append(ported_row(ctx, trained, trainer, train_cfg, common))
    return rows


def ported_row(ctx, trained, trainer: str, train_cfg: MFCCConfig, common: dict) -> dict:
    """`trained` scored on the test split with features.port's translation of trainer's call."""
    import torch
    from model.extract import waveform_matrix
    from model.fit import predict, scores

    server, features = ported_server(trainer, train_cfg)
    ctx.progress(f"accuracy: {trainer}-trained model on {server} features built by features.port")
    test = ctx.splits.test
    start = time.perf_counter()
    x = features(waveform_matrix(test, range(len(test)), train_cfg.sample_size))
    seconds = time.perf_counter() - start
    net = trained.net.to("cpu")
    r = scores(predict(net, x, lambda f: f), torch.tensor(test.labels, dtype=torch.long), trained.labels)
    return dict(common, preset="ported", test_backend=server, test_accuracy=r["test_accuracy"],
                extraction_seconds=seconds, serve_config=f"port({trainer}->{server})",
                per_class_accuracy=r["per_class_accuracy"], confusion=r["confusion"], labels=r["labels"])

def run(ctx) -> dict:
    """{"accuracy": [Accuracy]}: every training once per seed (ctx.options.seeds), each row as its record."""
    rows = []
    for seed in range(ctx.options.seeds):
        rows += run_seed(ctx, seed)
    return {"accuracy": [Accuracy(**row) for row in rows]}


def run_seed(ctx, seed: int) -> list[dict]:
    """Every training of this measurement at one seed, and the serving of each model."""
    rows = []
    keep = dict(sample_rate=ctx.cfg.sample_rate, sample_size=ctx.cfg.sample_size)
    trainers = ctx.backends if not ctx.train_libraries_only else tuple(b for b in ctx.backends if get(b).full_grid)
    for trainer in trainers:
        cfg, name = ctx.config_for(trainer), ctx.config_name(trainer)
        servers = {b: cfg for b in ctx.backends if b != trainer and get(b).honours(cfg)}
        rows += train_and_serve(ctx, preset=name, trainer=trainer, train_cfg=cfg, servers=servers, seed=seed)
    if ctx.swap_defaults:
        ported = [b for b in trainers if get(b).defaults_preset and get(b).definition == get(REFERENCE).definition]
        for trainer in ported:
            train_cfg = MFCCConfig.preset(get(trainer).defaults_preset, **keep)
            servers = {b: naive_port(train_cfg, get(b).defaults_preset) for b in ported
                       if b != trainer and get(b).defaults_preset != get(trainer).defaults_preset}
            if servers:
                ported_too = PORTABLE.get(trainer) in servers and why_not_portable(trainer, train_cfg) is None
                rows += train_and_serve(ctx, preset="library_defaults", trainer=trainer, train_cfg=train_cfg,
                                        servers=servers, ported=ported_too, seed=seed)
    return rows
