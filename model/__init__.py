"""Digit/vowel classifiers trained on MFCCs from either backend, to compare them by accuracy.

    from model.datasets import load_splits
    from model.train import train_and_evaluate, evaluate, load_checkpoint
    splits = load_splits("fsdd", split="official")
    trained, metrics = train_and_evaluate(backend="librosa", cfg=MFCCConfig.preset("matched"), splits=splits)

Command line: `python -m model.train --backend librosa --dataset fsdd --out out/run1`.
"""
