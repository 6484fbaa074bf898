"""A report a person reads (issue 30): the order answer -> swap cost -> agreement -> speed, detail, glossary and
self-checks folded, backticks as <code>, no "split None", one index page linking every run, and the committed
main report within 12 screens at 1400 px (headless Chromium, reports/screens.py)."""
from __future__ import annotations

import copy
import re

import pytest

from reports import run_index, screens
from reports.build import context, header, render
from reports.data import load_runs
from reports.page import paragraph
from reports.sections import PageInputs
from tests.reports.helpers import COMMITTED, COMMITTED_RUNS, FIXTURE

MAIN_REPORT = COMMITTED.parent / "report" / "index.html"


@pytest.fixture(scope="module")
def page():
    html, _ = render(context([FIXTURE]))
    return html


def test_glossary_and_self_checks_are_folded(page):
    for anchor in ("glossary", "appendix"):
        assert re.search(rf'<section id="{anchor}"><h2>[^<]*</h2>\s*<details class="section"><summary>', page), anchor


def test_detail_blocks_are_folded_and_the_swap_matrix_is_open(page):
    swap_part = page[page.index('id="swap"'):page.index('id="agreement"')]
    assert 'id="swap_matrix"' in swap_part and '<details class="block" id="accuracy_verdict">' in swap_part
    assert page.index('id="swap_matrix"') < page.index('<details class="block" id="accuracy_verdict">')
    for slug in ("throughput_batch", "ablation", "skew", "pipeline"):
        assert f'<details class="block" id="{slug}">' in page, slug


def test_backticks_become_code():
    assert paragraph("run `python -m features.port` first") == \
        '<p class="caption">run <code>python -m features.port</code> first</p>'


def test_no_split_none_in_the_header():
    runs, _ = load_runs([FIXTURE])
    run = runs[0]
    run["dataset_info"] = dict(copy.deepcopy(run.get("dataset_info") or {}), split=None)
    text = header(PageInputs([run], []))
    assert "split None" not in text and "train /" in text


def test_the_index_links_every_run_and_each_link_resolves(tmp_path):
    runs, _ = load_runs(COMMITTED_RUNS)
    out = run_index.write(runs, tmp_path / "index.html")
    text = out.read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', text)
    assert len([h for h in links if h.endswith("results.json")]) == len(COMMITTED_RUNS)
    for href in links:
        assert (tmp_path / href).resolve().is_file(), href


@pytest.mark.skipif(screens.browser() is None, reason="no Chromium on PATH to measure the page in")
def test_the_committed_main_report_is_at_most_12_screens_at_1400_px():
    assert screens.screens(MAIN_REPORT, 1400, 900) <= 12
