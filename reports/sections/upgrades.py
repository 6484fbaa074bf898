"""Upgrades: the version matrix (bench/versions) — does a new librosa or torch change the features, the
accuracy of a model trained on the locked stack, or the speed, and which torch pairs are verified."""

from __future__ import annotations

from reports import upgrades
from reports.page import Block, Section, Table, fmt


def section(ctx) -> Section:
    blocks = []
    for i, data in enumerate(ctx.versions):
        suffix = f"_{i + 1}" if len(ctx.versions) > 1 else ""
        headers, rows = upgrades.table_rows(data)
        details = [[r["combo"], r["library"], r["preset"], r["path"], r["mode"], fmt(r["difference"]),
                    fmt(r["within_rounding"])] for r in data["differences"]]
        skew = [[c["combo"], s["library"], s["preset"], s["path"], s["mode"], fmt(100 * s["mean"], "pp"),
                 f"{fmt(100 * s['low'], 'pp')} … {fmt(100 * s['high'], 'pp')}", fmt(s["seeds"])]
                for c in data["combos"] for s in upgrades.skews(data, c["combo"])]
        blocks.append(Block(
            f"upgrades{suffix}", "Version matrix", upgrades.readme_line(data) + " Each combination ran in an "
            "environment of its own; differences are the largest per-clip max|Δ| / max|locked| over FSDD's test "
            f"split (float32 rounding: {fmt(data['rounding'])}); accuracy changes pair each seed's model served the "
            "combination's features with the same model served the locked stack's; throughput is on 64 × 1 s "
            "clips, interleaved passes on a machine shared with other jobs.",
            tables=[Table(headers, rows, id=f"upgrades-table{suffix}"),
                    Table(["combination", "library", "preset", "path", "mode", "largest difference", "within rounding"],
                          details, "Every feature set", f"upgrades-differences{suffix}", "every feature set"),
                    Table(["combination", "library", "preset", "path", "mode", "accuracy change (mean)", "range",
                           "seeds"], skew, "Accuracy change, paired by seed", f"upgrades-skew{suffix}",
                          "every accuracy change")]))
    return Section("upgrades", "Upgrades", blocks)
