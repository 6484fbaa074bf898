"""The answer's accuracy side, as values and the sentences every rendering shares: what a library swap does to
accuracy per run (a run's own figure, never one range across runs), seeds the means should not take in without
a word (reports.seed_flags), and the unseen-speakers sentence.

    from reports.answer_accuracy import swaps_for, swap_line, flag_line
    s = swaps_for(run, order, "library_defaults", committed=[...])   # Swaps | None
    swap_line(s)          # one sentence; below intervals.MIN_SEEDS seeds "inconclusive at 2 seeds (...)" and
                          # the committed run's figure for the same swap, where one measures it

A run on synthetic data is a smoke test: its sentences say so first.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from reports import generalisation as gen
from reports import loso
from reports import skew as sk
from reports.data import Run, records, reference
from reports.intervals import MIN_SEEDS, Kind, accuracy_text
from reports.seed_flags import SeedFlag, seed_flags
from reports.skew import SwapRow

SMOKE = "Smoke test on synthetic data (not speech; the committed FSDD runs are the finding): "


@dataclass(frozen=True)
class StandIn:
    """The committed run's figure for the same swap: run (str: its label), on (str: dataset and split),
    seeds (int), swap (SwapRow)."""

    run: str
    on: str
    seeds: int
    swap: SwapRow


@dataclass(frozen=True)
class Swaps:
    """What serving a model another library's features does to accuracy, at one preset, in one run.

    Attributes: preset (str), run (str: the run's label), on (str: dataset and split), seeds (int: the most
    seeds a figure of the run has), smoke (bool: synthetic data), swaps (tuple[SwapRow, ...]: every swap with
    a paired delta), costs (tuple[SwapRow, ...]: those whose verdict is a cost), worst (SwapRow: the largest
    loss), ported (tuple[SwapRow, ...]: the `ported` swaps, features translated by features.port), stand_in
    (StandIn | None: below MIN_SEEDS seeds, a committed run's figure for the worst swap).
    """

    preset: str
    run: str
    on: str
    seeds: int
    smoke: bool
    swaps: tuple[SwapRow, ...]
    costs: tuple[SwapRow, ...]
    worst: SwapRow
    ported: tuple[SwapRow, ...] = ()
    stand_in: Optional[StandIn] = None

    @property
    def inconclusive(self) -> bool:
        """Fewer seeds than intervals.MIN_SEEDS: no swap decided either way."""
        return self.seeds < MIN_SEEDS

    @property
    def unsure_losses(self) -> tuple[SwapRow, ...]:
        """Losses on too few seeds to decide: a direction without a usable interval, neither a cost nor noise."""
        return tuple(s for s in self.swaps if s.verdict.kind in (Kind.ONE_SEED, Kind.FEW_SEEDS)
                     and s.verdict.direction < 0)


def loss_pp(s: SwapRow) -> float:
    """What the swap loses against its baseline, in pp (negative: a gain); every SwapRow of :class:`Swaps` has a
    paired delta."""
    if s.delta_pp is None:
        raise ValueError(f"{s.train}→{s.test} ({s.preset}) has no paired delta")
    return -s.delta_pp


def split_name(run: dict) -> str:
    """"fsdd, official split", or the dataset's name."""
    split = (run.get("dataset_info") or {}).get("split")
    name = (run.get("dataset_info") or {}).get("name") or run.get("dataset") or "the dataset"
    return f"{name}, {split} split" if split else str(name)


def is_smoke(run: dict) -> bool:
    """Accuracy on generated data: a check that training runs, not a finding about speech."""
    return ((run.get("dataset_info") or {}).get("name") or run.get("dataset")) == "synthetic"


def _stand_in(worst: SwapRow, committed: Sequence[Run], order: list[str]) -> Optional[StandIn]:
    for run in committed:
        if sk.n_seeds(run) < MIN_SEEDS:
            continue
        same = [s for s in sk.swap_rows(run, order) if (s.preset, s.train, s.test) == (worst.preset, worst.train,
                                                                                          worst.test)
                and s.delta_pp is not None]
        if same:
            return StandIn(run.label, split_name(run), sk.n_seeds(run), same[0])
    return None


def swaps_for(run: Run, order: list[str], preset: str, committed: Sequence[Run] = ()) -> Optional[Swaps]:
    """The run's swaps at `preset` (None where it has none with a paired delta); `committed`: runs whose figure
    stands beside an inconclusive one (bench.run passes the committed runs)."""
    every = sk.swap_rows(run, order)
    rows = [s for s in every if s.preset == preset and s.delta_pp is not None]
    if not rows:
        return None
    worst = max(rows, key=loss_pp)
    seeds = sk.n_seeds(run)
    ported = tuple(s for s in every if s.preset == "ported" and s.delta_pp is not None)
    stand_in = _stand_in(worst, committed, order) if seeds < MIN_SEEDS and loss_pp(worst) != 0 else None
    return Swaps(preset, run.label, split_name(run), seeds, is_smoke(run), tuple(rows),
                 tuple(s for s in rows if s.verdict.kind is Kind.COST), worst, ported, stand_in)


def _where(s: Swaps) -> str:
    return f" ({s.on}, {sk.seeds_phrase(s.seeds)})"


def _stand_in_text(s: Swaps) -> str:
    if s.stand_in is None:
        return " No committed run measures this swap on 3 or more seeds; run more seeds: --seeds 5."
    c = s.stand_in
    return (f" The committed run {c.run} ({c.on}, {c.seeds} seeds) measures the same swap: {c.swap.verdict}.")


def _swaps(n: int) -> str:
    """"1 swap", "12 swaps"."""
    return f"{n} swap{'' if n == 1 else 's'}"


def swap_line(s: Swaps) -> str:
    """The swap outcome of one run as one sentence (a smoke test's says so first)."""
    lead = SMOKE if s.smoke else ""
    if s.preset == "matched":
        head = f"{lead}Same settings (`matched`){_where(s)}: "
        if all(x.verdict.kind is Kind.NO_DIFFERENCE for x in s.swaps):
            return head + f"serving a model another library's features changes nothing ({_swaps(len(s.swaps))}, " \
                          f"{s.worst.verdict})."
        if s.inconclusive:
            return (head + f"worst of {len(s.swaps)} swaps trained on {s.worst.train}, served by {s.worst.test}: "
                    f"{s.worst.verdict}." + _stand_in_text(s))
        if not s.costs:
            return head + (f"serving a model another library's features costs nothing measurable "
                           f"({_swaps(len(s.swaps))}; largest change: {s.worst.verdict}).")
        return head + (f"{len(s.costs)} of {len(s.swaps)} swaps cost accuracy, up to {loss_pp(s.worst):.1f} pp "
                       f"({s.worst.train}→{s.worst.test}; {s.worst.verdict}).")
    head = f"{lead}Each library's own defaults{_where(s)}: "
    port = (f" Served features translated by features.port instead, the {len(s.ported)} ported models lose at most "
            f"{max(0.0, max(loss_pp(p) for p in s.ported)):.1f} pp"
            + (" (none beyond noise)." if all(p.verdict.quiet for p in s.ported)
               else f" ({'; '.join(p.verdict.text for p in s.ported)}).")
            if s.ported else " Port the settings, not just the call (features.port, `matched`).")
    if s.inconclusive:
        return (head + f"worst of {len(s.swaps)} swaps trained on {s.worst.train}, served by {s.worst.test}: "
                f"{s.worst.verdict}." + _stand_in_text(s) + port)
    if not s.costs:
        return head + f"no swap cost beyond noise ({_swaps(len(s.swaps))})." + port
    lo, worst = min(loss_pp(c) for c in s.costs), max(s.costs, key=loss_pp)
    return (head + f"{len(s.costs)} of {len(s.swaps)} swaps cost accuracy, {lo:.0f} to {loss_pp(worst):.0f} pp "
            f"(worst: trained on {worst.train}, served by {worst.test}, {worst.verdict})." + port)


def flags_of(runs: list[Run]) -> tuple[tuple[str, SeedFlag], ...]:
    """(run label, flag) for every seed reports.seed_flags flags in `runs`."""
    return tuple((run.label, f) for run in runs for f in seed_flags(records(run, "accuracy")))


def flag_line(flags: tuple[tuple[str, SeedFlag], ...], shown: int = 3) -> str:
    """One sentence naming the flagged seeds (at most `shown`, then how many more); "" where none."""
    if not flags:
        return ""

    def one(run: str, f: SeedFlag) -> str:
        why = []
        if f.stopped_early:
            why.append(f"stopped early at {f.epochs} of {f.max_epochs} epochs" if f.epochs and f.max_epochs
                       else "stopped early")
        if f.far_below and f.below_pp is not None:
            why.append(f"{f.below_pp:.1f} pp below its {f.siblings} siblings' median")
        return (f"{f.train_backend}→{f.test_backend} ({f.preset}) seed {f.seed}, {run}: "
                f"{100 * f.test_accuracy:.1f} %, {' and '.join(why)}")

    trainings: dict[tuple, tuple[str, SeedFlag]] = {}      # one per trained model: serving it elsewhere repeats it
    for run, f in flags:
        trainings.setdefault((run, f.preset, f.train_backend, f.seed), (run, f))
    ranked = sorted(trainings.values(), key=lambda rf: (not rf[1].far_below, rf[1].epochs or 0))
    more = len(ranked) - shown
    return (f"Flagged seeds ({len(ranked)} trainings), kept in the means above: "
            + "; ".join(one(r, f) for r, f in ranked[:shown])
            + (f"; and {more} more (the report's accuracy section)." if more > 0 else "."))


def speakers_line(runs: list[Run], order: list[str]) -> str:
    """The unseen-speakers sentence over `runs`: from a leave-one-speaker-out run where one is given (six
    folds stand behind it; reports.loso.strongest picks one where several have it), else from a speaker-held-out
    split."""
    loso_answer = loso.answer(runs)
    if loso_answer is not None:
        return loso_answer.sentence()
    held_out = [run for run in runs if (run.get("dataset_info") or {}).get("split") == "speakers"]
    if not held_out:
        official = [run for run in runs if (run.get("dataset_info") or {}).get("split") == "official"]
        if official:
            return ("Unseen speakers: not measured; FSDD's official split shares speakers between train and test "
                    "and sits at ceiling, so run `--split speakers` to separate feature choices.")
        return "Unseen speakers: not measured (the speaker-held-out split of FSDD answers it: `--split speakers`)."
    studied = [run for run in held_out if gen.has_study(run)]
    base = gen.baseline(studied[0]) if studied else None
    if base is not None:
        run = studied[0]
        return f"Unseen speakers ({split_name(run)}, matched {accuracy_text(base)}): " + gen.advice(run, lead="")
    run = held_out[0]
    rows = sk.accuracy_rows(run, order)
    if not rows:
        return "Unseen speakers: the speaker-held-out run has no accuracy records."
    best = max(rows, key=lambda r: r.accuracy)
    ref = next((r for r in rows if r.backend == reference(run)), None)
    ref_text = f" against {ref.backend} ({ref.preset}) {accuracy_text(ref.interval)}" if ref else ""
    verdict = best.verdict if best is not ref and best.diff is not None else ""
    definition = f", {best.definition} definition" if best.definition not in (None, reference(run)) else ""
    return (f"Unseen speakers ({split_name(run)}): {best.backend} ({best.preset}{definition}) scored highest, "
            f"{accuracy_text(best.interval)}{ref_text}" + (f"; {verdict}" if verdict else "") + ".")
