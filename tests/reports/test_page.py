"""The built page: the verdict at its head, the new sections, warnings, harness comparison, figures.

Two pages are built once per module: ``gpu`` from the synthetic schema-2 fixture (6 backends, a GPU,
every table) and ``cpu`` from a frozen copy of an earlier committed CPU run (tests/reports/data/cpu_schema1:
schema 1, with pytest-benchmark JSON beside it; the committed runs themselves are schema 3).
"""

from __future__ import annotations

import ast
import base64
import re
import shutil
import subprocess

import pytest
from PIL import Image

from reports.build import build_report, main
from reports.data import load_runs
from reports.schema import RENAMED_IN_5
from reports.figures import pytest_benchmark, throughput_lines
from reports.page import NOT_MEASURED
from tests.reports.helpers import FIXTURE, REPO, SCHEMA1_CPU, load, table_by_id, tables, write


@pytest.fixture(scope="module")
def gpu(tmp_path_factory):
    root = tmp_path_factory.mktemp("gpu")
    run = root / "run"
    run.mkdir()
    shutil.copy(FIXTURE, run / "results.json")
    index = build_report([run], root / "out")
    return index, index.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cpu(tmp_path_factory):
    index = build_report([SCHEMA1_CPU.parent], tmp_path_factory.mktemp("cpu") / "out")
    return index, index.read_text(encoding="utf-8")


def svgs(page: str) -> list[str]:
    return [base64.b64decode(m).decode() for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)]


def test_verdict_table_leads_the_page_with_a_row_per_scenario_and_question(gpu):
    page = gpu[1]
    # answer, what a swap costs, agreement, then speed; the glossary after the detail
    assert (page.index('class="answer"') < page.index('id="swap"') < page.index('id="agreement"')
            < page.index('id="verdict"') < page.index('id="throughput_batch"') < page.index('id="glossary"'))
    rows = table_by_id(page, "verdict_table")
    scenarios = {r["scenario"] for r in rows}
    assert scenarios == {"one clip at a time (inference)", "a training batch", "long recordings (10 s clips, batched)",
                         "a whole corpus"}
    first = {}
    for r in rows:
        if r["scenario"].startswith("one clip"):
            first.setdefault(r["question"], r)           # every pair has a row, the fastest first
    cpu_pairs = [r for r in rows if r["scenario"].startswith("one clip") and r["question"] == "CPU vs CPU"]
    assert len(cpu_pairs) > 1 and len({r["reading"] for r in cpu_pairs}) == len(cpu_pairs)
    assert set(first) == {"CPU vs CPU", "CUDA vs CPU, incl. host→device copy", "CUDA vs CPU, kernels only"}
    assert first["CPU vs CPU"]["faster choice"] == "librosa_torch cpu"
    assert re.fullmatch(r"[\d.]+× \[[\d.]+–[\d.]+×\]", first["CPU vs CPU"]["speedup over the reference [range]"])
    assert "A is faster than B when the ranges [min, max]" in page and "1.10" in page


def test_even_where_the_passes_overlap(cpu):
    rows = {}
    for r in table_by_id(cpu[1], "verdict_table"):
        rows.setdefault(r["scenario"], r)
    assert rows["one clip at a time (inference)"]["faster choice"] == "torchaudio cpu"
    assert rows["one clip at a time (inference)"]["speedup over the reference [range]"].startswith("3.5×")
    assert rows["a training batch"]["faster choice"] == "even"
    assert "ranges overlap" in rows["a training batch"]["reading"]


def test_unanswered_questions_are_said_plainly(cpu, gpu):
    assert "No GPU in this run: its speed verdicts are CPU vs CPU" in cpu[1]
    assert "No GPU in this run" not in gpu[1]
    assert "INCOMPLETE" in gpu[1] and "INCOMPLETE" not in cpu[1]


def test_one_heatmap_per_device_question(gpu, cpu):
    index = gpu[0]
    for name in ("speedup_cpu_vs_cpu", "speedup_cuda_vs_cpu_incl_host_device_copy", "speedup_cuda_vs_cpu_kernels_only"):
        assert (index.parent / f"{name}.svg").is_file(), name
    assert sorted(p.name for p in cpu[0].parent.glob("speedup_*.svg")) == ["speedup_cpu_vs_cpu.svg"]
    svg = (index.parent / "speedup_cpu_vs_cpu.svg").read_text()
    assert "kaldi definition" in svg and "even" in svg


def test_new_tables_have_sections(gpu):
    page = gpu[1]
    for slug in ("stages", "pipeline", "corpus_scaling", "agreement_matrix", "accuracy"):
        assert f'id="{slug}"' in page and (gpu[0].parent / f"{slug}.svg").is_file(), slug
    # the projection: a small table stating its assumption, no figure, stopping at 16 workers
    assert 'id="projection"' in page and not (gpu[0].parent / "projection.svg").exists()
    projected = next(rows for title, rows in tables(page) if rows[0][0] == "backend" and any("CPU worker" in h for h in rows[0]))
    workers = [int(h.split()[0]) for h in projected[0][1:]]
    assert workers and max(workers) <= 16, projected[0]
    assert "Assumption: each backend" in page and "(a projection, not a measurement)" in page
    matrix = (gpu[0].parent / "agreement_matrix.svg").read_text()
    assert "≠ def." in matrix and "torchaudio_kaldi vs kaldi" in matrix
    assert "nnaudio, torchaudio_kaldi: batch 256 x 10\u00a0s dropped on the CPU" in page   # thinned points named


def test_accuracy_and_swap_verdicts_name_their_baseline(gpu, cpu):
    acc = next(rows for _, rows in tables(gpu[1]) if rows[0][:2] == ["backend", "preset"])
    kaldi = next(r for r in acc if r[0].startswith("kaldi "))
    assert kaldi[0] == "kaldi (kaldi definition)" and kaldi[5] == "-1.7 pp vs librosa→librosa, matched"
    swap = next(rows for _, rows in tables(cpu[1]) if rows[0][:2] == ["config", "library swap"])
    naive = next(r for r in swap if r[0] == "library_defaults" and r[1] == "trained on librosa, served by torchaudio")
    # a run trained on one seed says so: no interval, no verdict word, the change only
    assert naive[2:] == ["59.3 % (1 seed, no interval)", "-39.3 pp vs librosa→librosa, library_defaults",
                         "inconclusive at 1 seed (change -39.3 pp)"]


def test_header_names_machine_dataset_split_and_counts(cpu):
    assert "AMD EPYC; dataset fsdd, split official, 2,430 train / 270 val / 300 test clips" in cpu[1]


def test_glossary_explains_every_preset_and_term(cpu):
    for term in ("matched", "library_defaults", "naive_port", "defaults_swap", "top_db_scope", "H2D copy", "pp",
                 "ablation (only the second backend&#x27;s side changes)"):
        assert f"<dt>{term}</dt>" in cpu[1], term


def test_unreadable_records_are_named_on_stderr_and_page(tmp_path, capsys):
    data = load(FIXTURE)
    data["throughput"][0]["batch_size"] = "1"
    del data["accuracy"][0]["test_accuracy"]
    index = build_report([write(tmp_path / "results.json", data)], tmp_path / "out")
    err = capsys.readouterr().err
    page = index.read_text(encoding="utf-8")
    for what in ("throughput[0] (backend librosa, device cpu, batch_size 1, duration_s 0.5): field 'batch_size' is '1'",
                 "accuracy[0] (train_backend librosa, test_backend librosa, device cuda, preset matched): field 'test_accuracy' "
                 "missing"):
        assert what in err and what.replace("'", "&#x27;") in page


def test_overlaying_different_datasets_or_configs_warns(tmp_path, capsys):
    other = load(FIXTURE)
    other["dataset_info"]["split"] = "speakers"
    other["config"]["n_mfcc"] = 20
    index = build_report([FIXTURE, write(tmp_path / "results.json", other)], tmp_path / "out")
    err = capsys.readouterr().err
    assert "used different datasets (fsdd/official against fsdd/speakers)" in err
    assert "used different MFCC configs (differing: n_mfcc)" in err
    assert "different datasets" in index.read_text(encoding="utf-8")


def test_harnesses_compared_where_they_share_a_point(cpu):
    rows = next(rows for _, rows in tables(cpu[1]) if rows[0][0] == "series" and "reading" in rows[0])
    by = {(r[0], r[1]): r for r in rows[1:]}
    lib64 = by[("librosa cpu", "64 × 1 s")]        # bench.run 26.2 ms [25.0-27.1], pytest 40.3 ms
    assert lib64[4] == "1.54×" and lib64[5].startswith("differs by more than the passes' spread")
    # the frozen run's record (librosa cpu, 64 x 1 s, default threads) holds repeats 46, passes 3; the
    # pytest-benchmark JSON beside it, 20 rounds
    assert "rounds 20 (one warm-up) against 46 repeats × 3 passes" in lib64[5]
    assert "(same session)" in lib64[5] and "input signals are not recorded" in lib64[5]
    assert len(rows) - 1 == 12                        # every pytest-benchmark point has a bench.run twin


def test_failed_build_writes_nothing(tmp_path, capsys):
    out = tmp_path / "never"
    assert main([str(tmp_path / "missing.json"), "--out", str(out)]) == 1
    assert "missing.json" in capsys.readouterr().err
    assert not out.exists()


def test_figures_follow_the_house_style():
    runs, _ = load_runs([FIXTURE])
    order = runs[0]["backends"]
    fig = throughput_lines.draw(runs, order, along="batch_size", at=1.0)
    ax = fig.axes[0]
    assert list(ax.get_xticks()) == [1, 8, 64, 256]                          # ticks at the measured sizes
    labels = [line.get_label().split(" ")[0] for line in ax.get_lines()]
    assert labels == sorted(labels, key=order.index)                          # backends in a fixed order
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert ax.xaxis.label.get_window_extent(renderer).y0 >= 0                 # axis title not cut off
    assert pytest_benchmark.group_key("batch=8 duration=1.0s") < pytest_benchmark.group_key("batch=64 duration=1.0s")


def test_no_backend_named_outside_the_schema_default():
    names = set(load(FIXTURE)["backends"]) | {"librosa", "torchaudio"}
    for path in (REPO / "reports").rglob("*.py"):
        if "results" in path.relative_to(REPO / "reports").parts:
            continue                              # a committed run's own one-off scripts
        tree = ast.parse(path.read_text(encoding="utf-8"))
        named = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value in names}
        if path.name == "schema.py":
            named -= {"librosa", *RENAMED_IN_5}   # DEFAULT_REFERENCE and the old names schema 5 upgrades
        if path.name == "upgrades.py":
            named -= {"librosa", "torchaudio"}    # the version matrix is of these two libraries, not backends
        assert not named, (path.name, named)


def test_modules_are_small_and_import_no_upstream_package():
    # which package may import which is the layer contract's (pyproject.toml, lint-imports in `make test`);
    # here: reports takes from features only the port's snippet and, for the capability matrix, the backends'
    # declared capabilities (the registry and the known torch pair); nothing from model or bench
    for path in (REPO / "reports").rglob("*.py"):
        if "results" in path.relative_to(REPO / "reports").parts:
            continue                              # a committed run's own one-off scripts
        text = path.read_text(encoding="utf-8")
        assert text.count("\n") <= 400, path.name
        for node in ast.walk(ast.parse(text)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not {m.split(".")[0] for m in mods} & {"model", "bench"}, path.name
            assert all(m in ("features.port.snippet", "features.backends", "features.stack", "features")
                       for m in mods if m.split(".")[0] == "features"), path.name


def test_page_is_self_contained(gpu):
    page = re.sub(r"data:image/svg\+xml;base64,[^\"]+", "data:", gpu[1])
    for bad in ("/home/someone", "http://", "https://", "<script", "<link", "@import"):
        assert bad not in page, bad
    assert all(s.lstrip().startswith("<?xml") for s in svgs(gpu[1]))
    # a block the run measured nothing for (io resample etc.) is left off, not shown as a "not measured" box
    assert NOT_MEASURED not in page


CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not on PATH (.ci/run installs it: apt-get install chromium)")
# As this workplace's machines run it: no sandbox as root, and no background connections on a closed network.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FIRST_SCREEN = 900          # window height in px: what a reader sees before scrolling
# Appended to a copy of the page (the page itself has no script): after load, what a reader's browser laid out.
PROBE = """<script>window.addEventListener('load', () => {
  const v = document.getElementById('verdict'), a = document.getElementById('answer'), imgs = [...document.images];
  const out = {inner: window.innerWidth, innerHeight: window.innerHeight,
    scrollWidth: document.documentElement.scrollWidth, verdictTop: v ? v.getBoundingClientRect().top : null,
    answerBottom: a ? a.getBoundingClientRect().bottom : null,
    images: imgs.length, broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt || '?')};
  const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});</script>"""


def chromium_probe(index, tmp_path, width: int) -> dict:
    """Load the page in headless Chromium at `width` x FIRST_SCREEN px; the layout facts PROBE reports."""
    import json

    probed = index.with_name("probe.html")              # beside the page, so its relative figure paths resolve
    probed.write_text(index.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           f"--window-size={width},{FIRST_SCREEN}", "--virtual-time-budget=5000", "--dump-dom",
                           probed.as_uri()], capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="probe">([^<]*)</pre>', done.stdout)
    assert found, f"chromium printed no probe: {done.stderr[-2000:]}"
    return json.loads(found.group(1).replace("&quot;", '"'))


@pytest.mark.slow                     # spawns a browser
@needs_chromium
@pytest.mark.parametrize("width", [800, 1400])
@pytest.mark.parametrize("which", ["gpu", "cpu"])
def test_a_reader_sees_the_verdict_first_and_every_figure(request, tmp_path, which, width):
    index, page = request.getfixturevalue(which)
    seen = chromium_probe(index, tmp_path, width)
    if width == 1400:                   # the whole answer box inside the first 900 px
        assert seen["answerBottom"] is not None and 0 < seen["answerBottom"] <= FIRST_SCREEN, seen
    else:                               # at 800 px it starts there
        assert seen["answerBottom"] is not None and seen["answerBottom"] > 0, seen
    assert seen["verdictTop"] is not None and seen["verdictTop"] > 0, seen
    assert seen["scrollWidth"] <= seen["inner"], seen                                    # no horizontal overflow
    assert seen["images"] == page.count("<img") > 0 and seen["broken"] == [], seen        # every figure loads


@pytest.mark.slow                     # spawns a browser
@needs_chromium
@pytest.mark.parametrize("width", [800, 1400])
def test_headless_chromium_fits_the_width(gpu, tmp_path, width):
    shot = tmp_path / "shot.png"
    done = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           f"--window-size={width},2400", f"--screenshot={shot}", gpu[0].as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert shot.is_file(), done.stderr[-2000:]
    with Image.open(shot) as im:
        assert im.size == (width, 2400)
        lo, hi = im.convert("L").getextrema()
        assert hi - lo > 100
