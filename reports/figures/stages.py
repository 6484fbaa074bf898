"""Where the time of one call goes: stacked stage bars per backend and device (the stages timed one by one
in a separate stage run, so their sum is labelled "sum of stages"), a black tick at the whole call's time
from the throughput grid (the one number the page gives per point), and the device's bare FFT + mel time
(the same batch through an FFT and one mel product, nothing else). Without a stages table, the
whole-call bar is the throughput grid's median."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from reports import schema
from reports.data import frame, nearest, throughput_points
from reports.figures.style import CATEGORY, SMALL, WIDTH, colour, finish, legend_below, sig

STAGE_COLOURS = {s: CATEGORY[i % len(CATEGORY)] for i, s in enumerate(schema.STAGES)}
WHOLE = "whole call, throughput grid (no stages declared)"   # a backend without a stage table: one grey bar
STAGE_COLOURS[WHOLE] = "#c8c8c8"


def point(run: dict, batch: float = 64, duration: float = 1.0) -> tuple[float, float] | None:
    """The (batch, duration) nearest the wanted one among the stages rows, else the throughput rows."""
    df = frame(run, "stages")
    if df.empty:
        df = throughput_points(run)
    if df.empty:
        return None
    b = nearest(set(df["batch_size"]), batch)
    return b, nearest(set(df[df["batch_size"] == b]["duration_s"]), duration)


def draw(run: dict, order: list[str]):
    """Stacked bars in ms at the point of :func:`point`; None when nothing was measured there."""
    where = point(run)
    if where is None:
        return None
    b, d = where
    stages = frame(run, "stages")
    stages = stages[(stages["batch_size"] == b) & (stages["duration_s"] == d)]
    whole = throughput_points(run)
    whole = whole[(whole["batch_size"] == b) & (whole["duration_s"] == d)]
    ceil = frame(run, "ceiling")
    ceil = ceil[(ceil["batch_size"] == b) & (ceil["duration_s"] == d)]
    grid = {(r["backend"], r["device"]): r["median_s"] for r in whole.sort_values("transfer", ascending=False)
            .drop_duplicates(["backend", "device"]).to_dict("records")}
    bars = []  # (label, [(stage, seconds)], backend colour or None, device)
    keyed = stages.groupby(["backend", "device"], sort=False) if not stages.empty else []
    done = set()
    for (backend, device), rows in keyed:
        parts = [(s, float(rows[rows["stage"] == s]["median_s"].sum())) for s in schema.STAGES
                 if (rows["stage"] == s).any()]
        bars.append((f"{backend} {device}: sum of stages", parts, backend, device))
        done.add((backend, device))
    for r in whole.sort_values("transfer", ascending=False).to_dict("records"):
        if (r["backend"], r["device"]) not in done:  # accelerators: the row with the copy
            bars.append((r["series"].name, [(WHOLE, r["median_s"])], r["backend"], r["device"]))
            done.add((r["backend"], r["device"]))
    bars.sort(key=lambda x: (x[3] != "cpu", order.index(x[2]) if x[2] in order else 99))
    for r in ceil.to_dict("records"):
        parts = [("stft", r["fft_s"]), ("mel", r["mel_s"])] if r.get("fft_s") and r.get("mel_s") else \
            [("other", r["total_s"])]
        bars.append((f"bare FFT + mel, {r['device']}", parts, None, r["device"]))
    if not bars:
        return None
    devices = list(dict.fromkeys(x[3] for x in bars))
    counts = [sum(x[3] == d for x in bars) for d in devices]
    fig, axes = plt.subplots(len(devices), 1, figsize=(WIDTH, 1.4 + 0.42 * len(bars) + 0.5 * len(devices)),
                             height_ratios=counts, squeeze=False)
    used = {}
    for ax, device in zip(axes[:, 0], devices):  # one panel per device: each keeps a scale its bars can be read on
        mine = [x for x in bars if x[3] == device]
        for y, (label, parts, backend, _) in enumerate(mine):
            left = 0.0
            for stage, sec in parts:
                ms = sec * 1e3
                c = STAGE_COLOURS.get(stage, colour(order, backend) if backend else "#777")
                used[stage] = c
                ax.barh(y, ms, left=left, color=c, edgecolor="#333", linewidth=0.5,
                        hatch="//" if backend is None else ".." if stage == WHOLE else "")
                left += ms
            whole_s = grid.get((backend, device)) if backend and parts[0][0] != WHOLE else None
            if whole_s:
                ax.plot([whole_s * 1e3] * 2, [y - 0.42, y + 0.42], color="black", lw=2.2, zorder=4)
                used["whole call, throughput grid median (tick)"] = "black"
            ax.annotate(sig(left, " ms") + (f" (whole call {sig(whole_s * 1e3, ' ms')})" if whole_s else ""),
                        (max(left, (whole_s or 0) * 1e3), y), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=SMALL)
        ax.set_yticks(range(len(mine)), [x[0] for x in mine])
        ax.invert_yaxis()
        ax.set_xlim(0, ax.get_xlim()[1] * 1.45)
        ax.set_title(f"on {device}", fontsize=9.5, loc="left")
    axes[-1, 0].set_xlabel("median time per call (ms)")
    fig.suptitle(f"Time per call by stage at batch {b:g} × {d:g} s; hatched: the bare FFT + mel time", fontsize=10.5)
    legend_below(axes[-1, 0], handles=[Patch(color=c, label=s) for s, c in used.items()], ncol=4)
    return finish(fig)
