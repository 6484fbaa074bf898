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

    def several(self) -> bool:
        return len(self.runs) > 1


#: Page order: module names under reports.sections.
ORDER = ["verdict", "glossary", "speed", "corpus", "agreement", "accuracy", "loso", "appendix"]
# (harnesses and environment are parts of the appendix, not sections of their own)
