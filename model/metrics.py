"""`TrainingMetrics`: what one training run measured, declared once (model.train fills it; metrics.json,
the checkpoint and bench's accuracy and epoch-time records read it)."""
from __future__ import annotations

import dataclasses
from typing import Any, Optional


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrainingMetrics:
    """One training run's metrics; `as_dict()` is metrics.json (keys in this order).

    Attributes:
        test_accuracy (float): accuracy on the test split.
        backend (str), dataset (str), split (str | None), preset (str | None: the config matches no preset),
        config (dict): MFCCConfig.to_dict(); config_hash (str).
        device (str), feature_mode (str): "cache" | "on-the-fly"; seed (int); cmvn (bool): the net's
        per-utterance normalisation (MFCCNet).
        n_train, n_val, n_test (int): clips used per split; skipped (list[dict]): {"file", "reason"};
        n_skipped (int).
        epochs (int): epochs run; max_epochs (int); best_epoch (int): the epoch kept (0: none);
        val_accuracy (float | None): its validation accuracy.
        train_seconds (float): the training loop less feature time inside it; extraction_seconds (float).
        cache_hits, cache_misses (int): feature cache counts (0 without a cache).
        per_class_accuracy (dict[str, float]), confusion (list[list[int]]), labels (list[str]).
        history (list[dict]): one entry per epoch (loss, accuracies, seconds).
        torch_threads (int).
        load_seconds (float | None): the CLI's dataset decoding time (None: not measured, not written).
    """

    test_accuracy: float
    backend: str
    dataset: Optional[str]
    split: Optional[str]
    preset: Optional[str]
    config: dict
    config_hash: str
    device: str
    feature_mode: str
    seed: int
    cmvn: bool
    n_train: int
    n_val: int
    n_test: int
    skipped: list
    n_skipped: int
    epochs: int
    max_epochs: int
    best_epoch: int
    val_accuracy: Optional[float]
    train_seconds: float
    extraction_seconds: float
    cache_hits: int
    cache_misses: int
    per_class_accuracy: dict
    confusion: list
    labels: list
    history: list
    torch_threads: int
    load_seconds: Optional[float] = None

    def as_dict(self) -> dict:
        """The metrics as metrics.json holds them (`load_seconds` only where measured)."""
        out = dataclasses.asdict(self)
        if out["load_seconds"] is None:
            del out["load_seconds"]
        return out

    def __getitem__(self, name: str) -> Any:
        """`metrics[name]`: the field `name` (callers written against the former metrics dict read on)."""
        if name not in self.__dataclass_fields__:
            raise KeyError(name)
        return getattr(self, name)
