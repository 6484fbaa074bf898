"""The README's answer box and RESULTS.md's rows: generated from the committed results, and checked against them."""

from __future__ import annotations

import re


from reports import readme
from reports.build import main
from tests.reports.helpers import COMMITTED, FIXTURE, REPO


def test_repo_readme_and_results_agree_with_committed_results(capsys):
    paths = [REPO / "README.md", REPO / "RESULTS.md"]
    assert all(readme.has_markers(p) for p in paths)
    others = sorted(str(p) for p in (REPO / "reports" / "results").glob("*/results.json") if p != COMMITTED)
    committed = [str(COMMITTED)] + others        # the main run first, as the README lists it
    assert main(committed + ["--readme", *map(str, paths), "--check"]) == 0, capsys.readouterr().err


def test_readme_leads_with_the_answer_and_the_two_commands():
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200
    head = "\n".join(lines[:50])      # the answer box (one row per workload and thread count), then the commands
    assert readme.ANSWER_BEGIN in head and readme.ANSWER_END in head
    assert "make bench " in head and "make test " in head
    box = head[head.index(readme.ANSWER_BEGIN):head.index(readme.ANSWER_END)]
    assert box.index("GPU (") < box.index("a training batch, 64 × 1 s, all cores |")
    assert "a training batch, 64 × 1 s, one thread (DataLoader worker) |" in box
    assert "Each library's own defaults" in box


def test_answer_box_in_a_new_file(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(f"# x\n\n{readme.ANSWER_BEGIN}\n{readme.ANSWER_END}\n", encoding="utf-8")
    assert main([str(FIXTURE), "--readme", str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    assert "a training batch, 64 × 1 s, all cores | " in text and "against librosa (the reference)" in text
    assert readme.BEGIN not in text                 # the long rows go only where their markers are
    assert main([str(FIXTURE), "--readme", str(path), "--check"]) == 0


def test_check_names_the_differing_lines(tmp_path, capsys):
    path = tmp_path / "README.md"
    path.write_text(f"# x\n\n{readme.BEGIN}\n{readme.END}\n\ntail\n", encoding="utf-8")
    assert main([str(FIXTURE), "--readme", str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# x\n\n") and text.endswith("\n\ntail\n")
    assert "| one clip at a time (inference): CPU vs CPU | **librosa_torch cpu**" in text
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


def test_more_links_resolve():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    import re

    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if not target.startswith("http"):
            assert (REPO / target).exists(), target


def test_every_speed_row_of_results_md_names_its_thread_count():
    """Before: "**fast cpu**: 4.5× [4.3–4.5×] speedup of fast cpu over librosa cpu at batch 1 × 1 s" with no
    thread count, where threads decide the CPU verdict."""
    text = (REPO / "RESULTS.md").read_text(encoding="utf-8")
    speed = [line for line in text.splitlines() if " speedup of " in line and " at batch " in line]
    assert speed and all(re.search(r", \d+ threads; ", line) for line in speed)
