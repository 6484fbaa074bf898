"""Accuracy in detail: each backend's own accuracy, the skew matrices, confusion and epoch time."""

from __future__ import annotations

from functools import partial

from reports import generalisation as gen
from reports import loso
from reports.figures import accuracy, simple_bars
from reports.figures import generalisation as gen_figure
from reports.intervals import METHOD, accuracy_text
from reports.sections import folded
from reports.page import Block, Section, Table, record_table
from reports.skew import NOISE_RULE, seeds_text

ACCURACY = ("train_backend:trained on; test_backend:served by; preset:preset; split:split; seed:seed:int; "
            "test_accuracy:test accuracy:pct; n_test:test clips:int; epochs:epochs:int; train_seconds:train (s)")


def noise_text(runs: list[dict]) -> str:
    """How many training seeds each run's accuracies come from, and how they are compared."""
    seeds = "; ".join(f"{run.label}: {seeds_text(run)}" for run in runs)
    return f" Seeds — {seeds}. {NOISE_RULE}"


def study_tables(runs: list[dict]) -> list[Table]:
    """The ranked effects and the confirmation on fresh seeds, per run with a study."""
    tables = []
    for run in runs:
        if not gen.has_study(run):
            continue
        base = gen.baseline(run)
        rows = [["matched (the baseline)", "", accuracy_text(base), "—"]]
        rows += [[e.setting, e.toward.replace(",", ", ") or "—", accuracy_text(e.accuracy), e.verdict.text]
                 for e in gen.effects(run)]
        tables.append(Table(["setting (changed from matched)", "toward whose default", "held-out accuracy",
                             "against matched (paired over seeds)"], rows,
                            "Settings ranked by their gain on unseen speakers" + (f" — {run.label}"
                                                                                 if len(runs) > 1 else "")))
        c = gen.confirmation(run)
        if c is not None:
            tables.append(Table(["on fresh seeds", "held-out accuracy", "against matched (paired)"],
                                [["matched", accuracy_text(c.baseline), "—"],
                                 [c.setting, accuracy_text(c.combination), c.verdict.text]],
                                f"The best combination, tested on seeds the screen never used (chosen by: {c.rule})"))
    return tables


def study_caption(runs: list[dict]) -> str:
    """The advice sentence, the leads explained (or not), and what was not trained and why."""
    parts = []
    for run in runs:
        if gen.has_study(run):
            parts += [gen.advice(run)] + gen.leads(run)
    across = loso.answer(runs)
    parts.append("What leave-one-speaker-out says (section 5b): " + across.sentence() if across is not None else
                 "These intervals are over training seeds on one speaker split: which speakers are held out is not in "
                 "them, and leave-one-speaker-out (`make bench-loso`) puts it there.")
    return " ".join(p for p in parts if p) + f" Intervals: {METHOD}. {gen.NOT_TRAINED}"


def split_note(runs: list[dict]) -> str:
    """What the split can show: the official split (speakers shared by train and test) sits at ceiling."""
    splits = {(run.get("dataset_info") or {}).get("split") for run in runs}
    if "official" in splits and "speakers" not in splits:
        return (" This run used FSDD's official split, whose test speakers are also in training: every backend "
                "sits near the ceiling and the split separates no feature choice. The speaker-held-out split "
                "(--split speakers) does.")
    return ""


def section(ctx) -> Section:
    runs, order = ctx.runs, ctx.order
    study = [Block("generalisation", "Which MFCC settings carry over to unseen speakers", study_caption(runs),
                   partial(gen_figure.effects, runs, order), study_tables(runs), "generalisation records")] \
        if any(gen.has_study(run) for run in runs) else []
    return Section("accuracy", "6. Accuracy in detail", folded(study + [
        Block("accuracy", "Accuracy per backend, against the reference's", "Trained and tested on the same backend's "
              "features, at matched where the backend honours it, else at its own preset; each dot is the paired "
              "difference from the reference's own accuracy at the same seeds, the bar its 95% interval (the "
              "accuracies themselves are in the tables of section 1)." + split_note(runs) + noise_text(runs),
              partial(accuracy.differences, runs, order, "own"),
              missing="accuracy records with train = test backend"),
        Block("skew", "Train/serve skew", "Rows: the backend the classifier was trained on; columns: the backend "
              "computing features when serving. Each cell is the mean over the seeds run there (n in the cell); "
              "grey cells were not run.", partial(accuracy.skew, runs, order),
              [record_table(runs, "accuracy", ACCURACY, ["preset", "train_backend", "test_backend", "seed"])],
              "accuracy records with train ≠ test backend"),
        Block("confusion", "Confusion matrices", "Own backend, matched preset.", partial(accuracy.confusion, runs, order),
              missing="confusion matrices in the accuracy records"),
        Block("epoch_time", "Epoch time", "Seconds per training epoch per way of feeding features.",
              partial(simple_bars.epoch_time, runs, order),
              [record_table(runs, "epoch_time", "path:path; epoch_seconds:epoch (s); test_accuracy:test accuracy:pct")],
              "epoch_time records"),
    ], keep=("generalisation",)))   # a study run's question stays open
