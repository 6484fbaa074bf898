"""End-to-end accuracy: the shared classifier trained on each backend's features, and the train/serve
skew matrix (a model trained on one backend's features, served with another's).

Presets:
- each backend's own config (`matched`, or its defaults preset where it cannot honour `matched`):
  one training per backend; the model is then served with every other chosen backend that runs the
  same config (so the matrix covers every pair that can share a config);
- "library_defaults" (where ctx.swap_defaults, as in the quick and full profiles): each backend with a defaults preset trains on it, and every other
  backend of the same definition with a defaults preset serves it through a naive port (its own
  defaults with n_mfcc, n_fft, hop and n_mels copied over: what a user porting code writes).
Epoch time (features on the GPU inside the loop against cached CPU features) is measurements/epoch_time.py.
"""
from __future__ import annotations

import time

from features import MFCCConfig
from features.backends import REFERENCE, get

from ..compare import naive_port

NAME = "accuracy"
TABLES = ("accuracy",)
NEEDS_DATA = True
EPOCHS = {"quick": 15, "full": 30}

def train_and_serve(ctx, *, preset: str, trainer: str, train_cfg: MFCCConfig, servers: dict) -> list[dict]:
    """Train on `trainer`'s features with `train_cfg`, test it, then serve it with each backend in
    `servers` ({backend: serve config}); one accuracy record each."""
    from model.train import evaluate, train_and_evaluate

    device, splits = ctx.options.get("train_device", "cpu"), ctx.splits
    ctx.progress(f"accuracy: training on {trainer} features ({preset})")
    trained, m = train_and_evaluate(backend=trainer, cfg=train_cfg, splits=splits, device=device,
                                    epochs=ctx.options.get("epochs") or EPOCHS["quick" if ctx.quick else "full"],
                                    seed=0, cache_dir=False, progress=False)
    common = dict(preset=preset, train_backend=trainer, device=str(device), split=ctx.options.get("split"),
                  epochs=m["epochs"], n_train=m["n_train"], n_test=m["n_test"], train_seconds=m["train_seconds"],
                  train_config=train_cfg.hash())
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
    return rows

def run(ctx) -> dict:
    rows = []
    keep = dict(sample_rate=ctx.cfg.sample_rate, sample_size=ctx.cfg.sample_size)
    for trainer in ctx.backends:
        cfg, name = ctx.config_for(trainer), ctx.config_name(trainer)
        servers = {b: cfg for b in ctx.backends if b != trainer and get(b).honours(cfg)}
        rows += train_and_serve(ctx, preset=name, trainer=trainer, train_cfg=cfg, servers=servers)
    if ctx.swap_defaults:
        ported = [b for b in ctx.backends if get(b).defaults_preset and get(b).definition == get(REFERENCE).definition]
        for trainer in ported:
            train_cfg = MFCCConfig.preset(get(trainer).defaults_preset, **keep)
            servers = {b: naive_port(train_cfg, get(b).defaults_preset) for b in ported
                       if b != trainer and get(b).defaults_preset != get(trainer).defaults_preset}
            if servers:
                rows += train_and_serve(ctx, preset="library_defaults", trainer=trainer, train_cfg=train_cfg,
                                        servers=servers)
    return {"accuracy": rows}
