"""Accuracy for the committed version matrix (reports/results/cpu-intel-xeon-2core-versions/): models trained on the
locked stack's librosa features (the only library whose features any combination changed), 5 epochs, seeds 0-2,
matched first then defaults, each served every combination's features (bench.versions.driver.accuracy, one
preset and seed at a time so that each finished training is kept: the machine was shared with four other jobs)."""
import builtins, json, sys, time
from pathlib import Path
sys.path.insert(0, "/work/snap-versions")
from bench.versions import driver as d
from bench.versions.combos import MATRIX
from model.datasets import load_splits
out = Path("/work/h33-run")
d.LIBRARIES = ("librosa",)
splits = load_splits("fsdd", data_dir="/work/shared/data/fsdd", split="official", sample_rate=16000)
rows, t = [], time.time()
for preset in ("matched", "defaults"):
    d.PRESETS = (preset,)
    for seed in range(3):
        # one seed: accuracy() trains seeds range(n); its module's `range` is pointed at this seed alone
        d.range = lambda n, s=seed: builtins.range(s, s + 1)
        try:
            new = d.accuracy(splits, {c.name: out / "features" / c.name for c in MATRIX}, seeds=1, epochs=5,
                             cache_dir=out / "cache")
        finally:
            del d.range
        rows += new
        (out / "accuracy-librosa.json").write_text(json.dumps(dict(rows=rows, seeds=len({r["seed"] for r in rows}),
                                                                  epochs=5, libraries=["librosa"],
                                                                  minutes=(time.time() - t) / 60), indent=1) + "\n")
        print("kept", preset, seed, flush=True)
