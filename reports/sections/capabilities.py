"""The capability matrix (reports/capabilities.py) as a section (short, so open): what each backend can do, from its
declared capabilities, not from this run."""

from __future__ import annotations

from reports import capabilities
from reports.page import Block, Section, Table


def section(ctx) -> Section:
    table = Table(capabilities.HEADERS, capabilities.rows(), id="capabilities")
    return Section("capabilities", "What each backend can do", [
        Block("capability_matrix", "Capability matrix", "One row per backend, from the capabilities each backend "
              "declares (features/backends). " + capabilities.NOTES, tables=[table])])
