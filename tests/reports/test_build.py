"""Tests for reports/: the HTML report built from results.json files.

Two reports are built once per module (building renders ~16 figures, the
slow part): ``overlay`` = the realistic sample run + a CPU-only ``--quick``
run + a pytest-benchmark file; ``sparse`` = a run with almost nothing in it.
"""

from __future__ import annotations

import ast
import base64
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from reports import plots
from reports.build import PLACEHOLDER, build_report, fmt, main
from reports.data import load_runs, redact_paths, speedup

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample_results.json"
REPO = Path(__file__).resolve().parents[2]

SECTION_HEADINGS = ["1. Headline", "2. Throughput", "3. Agreement", "4. Accuracy", "pytest-benchmark"]
BLOCK_TITLES = [
    "Decision figures", "Environment", "Realtime factor vs batch size", "Realtime factor vs clip duration",
    "Fraction of the device ceiling", "Cold start", "Peak memory", "Decode and resample", "Error per preset",
    "Ablation", "One real clip", "Batch invariance", "Error per MFCC coefficient", "Accuracy per backend",
    "Train/serve skew", "Confusion matrices", "Epoch time", "pytest-benchmark results",
]
FIGURES = ["speedup", "throughput_batch", "throughput_duration", "ceiling", "cold_start", "memory", "io",
           "agreement_presets", "ablation", "example_clip", "batch_invariance", "agreement_per_coeff",
           "accuracy", "skew", "confusion", "epoch_time", "pytest_benchmark"]


def tp(backend, device, batch, duration, rtf, **kw):
    """One throughput record."""
    med = batch * duration / rtf
    return {"backend": backend, "device": device, "batch_size": batch, "duration_s": duration, "threads": 4,
            "includes_transfer": False, "median_s": med, "q1_s": med * 0.95, "q3_s": med * 1.05,
            "iqr_s": med * 0.1, "repeats": 5, "clips_per_s": batch / med, "realtime_factor": rtf,
            "realtime_factor_q1": rtf * 0.95, "realtime_factor_q3": rtf * 1.05, "ceiling_fraction": None, **kw}


def quick_cpu_run() -> dict:
    """A laptop `--quick` run: no GPU, no accuracy, no example clip, 2 s clips only."""
    return {
        "schema_version": 1, "label": "laptop-cpu-quick", "quick": True, "dataset": "FSDD (subset of 100 clips)",
        "environment": {"python": "3.11.7", "platform": "Linux-6.1-x86_64", "cpu_model": "Intel Core i5-8250U",
                        "cpu_threads": 4, "torch": "2.11.0+cpu", "torchaudio": "2.11.0+cpu", "librosa": "0.11.0",
                        "numpy": "2.4.6", "soundfile": "0.13.1", "soxr": "0.5.0", "gpu_name": None,
                        "cuda_driver": None, "cuda_version": None, "git_commit": "3f9c2ab", "date": "2025-11-21",
                        "command": "python -m bench.run --quick --out /home/alice/mfcc/out/laptop"},
        "config": {"sample_rate": 8000, "n_mfcc": 13},
        "throughput": [tp("librosa", "cpu", b, 2.0, 480.0 + b) for b in (1, 16)]
        + [tp("torchaudio", "cpu", b, 2.0, 300.0 * b ** 0.5) for b in (1, 16)],
        "scaling": [], "cold_start": [{"backend": "librosa", "device": "cpu", "import_s": 1.1,
                                       "first_call_s": 2.0, "steady_call_s": 0.003}],
        "agreement": [{"preset": "matched", "max_abs_error": 4e-4, "rel_error": 3e-6, "device": "cpu"}],
        "batch_invariance": [{"backend": "torchaudio", "device": "cpu", "scope": "clip",
                              "max_abs_error": 0.0, "rel_error": 0.0}],
        "accuracy": [], "epoch_time": [],
        "skipped": [{"file": "/home/alice/data/recordings/3_theo_49.wav", "reason": "decode failed"}],
    }


def bench_json() -> dict:
    """A small pytest-benchmark file."""
    def bench(name, group, median, **extra):
        return {"name": name, "group": group, "params": {"batch": 64}, "extra_info": extra,
                "stats": {"median": median, "iqr": median / 20, "mean": median, "rounds": 12}}
    return {"machine_info": {"node": "ci", "cpu": {"brand_raw": "x"}},
            "benchmarks": [bench("test_mfcc_librosa[64]", "mfcc", 0.081, backend="librosa"),
                           bench("test_mfcc_torchaudio_cpu[64]", "mfcc", 0.011, backend="torchaudio", device="cpu"),
                           bench("test_decode_soundfile", "io", 0.0009)]}


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


class _Tables(HTMLParser):
    """Collects every <table> as a list of rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def tables(page: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def embedded_pngs(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


@pytest.fixture(scope="module")
def overlay(tmp_path_factory):
    root = tmp_path_factory.mktemp("overlay")
    sample = root / "results.json"
    shutil.copy(SAMPLE, sample)
    quick = write(root / "quick.json", quick_cpu_run())
    bench = write(root / "bench.json", bench_json())
    out = root / "report"
    index = build_report([sample, quick], out, [bench])
    return root, index, index.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sparse(tmp_path_factory):
    root = tmp_path_factory.mktemp("sparse")
    run = write(root / "results.json", {"schema_version": 1, "label": "empty-run", "quick": True,
                                        "environment": {"cpu_model": "x", "gpu_name": None},
                                        "throughput": [], "accuracy": []})
    index = build_report([run], root / "out")
    return root, index, index.read_text(encoding="utf-8")


def test_build_report_returns_index_and_writes_png_and_svg(overlay):
    root, index, _ = overlay
    assert index == root / "report" / "index.html"
    for name in FIGURES:
        png, svg = index.parent / f"{name}.png", index.parent / f"{name}.svg"
        assert png.stat().st_size > 1000, name
        Image.open(png).verify()
        assert ET.parse(svg).getroot().tag.endswith("svg"), name


def test_every_section_heading_present(overlay):
    page = overlay[2]
    for heading in SECTION_HEADINGS + BLOCK_TITLES:
        assert f">{heading}</h" in page, heading


def test_every_embedded_image_decodes(overlay):
    page = overlay[2]
    pngs = embedded_pngs(page)
    assert len(pngs) == len(FIGURES)
    for data in pngs:
        Image.open(io.BytesIO(data)).verify()
    assert "plot failed" not in page


def test_two_runs_overlay_in_headline_and_plots(overlay):
    page = overlay[2]
    headline = next(t for t in tables(page) if t[0][0] == "decision figure")
    assert headline[0] == ["decision figure", "workstation-rtx3090", "laptop-cpu-quick"]
    rows = {r[0]: r[1:] for r in headline[1:]}
    cuda = rows["speedup torchaudio CUDA over librosa"]
    assert "×" in cuda[0] and cuda[1] == PLACEHOLDER          # the laptop has no GPU
    cpu = next(v for k, v in rows.items() if k.startswith("speedup torchaudio CPU"))
    assert "(batch 64, 1 s)" in cpu[0]
    assert "closest measured point: batch 16, 2 s" in cpu[1]  # quick run has no batch 64 / 1 s point
    acc = next(v for k, v in rows.items() if k.startswith("test accuracy, librosa"))
    assert acc[0].endswith("%") and acc[1] == PLACEHOLDER      # quick run trained nothing
    env = next(t for t in tables(page) if t[0][0] == "environment")
    assert env[0][1:] == ["workstation-rtx3090", "laptop-cpu-quick"]
    gpu = next(r for r in env if r[0] == "gpu_name")
    assert gpu[1:] == ["NVIDIA GeForce RTX 3090", "none"]


def test_overlay_legends_name_both_runs():
    runs = load_runs([SAMPLE, SAMPLE])
    runs[1]["_label"] = "second"
    fig = plots.throughput_batch_figure(runs)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    plots.plt.close(fig)
    assert any(lab.endswith("workstation-rtx3090") for lab in labels)
    assert any(lab.endswith("second") for lab in labels)


def test_missing_measurements_render_placeholder(sparse):
    page = sparse[2]
    for heading in SECTION_HEADINGS:
        assert f">{heading}</h2>" in page
    # every plot block (17 figures) shows the placeholder instead of an image
    assert page.count(f'<div class="placeholder">{PLACEHOLDER}') == len(FIGURES)
    assert not embedded_pngs(page)
    assert "plot failed" not in page
    assert not list(sparse[1].parent.glob("*.png"))


def test_malformed_records_do_not_break_the_report(tmp_path):
    run = {"schema_version": 1, "label": "odd",
           "throughput": [{"backend": "librosa"}, {"backend": "torchaudio", "device": "cuda", "batch_size": 4,
                                                   "duration_s": 1, "realtime_factor": None}, "not a dict"],
           "agreement": [{"preset": "matched", "max_abs_error": "n/a"}],
           "ablation": [{"parameter": "norm", "value": None, "rel_error": 0.0}],
           "example_clip": {"file": "/abs/clip.wav", "librosa": [[1, 2], [3]], "torchaudio": None},
           "accuracy": [{"train_backend": "librosa", "test_backend": "librosa", "preset": "matched",
                         "test_accuracy": 0.5, "confusion": [[1, 2, 3]]}],
           "memory": None, "io": {"not": "a list"}, "environment": None}
    index = build_report([write(tmp_path / "r.json", run)], tmp_path / "out")
    page = index.read_text(encoding="utf-8")
    assert "plot failed" not in page
    assert PLACEHOLDER in page
    assert "/abs/" not in page


def test_no_absolute_paths_or_network_references(overlay):
    root, _, page = overlay
    page = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:", page)  # base64 may hold any 4 letters
    for bad in (str(root), "/work", "/home/alice", "/tmp", str(Path.home()), "file://",
                "http://", "https://", "//cdn", "<script", "<link", "@import"):
        assert bad not in page, bad
    assert "…/laptop" in page                      # the redacted command is still shown
    assert "<style>" in page


def test_pytest_benchmark_table_and_plot(overlay, sparse):
    page = overlay[2]
    table = next(t for t in tables(page) if t[0][:2] == ["group", "name"])
    assert table[0] == ["group", "name", "median (s)", "IQR (s)", "rounds", "extra_info"]
    names = {r[1] for r in table[1:]}
    assert names == {"test_mfcc_librosa[64]", "test_mfcc_torchaudio_cpu[64]", "test_decode_soundfile"}
    assert any(r[2] == "0.081" and r[4] == "12" and "backend=librosa" in r[5] for r in table[1:])
    assert 'alt="pytest-benchmark results"' in page
    assert f"{PLACEHOLDER} (no --bench-json file given)" in sparse[2]


def test_backend_colours_are_consistent():
    runs = load_runs([SAMPLE])
    assert len(set(plots.BACKEND_COLORS.values())) == 3
    for make in (plots.throughput_batch_figure, plots.memory_figure):
        fig = make(runs)
        for line in fig.axes[0].get_lines():
            key = next(k for k in plots.BACKEND_COLORS if line.get_label().startswith(k))
            assert line.get_color() == plots.BACKEND_COLORS[key]
        plots.plt.close(fig)


def test_speedup_falls_back_to_closest_point(tmp_path):
    run = load_runs([write(tmp_path / "q.json", quick_cpu_run())])[0]
    s = speedup(run, "cpu")
    assert (s["batch"], s["duration"], s["exact"]) == (16, 2.0, False)
    assert s["value"] == pytest.approx(1200 / 496)
    assert speedup(run, "cuda") is None


def test_number_formatting():
    assert fmt(123456.7, "rtf") == "123,457"
    assert fmt(56.78, "rtf") == "56.8"
    assert fmt(0.000312345) == "0.000312"
    assert fmt(2.2e-6) == "2.2e-06"
    assert fmt(0.96333, "pct") == "96.3 %"
    assert fmt(3 * 2**20, "mib") == "3 MiB"
    assert fmt(None) == "—" and fmt(True) == "yes"
    assert fmt("1234567") == "1234567"             # a numeric-looking git commit stays text
    assert redact_paths("run --out /data/x/out --n 3") == "run --out …/out --n 3"


def test_reports_imports_only_results_not_other_packages():
    for path in (REPO / "reports").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert name.split(".")[0] not in {"features", "model", "bench"}, (path.name, name)


def test_cli(sparse, tmp_path, capsys):
    bench = write(tmp_path / "bench.json", bench_json())
    # a folder holding results.json works as well as the file
    assert main([str(sparse[0]), "--bench-json", str(bench), "--out", str(tmp_path / "cli")]) == 0
    index = tmp_path / "cli" / "index.html"
    assert capsys.readouterr().out.strip() == str(index)
    assert "test_decode_soundfile" in index.read_text(encoding="utf-8")
    assert main([str(tmp_path / "missing.json"), "--out", str(tmp_path / "x")]) == 1
    assert "missing.json" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not on PATH (apt-get install chromium)")
def test_headless_chromium_screenshot(overlay, tmp_path):
    shot = tmp_path / "report.png"
    done = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", "--no-first-run",
                           f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,4000",
                           f"--screenshot={shot}", overlay[1].as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    assert shot.is_file() and shot.stat().st_size > 50_000, done.stderr[-2000:]
    with Image.open(shot) as im:
        assert im.size == (1400, 4000)
        lo, hi = im.convert("L").getextrema()
        assert hi - lo > 100                       # not a blank page
