"""Agreement as a matrix: backend (rows) x preset (columns), relative error against the reference;
backends of another MFCC definition are marked "≠ def." (a distance, not an error)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from reports.data import frame, reference
from reports.figures.style import EMPTY, SMALL, WIDTH, finish


def matrix(run: dict, order: list[str]):
    """(rows, presets, values, different) where rows are "backend vs reference" names."""
    df = frame(run, "agreement")
    if df.empty:
        return [], [], None, None
    ref = reference(run)
    df = df.assign(_cpu=df["device"].fillna("cpu") != "cpu").sort_values("_cpu")
    df = df.drop_duplicates(["backend", "reference", "preset"])
    df["row"] = [f"{b} vs {r}" for b, r in zip(df["backend"], df["reference"])]
    df["_o"] = [(r != ref, order.index(b) if b in order else 99) for b, r in zip(df["backend"], df["reference"])]
    df = df[df["rel_error"].notna()]                  # a row or column of n/a only is not drawn
    rows = list(dict.fromkeys(df.sort_values("_o")["row"]))
    presets = list(dict.fromkeys(df["preset"]))
    presets.sort(key=lambda p: p != "matched")
    vals = np.full((len(rows), len(presets)), np.nan)
    diff = np.zeros_like(vals, dtype=bool)
    for r in df.to_dict("records"):
        i, j = rows.index(r["row"]), presets.index(r["preset"])
        vals[i, j] = r["rel_error"]
        ref_def = (run.get("backend_info") or {}).get(r["reference"], {}).get("definition")
        diff[i, j] = bool(r.get("definition")) and bool(ref_def) and r["definition"] != ref_def
    return rows, presets, vals, diff


def draw(run: dict, order: list[str]):
    rows, presets, vals, diff = matrix(run, order)
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(WIDTH, 1.8 + 0.55 * len(rows)))
    pos = vals[vals > 0]
    norm = LogNorm(vmin=max(pos.min(), 1e-9), vmax=max(pos.max(), 1e-8)) if pos.size else None
    cmap = plt.get_cmap("viridis_r").with_extremes(bad=EMPTY)   # not run: grey, never a colour of the scale
    floor = float(norm.vmin) if norm is not None and norm.vmin is not None else np.nan   # exact zero: the smallest colour
    ax.imshow(np.ma.masked_invalid(np.where(vals > 0, vals, np.where(vals == 0, floor, np.nan))), cmap=cmap,
              norm=norm, aspect="auto")
    for (i, j), v in np.ndenumerate(vals):
        text = "\u2014" if math.isnan(v) else ("0" if v == 0 else f"{v:.1e}".replace("e-0", "e-").replace("e+0", "e"))
        if diff[i, j]:
            text += "\n≠ def."
        ax.text(j, i, text, ha="center", va="center", fontsize=SMALL,
                color="#444" if math.isnan(v) else "black" if (v == 0 or (norm and norm(v) < 0.5)) else "white")
    ax.set_xticks(range(len(presets)), presets, rotation=30, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(rows)), rows)
    ax.grid(False)
    ax.set_xlabel("preset; colour: light = small error, dark = large (log); grey \u2014: not run")
    ax.set_title(f"Relative error against {reference(run)}; ≠ def.: another MFCC definition (a distance)")
    return finish(fig)
