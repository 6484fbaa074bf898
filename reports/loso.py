"""The leave-one-speaker-out study read back (bench/measurements/loso.py): accuracy per setting and classifier
over the speaker folds, the presets against `matched`, Kaldi's defaults with one setting reverted against
Kaldi's defaults, per-speaker accuracy, and the claims both classifiers support.

The unit is the speaker fold: within a fold the seeds are averaged (a comparison is taken seed by seed on the
seeds both sides have, then averaged), and the interval is Student's t over the folds (n - 1 degrees of
freedom). Which speaker is held out is then inside every interval, which seeds alone never put there.

    effects(run, "cnn")        # list[Effect], largest gain first, presets against matched, reverts against Kaldi's
    per_speaker(run)           # list[SpeakerRow]: each held-out speaker's accuracy per classifier and setting
    claims(run)                # list[Claim]: the comparisons both classifiers call the same way
    unseen_speakers(run)       # UnseenSpeakers | None: the answer as a value (numbers, speakers, folds, seeds)
    strongest(runs)            # the run the answer comes from where several have the study
    answer(runs)               # unseen_speakers(strongest(runs)), None where no run has the study
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

from reports import intervals as iv
from reports.data import records

TABLE = "loso"
BASELINE = "matched"
KALDI = "kaldi_defaults"
KALDI_REFERENCE = "kaldi_defaults (librosa's definition)"
CLASSIFIERS = ("cnn", "logreg")
CLASSIFIER_NAMES = {"cnn": "CNN", "logreg": "logistic regression"}
METHOD = "95% Student-t interval over the speaker folds (seeds averaged within a fold; paired by fold and seed)"
MIN_SEEDS = 3       # a run with fewer CNN seeds on some fold answers only where no run has this many


def _accuracies(run: dict, classifier: str) -> dict[str, dict[str, dict[int, float]]]:
    """{setting: {fold: {seed: test accuracy}}} of one classifier."""
    out: dict = {}
    for r in records(run, TABLE):
        if r.classifier == classifier:
            out.setdefault(r.setting, {}).setdefault(r.fold, {})[int(r.seed)] = r.test_accuracy
    return out


def _groups(run: dict) -> dict[str, str]:
    return {r.setting: r.group or "" for r in records(run, TABLE)}


def fold_means(by_fold: dict[str, dict[int, float]]) -> dict[str, float]:
    """{fold: mean over its seeds}."""
    return {f: sum(s.values()) / len(s) for f, s in by_fold.items() if s}


def paired_by_fold(a: dict, b: dict) -> tuple[Optional[iv.Interval], dict[str, float]]:
    """a - b, seed by seed on the seeds both have within each fold, averaged per fold; the interval over the folds
    both have, and {fold: mean difference}. (None, {}) where they share no fold and seed."""
    per_fold = {}
    for f in sorted(set(a) & set(b)):
        common = sorted(set(a[f]) & set(b[f]))
        if common:
            per_fold[f] = sum(a[f][s] - b[f][s] for s in common) / len(common)
    return (iv.mean_interval(per_fold.values()) if per_fold else None), per_fold


def fold_verdict(diff: Optional[iv.Interval], up: str = "gains", down: str = "costs") -> str:
    """A comparison over folds in words, as reports.intervals.verdict says it over seeds."""
    if diff is None:
        return "no paired folds"
    if diff.low is None:
        return f"{up if diff.mean > 0 else down} {abs(diff.mean) * 100:.1f} pp (1 fold, no interval)"
    ci = f"95% CI {diff.low * 100:+.1f} to {diff.high * 100:+.1f} pp, {diff.n} folds"
    if diff.low == diff.high == diff.mean == 0:
        return f"no difference (0.0 pp on each of {diff.n} folds)"
    if not diff.excludes_zero():
        return f"within noise ({ci})"
    return f"{up if diff.mean > 0 else down} {abs(diff.mean) * 100:.1f} pp ({ci})"


@dataclass(frozen=True)
class Effect:
    """One setting against its reference (`matched` for the presets, Kaldi's defaults for a revert), one classifier.

    accuracy: over folds; diff: the paired difference over folds (None where nothing pairs); per_fold: {speaker:
    mean difference}; seeds: the most seeds any fold has."""

    setting: str
    group: str
    against: str
    classifier: str
    accuracy: iv.Interval
    diff: Optional[iv.Interval]
    verdict: str
    per_fold: dict = field(default_factory=dict)
    seeds: int = 0

    @property
    def gain_pp(self) -> float:
        return -1e9 if self.diff is None else self.diff.mean * 100


def reference_of(setting: str, group: str) -> str:
    """What a setting is compared with: Kaldi's defaults (librosa's definition) for a revert, else matched."""
    return KALDI_REFERENCE if group == "revert" else BASELINE


def has_study(run: dict) -> bool:
    return any(r.setting == BASELINE for r in records(run, TABLE))


def accuracy(run: dict, classifier: str, setting: str) -> Optional[iv.Interval]:
    """The setting's accuracy over the folds (each fold the mean of its seeds)."""
    by_fold = _accuracies(run, classifier).get(setting)
    means = fold_means(by_fold or {})
    return iv.mean_interval(means.values()) if means else None


def effects(run: dict, classifier: str) -> list[Effect]:
    """Every setting but the baseline against its reference (see `reference_of`), largest gain first."""
    acc, groups = _accuracies(run, classifier), _groups(run)
    out = []
    for name, by_fold in acc.items():
        if name == BASELINE:
            continue
        against = reference_of(name, groups.get(name, ""))
        diff, per_fold = paired_by_fold(by_fold, acc.get(against, {}))
        out.append(Effect(name, groups.get(name, ""), against, classifier, iv.mean_interval(fold_means(by_fold).values()),
                          diff, fold_verdict(diff), per_fold, max(map(len, by_fold.values()))))
    return sorted(out, key=lambda e: -e.gain_pp)


@dataclass(frozen=True)
class Claim:
    """A comparison both classifiers call the same way: `direction` "gains" or "costs", each one's interval."""

    setting: str
    against: str
    direction: str
    diffs: dict            # {classifier: Interval}

    def text(self) -> str:
        each = "; ".join(f"{CLASSIFIER_NAMES[c]} {d.mean * 100:+.1f} pp ({d.low * 100:+.1f} to {d.high * 100:+.1f})"
                         for c, d in self.diffs.items())
        return f"{self.setting} {self.direction} against {self.against} ({each})"


def claims(run: dict) -> list[Claim]:
    """The comparisons whose interval excludes zero, in the same direction, for every classifier of the run."""
    present = [c for c in CLASSIFIERS if _accuracies(run, c)]
    if not present:
        return []
    by_clf = {c: {e.setting: e for e in effects(run, c)} for c in present}
    out = []
    for e in effects(run, present[0]):
        mine = [by_clf[c].get(e.setting) for c in present]
        if any(m is None or m.diff is None for m in mine):
            continue
        if all(m.diff.above_zero() for m in mine) or all(m.diff.below_zero() for m in mine):
            out.append(Claim(e.setting, e.against, "gains" if e.diff.mean > 0 else "costs",
                             {c: m.diff for c, m in zip(present, mine)}))
    return out


@dataclass(frozen=True)
class SpeakerRow:
    """One held-out speaker: {(classifier, setting): accuracy, the mean over the fold's seeds}."""

    speaker: str
    accuracy: dict


def per_speaker(run: dict, settings: Optional[list[str]] = None) -> list[SpeakerRow]:
    """Each held-out speaker's accuracy per classifier and setting (default: the baseline and the presets)."""
    groups = _groups(run)
    chosen = settings or [s for s, g in groups.items() if g in ("baseline", "preset")]
    table: dict = {}
    for c in CLASSIFIERS:
        acc = _accuracies(run, c)
        for s in chosen:
            for fold, mean in fold_means(acc.get(s, {})).items():
                table.setdefault(fold, {})[(c, s)] = mean
    return [SpeakerRow(f, table[f]) for f in sorted(table)]


def seeds_text(fewest: int, most: int) -> str:
    """"3 seeds", "1 seed", or "1 to 2 seeds" where a run stopped by its deadline left folds uneven."""
    n = f"{most}" if fewest == most else f"{fewest} to {most}"
    return f"{n} seed{'s' if most > 1 else ''}"


@dataclass(frozen=True)
class UnseenSpeakers:
    """The unseen-speakers answer from a leave-one-speaker-out run, as values.

    Attributes:
        speakers (tuple[str]): the held-out speakers (one fold each). folds (int): how many.
        seeds (dict): {classifier: (fewest, most) seeds any setting has on a fold}. classifiers (tuple[str]): those the run trained.
        epochs (int | None): the most epochs any CNN training ran. last_epoch_best (float | None): the share of CNN
            trainings whose best validation epoch was the last they ran (near 1: the CNN was still learning when stopped).
        baseline (dict): {classifier: Interval} matched's accuracy over the folds.
        kaldi (dict): {classifier: [Effect]} Kaldi's defaults against matched, in each definition.
        kaldi_lead_survives (bool): Kaldi's defaults, in at least one definition, gain on matched with an interval
            above zero for every classifier.
        carriers (tuple[str]): the fields whose revert costs against Kaldi's defaults for every classifier (the
            settings that carry the lead); empty where none does on its own.
        claims (tuple[Claim]): every comparison both classifiers support.
        method (str): how the intervals are taken.
    """

    speakers: tuple
    folds: int
    seeds: dict
    classifiers: tuple
    baseline: dict
    kaldi: dict
    kaldi_lead_survives: bool
    carriers: tuple
    claims: tuple
    epochs: Optional[int] = None
    last_epoch_best: Optional[float] = None
    method: str = METHOD

    def sentence(self) -> str:
        """One line for the README and the answer box."""
        seeds = ", ".join(f"{CLASSIFIER_NAMES[c]} {seeds_text(*n)} per fold" for c, n in self.seeds.items())
        if self.epochs is not None and self.last_epoch_best is not None:
            seeds += (f"; the CNN trained up to {self.epochs} epochs, its best epoch the last it ran in "
                      f"{self.last_epoch_best * 100:.0f} % of trainings")
        head = (f"On unseen speakers (leave-one-speaker-out: {self.folds} folds, each of {len(self.speakers)} speakers "
                f"held out once; {seeds}): ")
        leads = []
        for c in self.classifiers:
            leads += [f"{e.setting} {fold_verdict(e.diff)} with the {CLASSIFIER_NAMES[c]}" for e in self.kaldi.get(c, [])]
        if self.kaldi_lead_survives:
            verdict = "Kaldi's defaults beat matched for both classifiers"
            verdict += (f"; reverting {', '.join(self.carriers)} alone loses the lead for both" if self.carriers
                        else "; no single setting, reverted alone, costs both classifiers accuracy")
        else:
            verdict = "the Kaldi lead is not supported by both classifiers over the folds"
        return head + verdict + " (" + "; ".join(leads) + ")."


def unseen_speakers(run: dict) -> Optional[UnseenSpeakers]:
    """The answer a LOSO run gives, or None where the run has no LOSO study."""
    if not has_study(run):
        return None
    present = tuple(c for c in CLASSIFIERS if _accuracies(run, c))
    folds = sorted({r.fold for r in records(run, TABLE)})
    counts = {c: [len(s) for by in _accuracies(run, c).values() for s in by.values()] for c in present}
    seeds = {c: (min(n), max(n)) for c, n in counts.items()}
    every = {c: effects(run, c) for c in present}
    kaldi = {c: [e for e in every[c] if e.group == "preset" and e.setting.startswith(KALDI)] for c in present}
    names = {e.setting for c in present for e in kaldi[c]}
    survives = any(all(any(e.setting == n and e.diff is not None and e.diff.above_zero() for e in kaldi[c])
                       for c in present) for n in names)
    supported = tuple(claims(run))
    carriers = tuple(c.setting.split(", ", 1)[1] for c in supported if c.direction == "costs" and c.against == KALDI_REFERENCE)
    ran = [(r.epochs, r.best_epoch) for r in records(run, TABLE)
           if r.classifier == "cnn" and r.epochs is not None and r.best_epoch is not None]
    return UnseenSpeakers(tuple(folds), len(folds), seeds, present,
                          {c: accuracy(run, c, BASELINE) for c in present}, kaldi, survives, carriers, supported,
                          epochs=max(e for e, _ in ran) if ran else None,
                          last_epoch_best=sum(b >= e for e, b in ran) / len(ran) if ran else None)


def strongest(runs: Sequence[dict]) -> Optional[dict]:
    """Of the runs with the study, the one the answer comes from: first one with at least MIN_SEEDS CNN seeds on
    every fold and setting, then the longest-trained CNN, then the most seeds (the first such run on a tie)."""
    def key(run: dict) -> tuple:
        u = unseen_speakers(run)
        fewest = u.seeds.get("cnn", (0, 0))[0] if u else 0
        return (fewest >= MIN_SEEDS, (u.epochs or 0) if u else 0, fewest)
    studied = [run for run in runs if has_study(run)]
    return max(studied, key=key) if studied else None


def answer(runs: Sequence[dict]) -> Optional[UnseenSpeakers]:
    """The unseen-speakers answer of the strongest run among `runs`, or None where none has the study."""
    run = strongest(runs)
    return None if run is None else unseen_speakers(run)


def summary(run: dict) -> str:
    """The study as plain text: the answer, each classifier's ranked effects with intervals, the per-speaker
    table (what `python -m reports.loso results.json` prints)."""
    u = unseen_speakers(run)
    if u is None:
        return "no leave-one-speaker-out records in this run"
    lines = [u.sentence(), f"Intervals: {u.method}.", "Claims both classifiers support: "
             + ("; ".join(c.text() for c in u.claims) or "none") + "."]
    for c in u.classifiers:
        base = u.baseline[c]
        lines += ["", f"{CLASSIFIER_NAMES[c]} — matched {base.mean * 100:.1f} % "
                      f"({base.low * 100:.1f}–{base.high * 100:.1f}) over {base.n} folds; effects, largest gain first:"]
        lines += [f"  {e.setting:<44} against {e.against:<38} {e.verdict}" for e in effects(run, c)]
    rows = per_speaker(run)
    keys = sorted({k for r in rows for k in r.accuracy})
    lines += ["", "Accuracy per held-out speaker (mean over the fold's seeds):",
              "  " + " | ".join(["speaker"] + [f"{CLASSIFIER_NAMES[c]}: {s}" for c, s in keys])]
    lines += ["  " + " | ".join([r.speaker] + [f"{r.accuracy[k] * 100:.1f}" if k in r.accuracy else "—" for k in keys])
              for r in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    from reports.run_results import read

    for path in sys.argv[1:]:
        print(summary(read(path)[0]))
