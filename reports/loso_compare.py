"""Two leave-one-speaker-out runs side by side: which calls (gains / costs / even) hold in both, and which change.

A study's answer can depend on how it was run (the CNN's epochs, the seeds, the machine) as much as on the
features. Comparing two runs of the study, call by call, shows which effects survive that change:

    python -m reports.loso_compare A/results.json B/results.json    # one line per classifier and setting

    changes(a, b)      # list[Change]: every (classifier, setting) either run has, the calls that differ first

A call is what reports.loso's verdict decides: "gains" or "costs" where the 95% interval over the speaker folds
excludes zero, "even" where it does not, "missing" where the run has no paired folds for it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from reports import loso

CALLS = ("gains", "costs", "even", "missing")


def call(effect: Optional[loso.Effect]) -> str:
    """One of CALLS for an Effect (None: the run does not have the setting)."""
    if effect is None or effect.diff is None or effect.diff.low is None:
        return "missing"
    if effect.diff.above_zero():
        return "gains"
    return "costs" if effect.diff.below_zero() else "even"


def call_text(c: str, pp: Optional[float]) -> str:
    """A call with its mean difference: "costs -3.2 pp", or the call alone where there is none ("missing")."""
    return c if pp is None else f"{c} {pp:+.1f} pp"


@dataclass(frozen=True)
class Change:
    """One setting against its reference, one classifier, in two runs: each run's call and mean difference (pp,
    None where missing)."""

    classifier: str
    setting: str
    against: str
    before: str
    after: str
    before_pp: Optional[float]
    after_pp: Optional[float]

    @property
    def same(self) -> bool:
        return self.before == self.after

    def text(self) -> str:
        side = call_text
        word = "same" if self.same else "CHANGED"
        return (f"{word:<8}{loso.CLASSIFIER_NAMES[self.classifier]:<20} {self.setting:<44} "
                f"{side(self.before, self.before_pp):<18} -> {side(self.after, self.after_pp)}")


def _pp(effect: Optional[loso.Effect]) -> Optional[float]:
    return None if effect is None or call(effect) == "missing" else effect.gain_pp


def changes(a: dict, b: dict) -> list[Change]:
    """Every (classifier, setting) with an effect in `a` or `b`: the calls that differ first, then by classifier
    and by `a`'s mean difference, largest gain first."""
    out = []
    for clf in loso.CLASSIFIERS:
        ea = {e.setting: e for e in loso.effects(a, clf)}
        eb = {e.setting: e for e in loso.effects(b, clf)}
        for name in sorted(set(ea) | set(eb)):
            x, y = ea.get(name), eb.get(name)
            against = (x.against if x is not None else y.against if y is not None else "")
            out.append(Change(clf, name, against, call(x), call(y), _pp(x), _pp(y)))
    order = {c: i for i, c in enumerate(loso.CLASSIFIERS)}
    return sorted(out, key=lambda c: (c.same, order[c.classifier], -(c.before_pp if c.before_pp is not None else -1e9)))


def how_run(run: dict) -> str:
    """How a run trained: "CNN 8 epochs, 3 seeds per fold; logistic regression 1 seed per fold"."""
    u = loso.unseen_speakers(run)
    if u is None:
        return "no leave-one-speaker-out records"
    parts = [f"{loso.CLASSIFIER_NAMES[c]}{'' if c != 'cnn' or u.epochs is None else f' {u.epochs} epochs,'} "
             f"{loso.seeds_text(*n)} per fold" for c, n in u.seeds.items()]
    return "; ".join(parts)


def text(a: dict, b: dict, names: tuple[str, str] = ("A", "B")) -> str:
    """The comparison as plain text (what `python -m reports.loso_compare A B` prints)."""
    rows = changes(a, b)
    n_changed = sum(not r.same for r in rows)
    head = [f"A: {names[0]}: {how_run(a)}", f"B: {names[1]}: {how_run(b)}",
            f"{n_changed} of {len(rows)} calls change between A and B (gains/costs: the 95% interval over the "
            "speaker folds excludes zero; even: it does not)", ""]
    return "\n".join(head + [r.text() for r in rows])


if __name__ == "__main__":
    import sys

    from reports.data import run_label
    from reports.run_results import read

    if len(sys.argv) != 3:
        sys.exit("usage: python -m reports.loso_compare A/results.json B/results.json")
    runs = [read(p)[0] for p in sys.argv[1:]]
    missing = [p for p, r in zip(sys.argv[1:], runs) if not loso.has_study(r)]
    if missing:
        sys.exit(f"no leave-one-speaker-out records in {', '.join(missing)}")
    a_name, b_name = (f"{run_label(r)} ({p})" for r, p in zip(runs, sys.argv[1:]))
    print(text(runs[0], runs[1], (a_name, b_name)))
