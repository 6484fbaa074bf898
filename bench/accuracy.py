"""End-to-end accuracy: the shared classifier on each backend's features, and the train/serve skew
matrix (a model trained on one backend's features, evaluated on the other's)."""
from __future__ import annotations

import time

from features import MFCCConfig

from .agreement import naive_port

# (preset name, config the model trains with per backend, config the *other* backend serves with)
# "matched": both sides identical. "library_defaults": each library's own defaults, the serving side
# a naive port (the other library's defaults with n_mfcc, n_fft, hop and n_mels copied over).
OTHER = {"librosa": "torchaudio", "torchaudio": "librosa"}


def skew_configs(preset: str, backend: str, base: MFCCConfig) -> tuple[MFCCConfig, MFCCConfig]:
    """(config `backend` trains with, config the other backend serves with) for `preset`."""
    keep = dict(sample_rate=base.sample_rate, sample_size=base.sample_size)
    if preset == "matched":
        cfg = MFCCConfig.preset("matched", **keep)
        return cfg, cfg
    if preset == "library_defaults":
        train = MFCCConfig.preset(f"{backend}_defaults", **keep)
        return train, naive_port(train, f"{OTHER[backend]}_defaults")
    raise ValueError(f"preset={preset!r}: must be 'matched' or 'library_defaults'")


def run_accuracy(splits, base: MFCCConfig, *, backends=("librosa", "torchaudio"),
                 presets=("matched", "library_defaults"), device="cpu", epochs: int = 30, seed: int = 0,
                 cache_dir=None, progress=None) -> dict:
    """Train once per (preset, backend in `backends`), test on the same backend and on the other:
    {"accuracy": [...]}. librosa always trains and serves on the CPU's features; the net trains on `device`."""
    from model.train import evaluate, train_and_evaluate

    rows = []
    for preset in presets:
        for backend in backends:
            train_cfg, serve_cfg = skew_configs(preset, backend, base)
            if progress:
                progress(f"accuracy: training on {backend} features ({preset})")
            trained, metrics = train_and_evaluate(backend=backend, cfg=train_cfg, splits=splits, device=device,
                                                  epochs=epochs, seed=seed, cache_dir=cache_dir,
                                                  progress=False)
            common = dict(preset=preset, train_backend=backend, device=str(device), epochs=metrics["epochs"],
                          n_train=metrics["n_train"], n_test=metrics["n_test"],
                          train_seconds=metrics["train_seconds"], train_config=train_cfg.hash())
            rows.append(dict(common, test_backend=backend, test_accuracy=metrics["test_accuracy"],
                             extraction_seconds=metrics["extraction_seconds"], serve_config=train_cfg.hash(),
                             per_class_accuracy=metrics["per_class_accuracy"], confusion=metrics["confusion"],
                             labels=metrics["labels"]))
            other = OTHER[backend]
            if progress:
                progress(f"accuracy: {backend}-trained model on {other} features ({preset})")
            start = time.perf_counter()
            result = evaluate(trained, backend=other, cfg=serve_cfg, dataset=splits.test, device=device,
                              cache_dir=cache_dir)
            rows.append(dict(common, test_backend=other, test_accuracy=result["test_accuracy"],
                             extraction_seconds=time.perf_counter() - start, serve_config=serve_cfg.hash(),
                             per_class_accuracy=result["per_class_accuracy"], confusion=result["confusion"],
                             labels=result["labels"]))
    return {"accuracy": rows}


def run_epoch_time(splits, base: MFCCConfig, *, device: str, epochs: int, seed: int = 0, cache_dir=None,
                   progress=None) -> dict:
    """Epoch time of torchaudio features computed on `device` inside the loop against librosa features
    precomputed on the CPU, both training on `device` (the GPU path's reason to exist)."""
    from model.train import train_and_evaluate

    cfg = MFCCConfig.preset("matched", sample_rate=base.sample_rate, sample_size=base.sample_size)
    rows = []
    for path, backend, mode in (("torchaudio-in-loop", "torchaudio", "on-the-fly"),
                                ("librosa-cpu-precomputed", "librosa", "cache")):
        if progress:
            progress(f"epoch time: {path} on {device}")
        _, metrics = train_and_evaluate(backend=backend, cfg=cfg, splits=splits, device=device, epochs=epochs,
                                        seed=seed, feature_mode=mode, cache_dir=False, progress=False)
        seconds = [h["seconds"] for h in metrics["history"] if "seconds" in h]
        rows.append(dict(path=f"{path}-{device}" if backend == "torchaudio" else path, device=str(device),
                         epoch_seconds=sorted(seconds)[len(seconds) // 2] if seconds else None,
                         extraction_seconds=metrics["extraction_seconds"], epochs=metrics["epochs"],
                         test_accuracy=metrics["test_accuracy"]))
    return {"epoch_time": rows}
