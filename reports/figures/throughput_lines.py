"""Realtime factor against batch size (at one clip duration) or against clip duration (at one batch)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from reports.data import nearest, num, records, throughput_points
from reports.figures.style import RUN_LINESTYLES, WIDTH, colour, finish, legend_below, marker, measured_ticks, run_suffix


def draw(runs: list[dict], order: list[str], *, along: str, at: float):
    """``along`` = "batch_size" or "duration_s"; the other coordinate is held at the measured value
    nearest ``at``. Band = realtime factor interquartile range. None when fewer than two points."""
    other = "duration_s" if along == "batch_size" else "batch_size"
    fig, ax = plt.subplots(figsize=(WIDTH, 4.8))
    xs, held = [], set()
    for i, run in enumerate(runs):
        df = throughput_points(run)
        if df.empty:
            continue
        fixed = nearest(set(df[other]), at)
        held.add(fixed)
        exps = {(s.backend, s.device): s.exponent for s in records(run, "scaling") if num(s.batch_size) == fixed}
        sub = df[df[other] == fixed]
        sub = sub.assign(_o=sub["backend"].map(lambda b: order.index(b) if b in order else 99))
        for name, rows in sub.sort_values(["_o", "device", "transfer"]).groupby("series", sort=False):
            rows = rows.sort_values(along)
            if len(rows) < 2:
                continue
            first = rows.iloc[0]
            label = str(name) + run_suffix(run, runs)
            if along == "duration_s" and (first["backend"], first["device"]) in exps:
                label += f", cost ∝ duration^{exps[(first['backend'], first['device'])]:.2f}"
            c = colour(order, first["backend"])
            ax.plot(rows[along], rows["realtime_factor"], color=c, marker=marker(first["device"], first["transfer"]),
                    ls=RUN_LINESTYLES[i % 4], label=label)
            q1 = [num(v) or m for v, m in zip(rows["realtime_factor_q1"], rows["realtime_factor"])]
            q3 = [num(v) or m for v, m in zip(rows["realtime_factor_q3"], rows["realtime_factor"])]
            ax.fill_between(rows[along], q1, q3, color=c, alpha=0.15, lw=0)
            xs += list(rows[along])
    if not xs:
        plt.close(fig)
        return None
    if len(set(xs)) >= 3:          # a log axis needs three labelled ticks; fewer measured values stay linear
        ax.set_xscale("log")
    ax.set_yscale("log")
    measured_ticks(ax.xaxis, xs)
    unit = "s" if other == "duration_s" else "clips"
    held_text = ", ".join(f"{h:g}" for h in sorted(held)) + (" s clips" if other == "duration_s" else "-clip batches")
    ax.set_xlabel("batch size (clips)" if along == "batch_size" else "clip duration (s)")
    ax.set_ylabel("realtime factor (audio s per wall s)")
    ax.set_title(f"Realtime factor against {'batch size' if along == 'batch_size' else 'clip duration'} "
                 f"at {held_text}; band = IQR" if unit else "")
    legend_below(ax)
    return finish(fig)
