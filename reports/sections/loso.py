"""Unseen speakers, leave-one-speaker-out: the effects for both classifiers, the Kaldi lead taken apart, and each
held-out speaker's accuracy (reports.loso computes; this module lays it out)."""

from __future__ import annotations

from functools import partial

from reports import loso, loso_compare
from reports.figures import loso as loso_figure
from reports.intervals import Interval
from reports.page import NA, Block, Section, Table


def _acc(interval: Interval | None) -> str:
    if interval is None:
        return NA
    if interval.low is None:
        return f"{interval.mean * 100:.1f} % (1 fold)"
    return f"{interval.mean * 100:.1f} % ({interval.low * 100:.1f}–{interval.high * 100:.1f})"


def effects_table(run, groups: tuple, title: str) -> Table:
    """One row per setting of `groups`: accuracy and comparison for each classifier, and whether both agree."""
    present = [c for c in loso.CLASSIFIERS if loso.effects(run, c)]
    by = {c: {e.setting: e for e in loso.effects(run, c)} for c in present}
    supported = {(c.setting, c.against) for c in loso.claims(run)}
    rows = []
    for e in by[present[0]].values():
        if e.group not in groups:
            continue
        row = [e.setting, e.against]
        for c in present:
            mine = by[c].get(e.setting)
            row += [_acc(mine.accuracy) if mine else NA, mine.verdict if mine else NA]
        row.append("yes" if (e.setting, e.against) in supported else "no")
        rows.append(row)
    headers = ["setting", "against"]
    for c in present:
        headers += [f"{loso.CLASSIFIER_NAMES[c]}: accuracy over folds", f"{loso.CLASSIFIER_NAMES[c]}: paired difference"]
    return Table(headers + ["both classifiers agree"], rows, title)


def speaker_table(run) -> Table:
    """Each held-out speaker's accuracy for the baseline and the presets, per classifier."""
    rows = loso.per_speaker(run)
    keys = sorted({k for r in rows for k in r.accuracy}, key=lambda k: (loso.CLASSIFIERS.index(k[0]), k[1] != loso.BASELINE, k[1]))
    headers = ["held-out speaker"] + [f"{loso.CLASSIFIER_NAMES[c]}: {s}" for c, s in keys]
    body = [[r.speaker] + [f"{r.accuracy[k] * 100:.1f} %" if k in r.accuracy else NA for k in keys] for r in rows]
    return Table(headers, body, "Accuracy per held-out speaker (each the mean over the fold's seeds)")


def changes_block(strongest, others: list) -> Block:
    """The calls (gains / costs / even) that change between the run the answer comes from and each other run."""
    tables, counts = [], []
    for run in others:
        rows = loso_compare.changes(strongest, run)
        changed = [r for r in rows if not r.same]
        counts.append(f"{len(changed)} of {len(rows)} calls change in {run.label}")
        tables.append(Table(["classifier", "setting", "against", strongest.label, run.label],
                            [[loso.CLASSIFIER_NAMES[r.classifier], r.setting, r.against, loso_compare.call_text(r.before, r.before_pp),
                              loso_compare.call_text(r.after, r.after_pp)] for r in changed],
                            f"Calls that change against {run.label}"))
    caption = (f"The answer comes from {strongest.label} (reports.loso.strongest). A call is gains or costs where the "
               f"95% interval over the speaker folds excludes zero, even where it does not; {'; '.join(counts)}. "
               "A call that changes with the CNN's training length or seeds is one no single run settles.")
    return Block("loso_changes", "Unseen speakers: where the leave-one-speaker-out runs disagree", caption, None, tables,
                 "loso records")


def section(ctx) -> Section:
    runs = [run for run in ctx.runs if loso.has_study(run)]
    blocks = []
    for run in runs:
        answer = loso.unseen_speakers(run)
        suffix = f" — {run.label}" if len(runs) > 1 else ""
        claims = "; ".join(c.text() for c in answer.claims) or "none"
        caption = (f"{answer.sentence()} Claims both classifiers support: {claims}. A comparison counts where its "
                   f"interval excludes zero; it is claimed only where the CNN and the logistic regression agree. "
                   f"Intervals: {loso.METHOD}.")
        blocks += [
            Block("loso", "Unseen speakers: leave-one-speaker-out" + suffix, caption,
                  partial(loso_figure.effects, run),
                  [effects_table(run, ("preset",), "Whole presets against matched"),
                   effects_table(run, ("revert",), "Kaldi's defaults (librosa's definition) with one setting reverted "
                                                   "to matched's, against Kaldi's defaults: a cost means that setting "
                                                   "carries part of the lead")],
                  "loso records"),
            Block("loso_speakers", "Accuracy per held-out speaker" + suffix,
                  "One speaker can carry a claim: each fold's accuracy, per classifier, for matched and the presets.",
                  None, [speaker_table(run)], "loso records"),
        ]
    if len(runs) > 1:
        best = loso.strongest(runs)
        blocks.append(changes_block(best, [run for run in runs if run is not best]))
    return Section("loso", "5b. Unseen speakers, leave-one-speaker-out", blocks)
