"""The README's results block: generated from the committed results, and checked against them."""

from __future__ import annotations

import pytest

from reports import readme
from reports.build import main
from tests.reports.helpers import COMMITTED, FIXTURE, REPO


def test_repo_readme_agrees_with_committed_results(capsys):
    path = REPO / "README.md"
    if not readme.has_markers(path):
        pytest.skip("README.md has no <!-- results:begin --> / <!-- results:end --> markers")
    others = sorted(str(p) for p in (REPO / "reports" / "results").glob("*/results.json") if p != COMMITTED)
    committed = [str(COMMITTED)] + others        # the main run first, as the README lists it
    assert main(committed + ["--readme", str(path), "--check"]) == 0, capsys.readouterr().err


def test_check_names_the_differing_lines(tmp_path, capsys):
    path = tmp_path / "README.md"
    path.write_text(f"# x\n\n{readme.BEGIN}\n{readme.END}\n\ntail\n", encoding="utf-8")
    assert main([str(FIXTURE), "--readme", str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# x\n\n") and text.endswith("\n\ntail\n")
    assert "| one clip at a time (inference): CPU vs CPU | **fast cpu**" in text
    assert main([str(FIXTURE), "--readme", str(path), "--check"]) == 0
    path.write_text(text.replace("98.7 %", "98.9 %", 1), encoding="utf-8")   # a hand edit
    assert main([str(FIXTURE), "--readme", str(path), "--check"]) == 1
    err = capsys.readouterr().err
    assert "README.md disagrees with the results" in err
    assert any(line.startswith("-") and "98.9 %" in line for line in err.splitlines())
    assert any(line.startswith("+") and "98.7 %" in line for line in err.splitlines())


def test_missing_markers_is_a_one_line_error(tmp_path, capsys):
    path = tmp_path / "README.md"
    path.write_text("# no markers\n", encoding="utf-8")
    assert main([str(FIXTURE), "--readme", str(path), "--check"]) == 1
    assert "README.md: no '<!-- results:begin -->'" in capsys.readouterr().err
