"""One module per page section, each with ``section(ctx) -> Section``; :data:`ORDER` is the page order.

:class:`PageInputs` is what every section reads: the runs, the backend order, pytest-benchmark files
and the problems found while reading."""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.data import Run


@dataclass
class PageInputs:
    """runs (list[Run]) from :func:`reports.data.load_runs` (each a results dict with ``label``, ``source``,
    ``dir`` and ``problems`` as attributes); order (list[str]) the backends in page
    order; benchmarks (list[dict]) pytest-benchmark entries, each with ``_source`` and ``_run`` (the
    label of the run whose folder held it, or None); problems (list[str]) unreadable records;
    warnings (list[str]) overlay mismatches."""

    runs: list[Run]
    order: list[str]
    benchmarks: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    versions: list[dict] = field(default_factory=list)   # version matrix runs (reports.upgrades.load)

    def several(self) -> bool:
        return len(self.runs) > 1


def folded(blocks: list, keep: tuple = ()) -> list:
    """``blocks`` with every block whose slug is not in ``keep`` shown closed (detail)."""
    for b in blocks:
        b.folded = b.folded or b.slug not in keep
    return blocks


#: Page order: module names under reports.sections.
ORDER = ["swap", "serving", "agreement", "verdict", "speed", "corpus", "accuracy", "loso", "upgrades",
         "capabilities", "glossary", "appendix"]
# after the answer box: what a swap costs (and serving it, where a run deployed), agreement, then speed;
# detail, unseen speakers (where a LOSO run is given), the upgrades matrix (where given), glossary and
# self-checks folded
# (harnesses and environment are parts of the appendix, not sections of their own)
