"""reports.upgrades and the Upgrades section: every figure comes from versions.json, and the README block is
rewritten and checked from it."""
from __future__ import annotations

import json

import pytest

from reports import upgrades
from reports.build import context, render
from reports.sections import PageInputs
from reports.sections.upgrades import section
from tests.reports.helpers import FIXTURE

def matrix() -> dict:
    """A two-combination matrix: librosa 1.0 (batched direct call off by 0.25, a 3-point loss on seed 1 only,
    its own backend equal) and torch 2.15 (equal, 10% slower)."""
    def combo(name, librosa, torch, audio, changes, verified, broke=None):
        return dict(combo=name, changes=changes, python="3.11", librosa=librosa, torch=torch, torchaudio=audio,
                    verified=verified, broke=broke, pair_refusal=None, versions={"python": "3.12.1"})

    diffs = [dict(combo="librosa-1.0.0", library="librosa", preset="defaults", path=p, mode=m,
                  difference=0.25 if (p, m) == ("direct", "batch") else 0.0,
                  within_rounding=(p, m) != ("direct", "batch")) for p in ("backend", "direct")
             for m in ("single", "batch")]
    diffs += [dict(combo="torch-2.15.0", library="torchaudio", preset="matched", path="backend", mode=m,
                   difference=1e-7, within_rounding=True) for m in ("single", "batch")]
    acc = [dict(combo="librosa-1.0.0", library="librosa", preset="defaults", path="direct", mode="batch", seed=s,
                accuracy=0.9 - (0.03 if s == 1 else 0), locked_accuracy=0.9, delta=-0.03 if s == 1 else 0.0)
           for s in range(3)]
    speed = [dict(combo=c, library=lib, audio_s_per_s=r, low=r * 0.95, high=r * 1.05, passes=5, seconds_per_call=1)
             for c, f in (("locked", 1.0), ("librosa-1.0.0", 1.0), ("torch-2.15.0", 0.8))
             for lib, r in (("librosa", 500 * f), ("torchaudio", 250 * f))]
    return dict(kind="versions", rounding=7.6e-6, n_test=300, seeds=3, epochs=30, passes=5, minutes=40.0,
                command="python -m bench.versions --fsdd X", machine=dict(cpu="Test CPU", cores=2),
                combos=[combo("locked", "0.11.0", "2.11.0", "2.11.0", "none", True),
                        combo("librosa-1.0.0", "1.0.0", "2.11.0", "2.11.0", "librosa", False,
                              "1 feature sets differ beyond float32 rounding"),
                        combo("torch-2.15.0", "0.11.0", "2.15.0", "2.11.1", "torch", True)],
                differences=diffs, undo=[dict(combo="librosa-1.0.0", library="librosa", difference=0.0,
                                              within_rounding=True)], accuracy=acc, throughput=speed)


@pytest.fixture
def run_dir(tmp_path):
    folder = tmp_path / "cpu-test-versions"
    folder.mkdir()
    (folder / "versions.json").write_text(json.dumps(matrix()))
    return folder


def test_readme_line_gives_the_matrix_s_figures(run_dir):
    line = upgrades.readme_line(upgrades.load(run_dir))
    assert "librosa 0.11 -> 1.0.0 changes batched MFCCs by up to 0.25 relative (librosa defaults direct batch)" in line
    assert "single clips by up to 0" in line
    assert "changes by -1.0 pp at most (mean of 3 seeds, paired; librosa defaults direct batch)" in line
    assert "`librosa_defaults`" in line and "0 from 0.11's call" in line
    assert "verified torch pairs: torch 2.11.0 + torchaudio 2.11.0, torch 2.15.0 + torchaudio 2.11.1" in line


def test_speed_is_a_ratio_with_its_range():
    data = matrix()
    assert upgrades.speed(data, "librosa-1.0.0", "librosa")["even"]
    slow = upgrades.speed(data, "torch-2.15.0", "torchaudio")
    assert slow["ratio"] == pytest.approx(0.8) and not slow["even"]


def test_readme_block_is_rewritten_then_agrees(run_dir, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{upgrades.BEGIN}\nold\n{upgrades.END}\n")
    data = upgrades.load(run_dir)
    assert upgrades.rewrite(readme, data, check=True)            # differs before
    upgrades.rewrite(readme, data)
    assert upgrades.rewrite(readme, data, check=True) == []
    assert "(cpu-test-versions/README.md)" in readme.read_text()
    bare = tmp_path / "bare.md"
    bare.write_text("no markers\n")
    with pytest.raises(ValueError, match="no '<!-- upgrades:begin -->'"):
        upgrades.rewrite(bare, data)


def test_page_has_the_upgrades_section(run_dir):
    page, _ = render(context([FIXTURE, run_dir]))
    assert '<section id="upgrades">' in page and "Version matrix" in page
    assert "torch 2.15.0 + torchaudio 2.11.1" in page and "0.8×" in page
    assert section(PageInputs(runs=[], order=[])).blocks == []      # no versions run: the section is left off
