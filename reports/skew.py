"""Accuracy and train/serve skew as verdicts: what each backend's features reach, and what a library
swap costs with and without a shared (matched) config. Every "pp" delta names its baseline."""

from __future__ import annotations

import math
from dataclasses import dataclass

from reports.data import definition, num, own_accuracy, records, reference


def binomial_noise_pp(p: float, n: float) -> float:
    """Two standard errors of the difference of two accuracies ``p`` over ``n`` clips, in pp."""
    return 200 * math.sqrt(max(2 * p * (1 - p), 1e-12) / n) if n else float("inf")

NOISE_RULE = ("A difference counts when it exceeds both two standard errors of the difference of two accuracies "
              "measured on the same n test clips (√(2p(1−p)/n)) and the training noise: the spread between "
              "backends trained on the same preset, whose features agree to float rounding (the optimiser "
              "amplifies 1e-6 differences into different models); smaller differences read \"within noise\".")


@dataclass
class TwinSpread:
    """Backends trained at one preset and split on features equal to float rounding, and how far apart their
    own accuracies landed: the training noise of that preset and split."""

    preset: str
    split: str
    backends: list
    low: float
    high: float

    @property
    def spread_pp(self) -> float:
        return (self.high - self.low) * 100


def twin_spreads(run: dict) -> list[TwinSpread]:
    """One TwinSpread per (preset, split) with two or more backends of one definition trained at it.
    library_defaults is left out: there each backend trains on its own library's defaults."""
    groups: dict[tuple, list] = {}
    for r in own_accuracy(run).to_dict("records"):
        if r["preset"] != "library_defaults":
            key = (r["preset"], str(r.get("split") or "—"), definition(run, r["train_backend"]))
            groups.setdefault(key, []).append(r)
    out = []
    for (preset, split, _), recs in groups.items():
        if len(recs) > 1:
            accs = [r["test_accuracy"] for r in recs]
            out.append(TwinSpread(preset, split, [r["train_backend"] for r in recs], min(accs), max(accs)))
    return out


def training_noise_pp(run: dict, preset: str, split) -> float:
    """The twin spread of `preset` at `split` in pp (0 where no twins were trained)."""
    return max((t.spread_pp for t in twin_spreads(run) if t.preset == preset and t.split == str(split or "—")),
               default=0.0)


@dataclass
class AccuracyRow:
    """One backend's own accuracy and its delta from the reference's."""

    backend: str
    preset: str
    split: str
    accuracy: float
    n_test: float | None
    delta_pp: float | None      # against the reference's own accuracy at its preset
    baseline: str               # e.g. "librosa→librosa, matched"
    verdict: str
    definition: str | None = None


def accuracy_rows(run: dict, order: list[str]) -> list[AccuracyRow]:
    """Each backend's own accuracy (train = test backend), reference first, then ``order``."""
    df = own_accuracy(run)
    if df.empty:
        return []
    ref = reference(run)
    rows = []
    for rec in sorted(df.to_dict("records"), key=lambda r: (r["train_backend"] != ref, _pos(order, r))):
        base = next((r for r in df.to_dict("records") if r["train_backend"] == ref and r["split"] == rec["split"]),
                    None)
        acc, n = rec["test_accuracy"], num(rec.get("n_test"))
        if base is None or rec["train_backend"] == ref:
            delta, baseline, verdict = None, "", "the reference" if rec["train_backend"] == ref else "no reference run"
        else:
            delta = (acc - base["test_accuracy"]) * 100
            baseline = f"{ref}→{ref}, {base['preset']}"
            verdict = _delta_verdict(delta, base["test_accuracy"], n, "better", "worse",
                                     training_noise_pp(run, rec["preset"], rec.get("split")))
        rows.append(AccuracyRow(rec["train_backend"], rec["preset"], str(rec.get("split") or "—"), acc, n, delta,
                                baseline, verdict, definition(run, rec["train_backend"])))
    return rows


@dataclass
class SwapRow:
    """A classifier trained on one backend's features, served another's."""

    preset: str
    train: str
    test: str
    accuracy: float
    delta_pp: float | None      # against train→train at the same preset
    baseline: str
    verdict: str


# a preset whose model was trained at another preset: "ported" serves the library_defaults model the other
# library's features built by features.port, so its baseline (and its place in the table) is library_defaults'
TRAINED_AT = {"ported": "library_defaults"}


def swap_rows(run: dict, order: list[str]) -> list[SwapRow]:
    """Every (train ≠ test) record, matched preset first; delta against train→train at the preset the model
    was trained at (TRAINED_AT; the record's own preset otherwise)."""
    recs = records(run, "accuracy")
    own = {(r["train_backend"], r["preset"], r.get("split")): r for r in recs
           if r["train_backend"] == r["test_backend"]}
    rows = []
    for r in sorted((r for r in recs if r["train_backend"] != r["test_backend"]),
                    key=lambda r: (r["preset"] != "matched", TRAINED_AT.get(r["preset"], r["preset"]),
                                   _pos(order, r), r["preset"],
                                   order.index(r["test_backend"]) if r["test_backend"] in order else 99)):
        trained_at = TRAINED_AT.get(r["preset"], r["preset"])
        base = own.get((r["train_backend"], trained_at, r.get("split")))
        if base is None:
            rows.append(SwapRow(r["preset"], r["train_backend"], r["test_backend"], r["test_accuracy"], None, "",
                                "no train→train baseline"))
            continue
        delta = (r["test_accuracy"] - base["test_accuracy"]) * 100
        verdict = _delta_verdict(delta, base["test_accuracy"], num(r.get("n_test")), "no cost", "costs",
                                 training_noise_pp(run, r["preset"], r.get("split")))
        rows.append(SwapRow(r["preset"], r["train_backend"], r["test_backend"], r["test_accuracy"], delta,
                            f"{r['train_backend']}→{r['train_backend']}, {trained_at}", verdict))
    return rows


def _pos(order: list[str], rec: dict) -> int:
    b = rec["train_backend"]
    return order.index(b) if b in order else len(order)


def _delta_verdict(delta: float, p: float, n: float | None, up: str, down: str, training_pp: float = 0.0) -> str:
    """``within noise`` or the direction with its size, per :data:`NOISE_RULE`."""
    noise = max(binomial_noise_pp(p, n), training_pp) if n else None
    if noise is not None and abs(delta) <= noise:
        return f"within noise (±{noise:.1f} pp)"
    if down == "costs":
        return f"costs {-delta:.1f} pp" if delta < 0 else "no cost"
    return f"{up} by {delta:.1f} pp" if delta > 0 else f"{down} by {-delta:.1f} pp"
