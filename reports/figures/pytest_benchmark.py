"""pytest-benchmark points: median time (a dot, the axis being log) with the min–max range, groups in numeric
order, backends in the page's fixed order."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from reports.data import num
from reports.figures.style import SMALL, WIDTH, colour, finish, legend_below, sig


def group_key(group) -> tuple:
    """Sort key: the numbers in a group name compared as numbers ("batch=8" before "batch=64")."""
    return tuple((0, float(t), "") if re.fullmatch(r"\d+(\.\d+)?", t) else (1, 0.0, t)
                 for t in re.findall(r"\d+(?:\.\d+)?|[^\d]+", str(group or "")))


def draw(benchmarks: list[dict], order: list[str]):
    rows = []
    for b in benchmarks:
        s = b.get("stats") or {}
        info = b.get("extra_info") if isinstance(b.get("extra_info"), dict) else {}
        if num(s.get("median")) is None:
            continue
        backend = info.get("backend")
        rows.append((str(b.get("group") or "(no group)"), order.index(backend) if backend in order else 99,
                     f"{backend or b.get('name')} {info.get('device', '')}".strip(), s, backend))
    if not rows:
        return None
    rows.sort(key=lambda r: (group_key(r[0]), r[1]))
    groups = list(dict.fromkeys(r[0] for r in rows))
    fig, ax = plt.subplots(figsize=(WIDTH, 1.6 + 0.32 * (len(rows) + len(groups))))
    y, ticks, labels, headings = 0, [], [], []
    for g in groups:
        ticks.append(y)
        labels.append(g)
        headings.append(True)
        y += 1
        for r in (r for r in rows if r[0] == g):
            med, lo, hi = r[3]["median"], num(r[3].get("min")) or r[3]["median"], num(r[3].get("max")) or r[3]["median"]
            ax.errorbar(med * 1e3, y, xerr=[[(med - lo) * 1e3], [(hi - med) * 1e3]], color="#222", capsize=3, lw=1,
                        fmt="o", mfc=colour(order, r[4]), mec="#333", ms=7)      # a dot: the axis is log
            ax.annotate(sig(med * 1e3, " ms"), (hi * 1e3, y), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=SMALL)
            ticks.append(y)
            labels.append("  " + r[2])
            headings.append(False)
            y += 1
    ax.set_yticks(ticks, labels, fontsize=SMALL)
    for t, heading in zip(ax.get_yticklabels(), headings):
        if heading:                                   # a group's heading, above its indented rows
            t.set_fontweight("bold")
    ax.set_ylim(y - 0.5, -0.8)
    ax.set_xscale("log")
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo / 1.5, hi * 4)
    ax.set_xlabel("median time per call (ms, log); whiskers = min to max over the rounds")
    ax.set_title("pytest-benchmark: one group per batch and clip duration")
    present = [b for b in order if b in {r[4] for r in rows}]
    legend_below(ax, handles=[Patch(color=colour(order, b), label=b) for b in present], ncol=4)
    return finish(fig)
