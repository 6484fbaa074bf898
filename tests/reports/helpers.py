"""Shared bits of the report tests: fixture paths and an HTML table reader."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "schema2_gpu_6backends.json"          # synthetic schema 2, GPU, 6 backends, every table
SCHEMA1_GPU = DATA / "sample_results.json"             # an older schema-1 run with CUDA rows
REPO = Path(__file__).resolve().parents[2]
# the committed CPU run, as bench.run wrote and validated it (schema 2, upgraded to 3): the README is checked against it
COMMITTED = REPO / "reports" / "results" / "cpu-amd-epyc-2core" / "results.json"
COMMITTED_RUNS = sorted((REPO / "reports" / "results").glob("*/results.json"))      # every committed run
# an earlier committed CPU run (schema 1, with its pytest-benchmark JSON), frozen: tests of exact figures use it
SCHEMA1_CPU = DATA / "cpu_schema1" / "results.json"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


class _Tables(HTMLParser):
    """Every <table> as (id, rows of cell texts)."""

    def __init__(self):
        super().__init__()
        self.tables, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append((dict(attrs).get("id"), []))
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.replace("\u00a0", " ").replace("\u2060", "").strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def tables(page: str) -> list[tuple[str | None, list[list[str]]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def table_by_id(page: str, ident: str) -> list[dict]:
    """The rows of the table with ``id`` as dicts keyed by header."""
    rows = next(rows for i, rows in tables(page) if i == ident)
    return [dict(zip(rows[0], r)) for r in rows[1:]]
