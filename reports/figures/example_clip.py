"""One real clip: each backend's MFCC image (as stored in results["example_clip"])."""

from __future__ import annotations

import os

import matplotlib.pyplot as plt
import numpy as np

from reports.figures.style import WIDTH, finish


def draw(run: dict, order: list[str]):
    clip = run.get("example_clip")
    if not isinstance(clip, dict):
        return None
    mats = []
    for name in order:
        try:
            m = np.asarray(clip.get(name), dtype=float)
        except (TypeError, ValueError):
            continue
        if m.ndim == 2 and m.size:
            mats.append((name, m))
    if not mats:
        return None
    rest = np.concatenate([m[1:].ravel() if len(m) > 1 else m.ravel() for _, m in mats])
    vmin, vmax = np.percentile(rest, [1, 99])
    fig, axes = plt.subplots(1, len(mats), figsize=(WIDTH, 3.2), squeeze=False)
    for ax, (name, m) in zip(axes[0], mats):
        im = ax.imshow(m, origin="lower", aspect="auto", cmap="coolwarm", vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_title(f"{name} {m.shape[0]}×{m.shape[1]}")
        ax.set_xlabel("frame")
        ax.set_ylabel("coefficient")
        ax.grid(False)
    fig.colorbar(im, ax=axes.ravel().tolist(), label="MFCC value (c0 saturates)", extend="both")
    fig.suptitle(f"{os.path.basename(str(clip.get('file') or 'clip'))}, preset {clip.get('preset', '?')}")
    return finish(fig)
