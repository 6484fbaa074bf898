"""The generalisation study read back (bench/measurements/generalisation.py): each setting's effect on
held-out-speaker accuracy against `matched`, paired over seeds and ranked; the best combination on fresh
seeds; what explains the Kaldi and torchaudio-defaults leads; and one sentence of advice.

    effects(run)        # list[Effect], largest gain first (single settings and whole presets)
    confirmation(run)   # Confirmation | None: the combination against matched on seeds the screen never used
    leads(run)          # list[str]: Kaldi's and torchaudio's defaults against matched, and what accounts for it
    advice(run)         # str: "For unseen speakers, ... help; ... cost; the other N are within noise."
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from reports import intervals as iv
from reports.data import records
from reports.records import Generalisation

BASELINE = "matched"
NOT_TRAINED = ("Natural log against dB is not trained: the dB MFCC is 10/ln 10 times the natural-log one, and the "
               "classifier's per-coefficient standardisation removes any constant factor, so the network sees the "
               "same numbers.")


@dataclass
class Effect:
    """One setting against `matched` over the screen's seeds."""

    setting: str
    group: str
    toward: str
    accuracy: iv.Interval
    diff: Optional[iv.Interval]
    verdict: iv.Verdict
    preset: str = BASELINE
    backend: str = ""
    seeds: dict = field(default_factory=dict)     # {seed: test accuracy}

    @property
    def towards(self) -> list[str]:
        return [t for t in self.toward.split(",") if t]

    @property
    def gain_pp(self) -> float:
        return -1e9 if self.diff is None else self.diff.mean * 100


@dataclass
class Confirmation:
    """The best combination and `matched` on fresh seeds."""

    setting: str
    rule: str
    baseline: iv.Interval
    combination: iv.Interval
    diff: Optional[iv.Interval]
    verdict: iv.Verdict


def _by_setting(recs: Iterable[Generalisation], phase: str) -> dict[str, list[Generalisation]]:
    out: dict[str, list[Generalisation]] = {}
    for r in recs:
        if r.phase == phase:
            out.setdefault(r.setting, []).append(r)
    return out


def _seeds(recs: list[Generalisation]) -> dict[int, float]:
    return {int(r.seed): r.test_accuracy for r in recs}


def has_study(run: dict) -> bool:
    return BASELINE in _by_setting(records(run, "generalisation"), "screen")


def baseline(run: dict) -> Optional[iv.Interval]:
    recs = _by_setting(records(run, "generalisation"), "screen").get(BASELINE)
    return iv.mean_interval((r.test_accuracy for r in recs), iv.ACCURACY) if recs else None


def effects(run: dict) -> list[Effect]:
    """Every screened setting of the run but the baseline, with its paired difference from `matched`, largest
    gain first (see :func:`effects_of`)."""
    return effects_of(records(run, "generalisation"))


def effects_of(recs: Iterable[Generalisation]) -> list[Effect]:
    """Every screened setting in ``recs`` (generalisation records) but the baseline, with its paired difference
    from `matched`, largest gain first."""
    groups = _by_setting(recs, "screen")
    base = _seeds(groups.get(BASELINE, []))
    out = []
    for name, group in groups.items():
        if name == BASELINE:
            continue
        diff = iv.paired(_seeds(group), base)
        first = group[0]
        out.append(Effect(name, first.group or "", first.toward or "",
                          iv.mean_interval((r.test_accuracy for r in group), iv.ACCURACY), diff, iv.verdict(diff, "gains", "costs"),
                          first.preset or BASELINE, first.backend or "", _seeds(group)))
    return sorted(out, key=lambda e: -e.gain_pp)


def confirmation(run: dict) -> Optional[Confirmation]:
    groups = _by_setting(records(run, "generalisation"), "confirm")
    combos = [name for name in groups if name != BASELINE]
    if not combos or BASELINE not in groups:
        return None
    name = combos[0]
    diff = iv.paired(_seeds(groups[name]), _seeds(groups[BASELINE]))
    return Confirmation(name, groups[name][0].rule or "",
                        iv.mean_interval((r.test_accuracy for r in groups[BASELINE]), iv.ACCURACY),
                        iv.mean_interval((r.test_accuracy for r in groups[name]), iv.ACCURACY), diff,
                        iv.verdict(diff, "gains", "costs"))


def _named(items: list[Effect], limit: int = 4) -> str:
    shown = [f"{e.setting} ({e.diff.mean * 100:+.1f} pp)" for e in items[:limit]]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]) + more if shown else ""


def advice(run: dict, *, lead: str = "For unseen speakers, starting from `matched`, ") -> str:
    """Plain sentences from the ranked effects: which single settings help or cost, whether the best combination
    held on fresh seeds, and which whole presets gain on `matched`. ``lead`` opens the ranking's sentence (the
    answer box, which names unseen speakers and `matched` itself, passes "")."""
    every = effects(run)
    singles = [e for e in every if e.group != "preset" and e.diff is not None]
    if not singles:
        return ""
    n = max(e.diff.n for e in singles)
    if n < 2:
        return (f"For unseen speakers: {len(singles)} settings each trained on one seed, so none can be told from "
                "training noise (run more seeds: --seeds 5).")
    helps = [e for e in singles if e.diff.above_zero()]
    hurts = sorted((e for e in singles if e.diff.below_zero()), key=lambda e: e.gain_pp)
    rest = len(singles) - len(helps) - len(hurts)
    parts = []
    if helps:
        parts.append(f"{_named(helps)} help{'s' if len(helps) == 1 else ''}")
    if hurts:
        parts.append(f"{_named(hurts)} cost{'s' if len(hurts) == 1 else ''} accuracy")
    if rest:
        parts.append(f"{'the other' if parts else 'all'} {rest} setting{'s' if rest > 1 else ''} "
                     f"{'are' if rest > 1 else 'is'} within noise at {n} seeds")
    text = lead + "one setting at a time: " + "; ".join(parts) + "."
    c = confirmation(run)
    if c is not None:
        held = c.diff is not None and c.diff.above_zero()
        text += (f" On {c.diff.n if c.diff else 0} fresh seeds the best combination ({c.setting}) "
                 + ("held: " if held else "did not hold: ") + c.verdict.text + ".")
    wins = [e for e in every if e.group == "preset" and e.diff is not None and e.diff.above_zero()]
    if wins:
        text += " Whole presets that gain: " + "; ".join(f"{e.setting} {e.diff.mean * 100:+.1f} pp" for e in wins) + "."
    return text


def _lead(whole: Effect, every: list[Effect]) -> str:
    """A whole preset against matched, the same preset computed another way, and the single settings that move
    toward its library's defaults on their own."""
    text = f"{whole.setting} against matched: {whole.verdict}."
    if not whole.diff.excludes_zero():
        return text + " No lead to explain at these seeds."
    twins = [e for e in every if e.group == "preset" and e.preset == whole.preset and e is not whole and e.diff]
    text += "".join(f" {t.setting}: {t.verdict}; computed that way against {whole.setting}: "
                    f"{iv.verdict(iv.paired(t.seeds, whole.seeds), 'gains', 'costs')}." for t in twins)
    singles = [e for e in every if e.group != "preset" and set(e.towards) & set(whole.towards) and e.diff is not None]
    helps = [e for e in singles if e.diff.above_zero()]
    if helps:
        text += f" Alone, {_named(helps)} move{'s' if len(helps) == 1 else ''} toward it."
    else:
        text += (f" None of the {len(singles)} settings toward {' and '.join(whole.towards)}'s defaults helps alone "
                 "beyond noise: the lead stays unexplained by any one setting (it may need them together).")
    return text


def leads(run: dict) -> list[str]:
    """Each whole preset against matched (one line per preset, from its best-scoring computation), with the same
    preset computed another way and the single settings that move toward it."""
    every = effects(run)
    seen, out = set(), []
    for e in every:
        if e.group == "preset" and e.diff is not None and e.preset not in seen:
            seen.add(e.preset)
            out.append(_lead(e, every))
    return out
