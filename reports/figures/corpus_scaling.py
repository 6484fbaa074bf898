"""Corpus throughput against workers (audio hours per wall hour), per backend, device and engine."""

from __future__ import annotations

import matplotlib.pyplot as plt

from reports.data import frame
from reports.figures.style import WIDTH, colour, finish, legend_below, marker, measured_ticks, run_suffix


def draw(runs: list[dict], order: list[str]):
    fig, ax = plt.subplots(figsize=(WIDTH, 4.4))
    xs = []
    for i, run in enumerate(runs):
        df = frame(run, "corpus_scaling")
        for (backend, device, engine), rows in df.groupby(["backend", "device", "engine"], sort=False):
            rows = rows.sort_values("workers")
            ax.plot(rows["workers"], rows["audio_hours_per_hour"], color=colour(order, backend), marker=marker(device),
                    ls="-" if engine == "ray" else "--", label=f"{backend} {device}, {engine}" + run_suffix(run, runs))
            xs += list(rows["workers"])
    if not xs:
        plt.close(fig)
        return None
    if len(set(xs)) >= 3:          # a log axis needs three labelled ticks; fewer measured values stay linear
        ax.set_xscale("log")
    measured_ticks(ax.xaxis, xs)
    ax.set_yscale("log")
    ax.set_xlabel("workers")
    ax.set_ylabel("audio hours per wall hour (log)")
    ax.set_title("Featurising a corpus: throughput against workers (solid: Ray, dashed: one process)")
    legend_below(ax)
    return finish(fig)
