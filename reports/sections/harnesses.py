"""pytest-benchmark: its points, and where bench.run measured the same point, the two compared."""

from __future__ import annotations

from functools import partial

from reports.figures import pytest_benchmark
from reports.harnesses import compare
from reports.page import Block, Section, Table, fmt


def comparison_table(ctx) -> Table:
    rows = []
    for run in ctx.runs:
        mine = [b for b in ctx.benchmarks if b.get("_run") in (None, run.label)]
        for r in compare(run, mine):
            reading = (f"differs by more than the passes' spread; visible: {'; '.join(r['differences'])}"
                       if r["larger_than_spread"] else "within the passes' spread")
            row = [r["series"], f"{r['batch_size']:g} × {r['duration_s']:g} s",
                   f"{r['run_median_s'] * 1e3:.3g} [{r['run_lo_s'] * 1e3:.3g}–{r['run_hi_s'] * 1e3:.3g}]",
                   f"{r['bench_median_s'] * 1e3:.3g} [{fmt((r['bench_min_s'] or 0) * 1e3)}–"
                   f"{fmt((r['bench_max_s'] or 0) * 1e3)}]", f"{r['ratio']:.2f}×", reading]
            rows.append(([run.label] + row) if ctx.several() else row)
    headers = ["series", "point", "bench.run ms [pass range]", "pytest-benchmark ms [min–max]",
               "pytest / bench.run", "reading"]
    return Table((["run"] + headers) if ctx.several() else headers, rows, "The two harnesses at the same points")


def section(ctx) -> Section:
    table = comparison_table(ctx)
    caption = ("pytest-benchmark JSON found beside a run's results (or given with --bench-json). Where both "
               "harnesses timed the same point, a difference larger than the spread of bench.run's passes is "
               "flagged with every difference the two files show; what they do not record (the input signals, "
               "the process's state) cannot be ruled out.")
    return Section("harnesses", "6. The two harnesses", [
        Block("pytest_benchmark", "Self-check: pytest-benchmark against bench.run", caption,
              partial(pytest_benchmark.draw, ctx.benchmarks, ctx.order) if ctx.benchmarks else None,
              [table] if ctx.benchmarks else [], "pytest-benchmark JSON beside the results or --bench-json"),
    ])
