"""`python -m model.evaluate`: a trained model's accuracy on any dataset, with any backend's features.

    python -m model.evaluate --model runs/a/model.pt --dataset fsdd --data-dir $FSDD_DIR
    python -m model.evaluate --model runs/a --dataset folder --manifest my.csv --backend torchaudio

By default the features are the model's own (the backend and MFCCConfig that model.pt records), so the
figure is the model's accuracy on that data; --backend and --preset serve it another library's or
configuration's features instead, which is the train/serve skew to check before deploying. --part test
(default) scores the dataset's test split, --part all every clip it holds. Prints one JSON object
(test_accuracy, n_test, backend, config, ...) on stdout; bad input is one "error: ..." line, exit 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional

from features import PRESETS, MFCCConfig, backend_names
from features.backends import get as get_backend
from features.backends import option_name

from .datasets import DATASETS, SPLITS, load_splits
from common.cli_options import check_dataset_options, positive_int
from .splits import WaveformDataset
from .train import _brief, evaluate, load_checkpoint


def model_path(text: str) -> Path:
    """--model: a model.pt file, or a folder holding one."""
    path = Path(text)
    if path.is_dir():
        path = path / "model.pt"
    if not path.is_file():
        raise ValueError(f"--model {text}: no model.pt there")
    return path


def serving_config(trained_cfg: MFCCConfig, backend: str, preset: Optional[str]) -> MFCCConfig:
    """The config to compute features with: the model's own, or `preset` at the model's sample rate; checked
    against `backend` (ValueError in one line naming the field it cannot honour)."""
    cfg = trained_cfg if preset is None else MFCCConfig.preset(preset, sample_rate=trained_cfg.sample_rate)
    if cfg.n_mfcc != trained_cfg.n_mfcc:
        raise ValueError(f"--preset {preset}: n_mfcc={cfg.n_mfcc}, but the model was trained on "
                         f"n_mfcc={trained_cfg.n_mfcc}")
    try:
        get_backend(backend).check_config(cfg)
    except ValueError as err:
        raise ValueError(f"--backend {backend} cannot compute this model's features: {err}") from None
    return cfg


def _all_clips(splits) -> WaveformDataset:
    parts = [splits.train, splits.val, splits.test]
    return WaveformDataset([w for p in parts for w in p.waveforms], [y for p in parts for y in p.labels],
                           [f for p in parts for f in p.paths], splits.labels, [k for p in parts for k in p.keys],
                           sample_rate=splits.test.sample_rate, resampler=splits.test.resampler)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m model.evaluate", description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, help="model.pt, or the folder model.train wrote it to")
    p.add_argument("--dataset", required=True, choices=DATASETS)
    p.add_argument("--data-dir", default=None, help="FSDD folder or class-per-folder root (fsdd, folder)")
    p.add_argument("--manifest", default=None, help="CSV with path,label[,split] (dataset folder)")
    p.add_argument("--split", default=None, choices=SPLITS, help="FSDD split (default official)")
    p.add_argument("--part", default="test", choices=("test", "all"), help="which clips to score (default test)")
    p.add_argument("--backend", default=None, type=option_name, choices=backend_names(), help="default: the model's own")
    p.add_argument("--preset", default=None, choices=list(PRESETS), help="default: the model's own config")
    p.add_argument("--device", default="cpu")
    p.add_argument("--limit", type=positive_int, default=None, help="at most this many clips per split")
    p.add_argument("--seed", type=int, default=0, help="seeds carved splits and --limit (default 0)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    """The CLI: 0 and one JSON object on stdout; 2 and one "error: ..." line on stderr for bad input."""
    a = parse_args(argv)
    try:
        check_dataset_options(a.dataset, a.data_dir, a.manifest, a.split)
        trained = load_checkpoint(model_path(a.model))
        backend = a.backend or trained.backend
        cfg = serving_config(trained.cfg, backend, a.preset)
        splits = load_splits(a.dataset, data_dir=a.data_dir, manifest=a.manifest, split=a.split or "official",
                             sample_rate=cfg.sample_rate, resampler=cfg.resampler, seed=a.seed, limit=a.limit)
        data = splits.test if a.part == "test" else _all_clips(splits)
        m = evaluate(trained, backend=backend, cfg=cfg, dataset=data, device=a.device)
    except (ValueError, RuntimeError, OSError, ImportError) as err:
        print(f"error: {_brief(err)}", file=sys.stderr)
        return 2
    out = dict(model=str(a.model), trained_backend=trained.backend, backend=backend, dataset=a.dataset,
               part=a.part, config=cfg.to_dict(), preset=a.preset, **m)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
