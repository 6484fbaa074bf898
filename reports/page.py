"""The page model (Table, Block, Section), cell formatting and the HTML for tables and blocks."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from reports.data import num, redact_paths

NOT_MEASURED = "not measured in this run"
NA = "—"


def slug(text: str) -> str:
    """`text` as a file-name and anchor part: lower case, each run of other characters one underscore."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def fmt(value, kind: str = "num") -> str:
    """A table cell. ``kind``: ``num`` (3 significant figures), ``rtf`` (whole numbers from 100),
    ``int``, ``pct`` (fraction shown as %), ``mib`` (bytes as MiB), ``x`` (ratio ×), ``per_x`` (the
    inverse of a ratio, ×), ``pp`` (signed percentage points). Text has absolute paths redacted; ``None`` is an em dash."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return NA
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return " × ".join(fmt(v, "int" if isinstance(v, int) else "num") for v in value) if value else NA
    if isinstance(value, dict):
        return ", ".join(f"{k}={fmt(v)}" for k, v in value.items()) or NA
    x = num(value) if isinstance(value, (int, float)) else None
    if x is None:
        return redact_paths(str(value))
    if kind == "pct":
        return f"{x * 100:.1f} %"
    if kind == "pp":
        return f"{x:+.1f} pp"
    if kind == "mib":
        return sig3(x / 2**20) + " MiB"
    if kind == "x":
        return sig3(x) + "×"
    if kind == "per_x":
        return sig3(1 / x) + "×" if x else NA
    if kind == "int" or (kind == "num" and isinstance(value, int)):
        return f"{x:,.0f}"
    if kind == "rtf" and abs(x) >= 100:
        return f"{x:,.0f}"
    return sig3(x)


def md_cell(text) -> str:
    """Text for one markdown table cell: pipes escaped, newlines made spaces."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def sig3(x: float) -> str:
    """3 significant figures; thousands separators from 1,000 up."""
    if x == 0:
        return "0"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


@dataclass
class Table:
    """An HTML table: ``headers`` and rows of formatted strings; ``id`` becomes the HTML id."""

    headers: list[str]
    rows: list[list[str]]
    title: str = ""
    id: str = ""
    collapsed: str = ""     # when set, the table sits closed under this summary line (<details>)


@dataclass
class Block:
    """One figure (or none) with the text and tables around it.

    ``figure``: a zero-argument callable returning a matplotlib Figure or None; ``missing``: what
    the placeholder says is absent; ``html``: extra markup after the caption (already escaped).
    """

    slug: str
    title: str
    caption: str
    figure: Callable | None = None
    tables: list[Table] = field(default_factory=list)
    missing: str = ""
    html: str = ""
    folded: bool = False    # shown closed under its title (<details>): detail a reader opens on demand


@dataclass
class Section:
    """A titled group of blocks with an anchor."""

    anchor: str
    heading: str
    blocks: list[Block]
    folded: str = ""        # when set, the whole section sits closed under this summary line (<details>)


def columns(spec: str) -> list[tuple[str, str, str]]:
    """Column spec ``"field:header:kind; ..."`` -> [(field, header, fmt kind)]."""
    return [tuple((part.strip().split(":") + [""])[:3]) for part in spec.split(";")]


def record_table(runs: list[dict], table: str, spec: str, sort: list[str] | None = None,
                 title: str = "") -> Table:
    """The records of ``table`` in every run (a run column when several), columns from ``spec``."""
    from reports.data import frame

    cols = columns(spec)
    rows = []
    for run in runs:
        df = frame(run, table)
        if sort and not df.empty:
            df = df.sort_values([c for c in sort if c in df.columns], kind="stable", key=_sortable)
        for rec in df.to_dict("records"):
            row = [fmt(rec.get(f), k) for f, _, k in cols]
            rows.append(([run.label] + row) if len(runs) > 1 else row)
    headers = [h for _, h, _ in cols]
    return Table((["run"] + headers) if len(runs) > 1 else headers, rows, title)


def _sortable(col: pd.Series) -> pd.Series:
    values = pd.to_numeric(col, errors="coerce")
    return values if values.notna().all() else col.astype(str)


_NUMERIC = re.compile(r"^[-+]?[\d,]*\.?\d+(e[-+]?\d+)?( ?(%|×|MiB|pp|s))?$")


_UNIT_SPACE = re.compile(r"(?<=\d) (?=(pp|%|ms|s|h|MiB|×)(\W|$))")


class Placeholder(str):
    """A cell that stands in for a value no run measured: shown greyed (class "na"), never read as a number."""


def cell_html(c: str) -> str:
    """A <td>: numbers right-aligned and never wrapped, a number never parted from its unit,
    placeholders (:class:`Placeholder` cells) marked."""
    if isinstance(c, Placeholder):
        return f'<td class="na">{html.escape(c)}</td>'
    text = _UNIT_SPACE.sub("\u00a0", inline_code(c)).replace("–", "\u2060–\u2060")  # no break inside a range
    return f'<td class="{"n" if _NUMERIC.match(c) else "t"}">{text}</td>'


def table_html(t: Table) -> str:
    """A table (titled, scrollable sideways on narrow screens)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in t.headers)
    body = "".join("<tr>" + "".join(cell_html(c) for c in row) + "</tr>" for row in t.rows)
    title = f"<h4>{html.escape(t.title)}</h4>" if t.title else ""
    ident = f' id="{t.id}"' if t.id else ""
    return f'{title}<div class="tablewrap"><table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def placeholder(what: str) -> str:
    detail = f" (no {html.escape(what)})" if what else ""
    return f'<div class="placeholder">{NOT_MEASURED}{detail}</div>'


_CODE = re.compile(r"`([^`]+)`")


def inline_code(text: str) -> str:
    """Plain text as HTML, each `backticked` part as <code>."""
    return _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", html.escape(text))


def paragraph(text: str, cls: str = "caption") -> str:
    return f'<p class="{cls}">{inline_code(text)}</p>'


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1d1d1f;
  background:#f6f7f9;line-height:1.45}
main{max-width:1240px;margin:0 auto;padding:20px 24px 60px;background:#fff;box-shadow:0 0 12px rgba(0,0,0,.06)}
h1{margin:0 0 4px;font-size:1.6em}h2{margin-top:40px;padding-bottom:4px;border-bottom:2px solid #0072B2}
h3{margin:26px 0 4px}p.meta{color:#555;margin:0 0 8px;font-size:.92em}
p.caption{color:#444;margin:2px 0 10px;font-size:.93em;max-width:980px}
p.rule{background:#eef5fb;border-left:4px solid #0072B2;padding:6px 10px;font-size:.92em;max-width:980px}
nav{background:#f0f3f7;padding:8px 12px;border-radius:6px;font-size:.93em;display:flex;flex-wrap:wrap;gap:4px 14px}nav a{white-space:nowrap}
figure{margin:6px 0 10px}figure img{max-width:100%;height:auto;border:1px solid #e3e6ea;border-radius:4px}
figcaption{font-size:.82em;color:#666}
table{border-collapse:collapse;font-size:.86em;margin:6px 0 14px}
th,td{border:1px solid #d8dce1;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:nth-child(even) td{background:#fafbfc}td.na{color:#9a6700;font-style:italic}
table#verdict_table td:nth-child(4){font-weight:600}
.placeholder{border:2px dashed #c9a227;background:#fffbea;color:#7a5d00;padding:14px;margin:8px 0;border-radius:6px;
  font-style:italic}
.warn{border:2px solid #c0392b;background:#fdecea;color:#8e2a1f;padding:10px 12px;border-radius:6px;margin:8px 0}
.unanswered{border-left:4px solid #c9a227;background:#fffbea;padding:6px 10px;margin:6px 0;font-size:.93em}
dl.glossary{font-size:.9em;max-width:980px}dl.glossary dt{font-weight:600;margin-top:4px}dl.glossary dd{margin:0 0 0 18px}
details{margin:4px 0 12px}summary{cursor:pointer;color:#0072B2;font-size:.9em}
.tablewrap{overflow-x:auto}
pre.snippet{background:#f4f6f8;border:1px solid #d8dce1;border-radius:4px;padding:8px 10px;font-size:.85em;
  overflow-x:auto;max-width:980px}
h2.appendix{border-bottom-color:#999}
.answer{background:#eef5fb;border:2px solid #0072B2;border-radius:8px;padding:4px 16px 8px;margin:10px 0 16px}
.answer h2{margin:8px 0 4px;border:none}.answer ul{margin:4px 0;padding-left:20px;font-size:.95em}
table#answer_picks td:nth-child(3){font-weight:600}
code{background:#f1f3f5;border-radius:3px;padding:0 3px;font-size:.92em}
details.block>summary,details.section>summary{font-size:1em;font-weight:600;margin:8px 0}
table.capabilities td{text-align:center}table.capabilities td:first-child{text-align:left;font-weight:600}
"""
