"""Memory above the process baseline against batch size, one line per backend and device."""

from __future__ import annotations

import matplotlib.pyplot as plt

from reports.data import frame, nearest, num
from reports.figures.style import RUN_LINESTYLES, WIDTH, colour, finish, legend_below, marker, measured_ticks, run_suffix


def draw(runs: list[dict], order: list[str]):
    fig, ax = plt.subplots(figsize=(WIDTH, 4.4))
    xs = []
    for i, run in enumerate(runs):
        df = frame(run, "memory")
        if df.empty:
            continue
        d = nearest(set(df["duration_s"]), 1.0)
        df = df[df["duration_s"] == d]
        for (backend, device), rows in sorted(df.groupby(["backend", "device"]),
                                              key=lambda kv: order.index(kv[0][0]) if kv[0][0] in order else 99):
            rows = rows.sort_values("batch_size")
            ys = [(num(v) or 0) / 2**20 for v in rows["above_baseline_bytes"]]
            ax.plot(rows["batch_size"], ys, color=colour(order, backend), marker=marker(device),
                    ls=RUN_LINESTYLES[i % 4], label=f"{backend} {device}, {rows['kind'].iloc[0]}" + run_suffix(run, runs))
            xs += list(rows["batch_size"])
    if not xs:
        plt.close(fig)
        return None
    if len(set(xs)) >= 3:          # a log axis needs three labelled ticks; fewer measured values stay linear
        ax.set_xscale("log")
    measured_ticks(ax.xaxis, xs)
    ax.set_xlabel("batch size (clips)")
    ax.set_ylabel("peak above baseline (MiB)")
    ax.set_title("Peak memory of one call above the process baseline")
    legend_below(ax)
    return finish(fig)
