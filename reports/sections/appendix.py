"""The appendix, after every answer: the self-checks (the two timing harnesses against each other, this
project's interface against calling each library directly) and where each run came from (environment)."""

from __future__ import annotations

from reports.page import Block, Section, record_table
from reports.sections import environment, harnesses

OVERHEAD = ("backend:backend; device:device; batch_size:batch:int; duration_s:clip (s); overhead:overhead:pct; "
            "overhead_q1:q1:pct; overhead_q3:q3:pct; pairs:pairs:int")


def section(ctx) -> Section:
    overhead = Block("overhead", "Self-check: this project's interface against calling each library directly",
                     "Overhead = interface time / direct time − 1, over alternating pairs (a separate run, not the "
                     "throughput grid).", None, [record_table(ctx.runs, "overhead", OVERHEAD)], "overhead records")
    blocks = harnesses.section(ctx).blocks + [overhead] + environment.section(ctx).blocks
    return Section("appendix", "Appendix: self-checks and where the runs came from", blocks,
                   folded="Self-checks (the two harnesses, the interface's overhead) and the environment")
