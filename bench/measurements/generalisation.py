"""Which MFCC settings carry over to speakers the model never heard: `matched` changed one setting at a time
(bench/measurements/support/study_settings.py), each trained on the same seeds, then the best combination tested on fresh seeds.

    python -m bench.run --profile generalisation --dataset fsdd --split speakers   # make bench-generalisation

Two phases, one record per training:
- "screen": every setting of bench.measurements.support.study_settings.SETTINGS on seeds 0..n-1. The seeds go round the
  settings (seed 0 for every setting, then seed 1, ...), so a run stopped by its deadline keeps every
  setting on the same, fewer, seeds.
- "confirm": the best combination (per group, the setting whose paired gain over `matched` is largest;
  those whose 95% interval is above zero, else the three largest positive means, the rule recorded) and
  `matched` again, on seeds CONFIRM_SEED0.. that the screen never used, so the gain is not the one it
  was chosen on.
The splits stay fixed across seeds (the seed sets initialisation, batch order and augmentation); the
report pairs seeds to compare (reports/intervals.py). Extraction is untimed here: measurements/accuracy
and throughput time it.
"""
from __future__ import annotations

import time

from tqdm.auto import tqdm

from reports.records import Generalisation

from .support import study_settings as study
from ..grid import Sizes

NAME = "generalisation"
TABLES = ("generalisation",)
NEEDS_DATA = True
EPOCHS = Sizes(small=10, full=30)
CONFIRM_SEED0 = 1000


def train_setting(ctx, setting: study.Setting, seed: int, phase: str, epochs: int, rule: str = "") -> Generalisation:
    """One training of `setting` at `seed`, scored on the test split: one record."""
    from model.train import train_and_evaluate

    keep = dict(sample_rate=ctx.cfg.sample_rate, sample_size=ctx.cfg.sample_size)
    cfg = setting.config(**keep)
    _, m = train_and_evaluate(backend=setting.backend, cfg=cfg, splits=ctx.splits,
                              device=ctx.options.train_device, epochs=epochs, seed=seed,
                              cache_dir=False, progress=False, cmvn=setting.cmvn)
    return Generalisation(phase=phase, setting=setting.name, group=setting.group, toward=",".join(setting.toward),
                changes=", ".join(f"{k}={v}" for k, v in setting.changes.items()) or (setting.preset or ""),
                cmvn=setting.cmvn, backend=setting.backend, preset=setting.preset or study.BASELINE,
                config=cfg.hash(), seed=seed, split=ctx.options.split, test_accuracy=m["test_accuracy"],
                val_accuracy=m["val_accuracy"], epochs=m["epochs"], best_epoch=m["best_epoch"],
                n_train=m["n_train"], n_test=m["n_test"], train_seconds=m["train_seconds"], rule=rule)


def best_combination(rows: list[Generalisation]) -> tuple[study.Setting | None, str]:
    """The combination to confirm from the screen's records, ranked as the report ranks them
    (reports.generalisation.effects_of: paired gain over `matched`), and the rule that chose it."""
    from reports.generalisation import effects_of

    singles = {s.name: s for s in study.SINGLE}
    best_per_group: dict[str, tuple] = {}
    for e in effects_of(rows):                                              # largest gain first
        if e.setting in singles and e.diff is not None and e.diff.mean > 0:
            best_per_group.setdefault(e.group, (e.diff, singles[e.setting]))
    ranked = list(best_per_group.values())
    sure = [s for d, s in ranked if d.above_zero()]
    if sure:
        chosen, rule = sure, "every group's best setting whose 95% interval over matched is above zero"
    else:
        chosen, rule = [s for _, s in ranked[:3]], "no interval above zero: the three largest positive mean gains"
    if not chosen:
        return None, "no setting gained on matched"
    return study.combine(chosen), rule


def run(ctx) -> dict:
    n_seeds = ctx.options.seeds
    epochs = ctx.options.epochs or EPOCHS.pick(ctx.small)
    deadline = ctx.options.deadline
    rows = []
    total = n_seeds * (len(study.SETTINGS) + 2)
    bar = tqdm(total=total, desc="generalisation", unit="training", leave=False)
    start = time.perf_counter()
    for seed in range(n_seeds):
        for setting in study.SETTINGS:
            if deadline is not None and time.monotonic() > deadline:
                ctx.progress(f"generalisation: deadline reached after {len(rows)} trainings; stopping")
                bar.close()
                return {"generalisation": rows}
            bar.set_postfix_str(f"seed {seed}: {setting.name}")
            rows.append(train_setting(ctx, setting, seed, "screen", epochs))
            bar.update()
    combo, rule = best_combination(rows)
    ctx.progress(f"generalisation: screen done in {time.perf_counter() - start:.0f} s; confirming "
                 f"{combo.name if combo else 'nothing'} ({rule})")
    if combo is not None:
        for seed in range(CONFIRM_SEED0, CONFIRM_SEED0 + n_seeds):
            for setting in (study.BASE, combo):
                if deadline is not None and time.monotonic() > deadline:
                    break
                bar.set_postfix_str(f"confirm seed {seed}: {setting.name}")
                rows.append(train_setting(ctx, setting, seed, "confirm", epochs, rule))
                bar.update()
    bar.close()
    return {"generalisation": rows}
