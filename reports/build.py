"""``python -m reports.build``: a self-contained HTML report, and the README's generated results table.

Command line::

    python -m reports.build RESULTS [RESULTS ...] [--bench-json F ...] [--out DIR]
                            [--readme README.md RESULTS.md [--check]] [--index FILE]

``RESULTS`` are results.json files or folders holding one; several runs are overlaid. pytest-benchmark
JSON beside a results.json is found by itself; ``--bench-json`` adds more. ``--out DIR`` writes
``DIR/index.html`` (figures inline as SVG) and each figure as ``DIR/<name>.svg``. ``--readme`` rewrites
the generated blocks of each markdown file it names (reports.readme: the answer box in README.md, the
results rows in RESULTS.md); with ``--check`` it
rewrites nothing and exits 1, naming the differing lines, when the README disagrees with the results.
``--index FILE`` writes one page linking every run given (reports.run_index), e.g. reports/results/index.html.
Records the report cannot read are named on stderr and on the page. A failed build writes nothing.
"""

from __future__ import annotations

import argparse
import base64
import html
import importlib
import sys
import traceback
from pathlib import Path
from typing import Iterable

from reports import capabilities
from reports import readme as readme_block
from reports import run_index, upgrades
from reports.answer import Answer, answer, html_box
from reports.data import Run, backend_order, clip_counts, load_runs, overlay_warnings, redact_paths
from reports.figures.style import plt, svg_width_px, to_svg
from reports.harnesses import beside, read_benchmark_file
from reports.page import CSS, Block, Section, paragraph, placeholder, table_html
from reports.sections import ORDER, PageInputs
from reports.sections.glossary import define

#: the words of the answer box, defined beneath it (the first place they appear)
ANSWER_TERMS = ("In the box, " + define("speedup") + " The range in brackets is the lowest and highest the per-pass "
                "medians allow; " + define("pass / per-pass median") + " " + define("even"))


def context(results_paths: Iterable, bench_json_paths: Iterable = ()) -> PageInputs:
    """Read everything the page needs; raises OSError/ValueError for unreadable files. A versions.json (or a
    folder holding one and no results.json) is a version matrix run: the Upgrades section reads it."""
    results_paths = list(results_paths)
    versions = [upgrades.load(p) for p in results_paths if upgrades.is_versions(p)]
    runs, problems = load_runs([p for p in results_paths if not upgrades.is_versions(p)])
    return context_of(runs, problems, bench_json_paths, versions)


def context_of(runs: list[Run], problems: list[str], bench_json_paths: Iterable = (),
               versions: list | None = None) -> PageInputs:
    """The page's inputs from runs already loaded (or still in memory), and any version matrix runs;
    ValueError when there are no runs."""
    if not runs:
        raise ValueError("no results files given")
    benchmarks = [b for run in runs for b in beside(run)]
    for path in bench_json_paths:
        if not Path(path).is_file():
            raise OSError(f"{Path(path).name}: no such pytest-benchmark file")
        found = read_benchmark_file(Path(path))
        if not found:
            raise ValueError(f"{Path(path).name}: not pytest-benchmark JSON (no 'benchmarks' list)")
        benchmarks += found
    return PageInputs(runs, backend_order(runs), benchmarks, problems, overlay_warnings(runs), versions or [])


def shows_anything(block: Block, files: dict[str, str], warn) -> tuple[str, bool]:
    """(the block's HTML, whether it shows a figure, a table row or its own markup): a block that would only
    say "not measured" is left off the page."""
    before = set(files)
    out = render_block(block, files, warn)
    return out, bool(set(files) - before or any(t.rows for t in block.tables) or block.html
                     or 'class="warn"' in out)


def render_block(block: Block, files: dict[str, str], warn) -> str:
    """A block's HTML; its figure (if any) goes into ``files`` as SVG and inline as a data URI."""
    parts = [f'<h3 id="{block.slug}">{html.escape(block.title)}</h3>', paragraph(block.caption), block.html]
    if block.figure is not None:
        try:
            fig = block.figure()
        except Exception as exc:  # one bad figure must not cost the page; say where it failed
            where = traceback.extract_tb(exc.__traceback__)[-1]
            plt.close("all")
            msg = f"figure {block.slug} failed: {type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
            warn(msg)
            parts.append(f'<div class="warn">{html.escape(msg)}</div>')
        else:
            if fig is None:
                parts.append(placeholder(block.missing))
                block.tables = [t for t in block.tables if t.rows]  # one placeholder per block is enough
            else:
                svg = to_svg(fig)
                files[f"{block.slug}.svg"] = svg
                data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
                parts.append(f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{html.escape(block.title)}" '
                             f'style="width:{svg_width_px(svg)}px"><figcaption>also as '
                             f'<a href="{block.slug}.svg">SVG</a></figcaption></figure>')
    for t in block.tables:
        if not t.rows:
            parts.append((f"<h4>{html.escape(t.title)}</h4>" if t.title else "") + placeholder(block.missing))
        elif t.collapsed or len(t.rows) > 24:
            summary = html.escape(t.collapsed or f"table: {len(t.rows)} rows")
            parts.append(f"<details><summary>{summary}</summary>{table_html(t)}</details>")
        else:
            parts.append(table_html(t))
    if block.figure is None and not block.tables and not block.html:
        parts.append(placeholder(block.missing))
    out = "\n".join(p for p in parts if p)
    if block.folded:   # closed under its title; the title stays the anchor
        out = (f'<details class="block" id="{block.slug}"><summary>{html.escape(block.title)}</summary>'
               + out.replace(f' id="{block.slug}"', "", 1) + "</details>")
    return out


def header(ctx: PageInputs) -> str:
    """Title, one line per run (machine, dataset, split, counts, flags) and the warnings."""
    lines = []
    for run in ctx.runs:
        env = run.get("environment") if isinstance(run.get("environment"), dict) else {}
        info = run.get("dataset_info") if isinstance(run.get("dataset_info"), dict) else {}
        machine = ", ".join(str(x) for x in (env.get("cpu_model"), env.get("gpu_name")) if x) or "machine not recorded"
        data = info.get("name") or run.get("dataset") or "dataset not recorded"
        split_name = info.get("split")
        split = f"split {split_name}, " if split_name is not None else ""   # never "split None"
        counts = split + clip_counts(info)
        flags = ""
        if run.get("complete") is False:
            flags += ' <b class="flag">INCOMPLETE: some chosen measurements did not finish.</b>'
            failed = [f for f in run.get("failed") or [] if isinstance(f, dict)]
            if failed:
                flags += " " + html.escape(redact_paths("; ".join(f"{f.get('measurement')}: {f.get('error')}"
                                                                  for f in failed))) + "."
        if run.get("quick"):
            flags += " Quick run (reduced grid)."
        lines.append(f"<li><b>{html.escape(run.label)}</b>: {html.escape(machine)}; dataset "
                     f"{html.escape(str(data))}, {html.escape(counts)}; reference {html.escape(str(run.get('reference')))}; "
                     f"file {html.escape(run.source)}.{flags}</li>")
    warns = [f"Unreadable record, left out: {p}" for p in ctx.problems] + ctx.warnings
    box = ('<div class="warn"><b>Warnings</b><ul>' + "".join(f"<li>{html.escape(w)}</li>" for w in warns)
           + "</ul></div>") if warns else ""
    return f'<p class="meta">Runs:</p><ul class="meta">{"".join(lines)}</ul>{box}'


def render(ctx: PageInputs, warn=lambda m: None, the_answer: Answer | None = None) -> tuple[str, dict[str, str]]:
    """The page and its figure files ({name: svg}), nothing written. ``the_answer``: the answer already
    computed for these runs (computed here where not given)."""
    sections: list[Section] = [importlib.import_module(f"reports.sections.{name}").section(ctx) for name in ORDER]
    files: dict[str, str] = {}
    body, shown, empty = [], [], []
    for sec in sections:  # the one loop over every section and block; what measured nothing is left off
        blocks = [out for out, ok in (shows_anything(b, files, warn) for b in sec.blocks) if ok]
        if not blocks:
            empty.append(sec.heading)
            continue
        shown.append(sec)
        if sec.folded:
            blocks = [f'<details class="section"><summary>{html.escape(sec.folded)}</summary>', *blocks, "</details>"]
        body += [f'<section id="{sec.anchor}"><h2>{html.escape(sec.heading)}</h2>', *blocks, "</section>"]
    nav = "".join(f'<a href="#{s.anchor}">{html.escape(s.heading)}</a>' for s in shown)
    if empty:
        nav += '<span class="meta"> Not in these runs: ' + html.escape(", ".join(empty)) + ".</span>"
    backends = ", ".join(ctx.order) or "none"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MFCC benchmark: which backend, on which device?</title>
<style>{CSS}</style></head>
<body><main>
<h1>MFCC benchmark: which backend, on which device?</h1>
{html_box(the_answer or answer(ctx.runs, ctx.order))}
{paragraph(ANSWER_TERMS, "meta")}
<p class="meta">Backends, in the order every plot uses: {html.escape(backends)}.</p>
{header(ctx)}
<nav>{nav}</nav>
{chr(10).join(body)}
</main></body></html>
"""
    return page, files


def _stderr(msg: str) -> None:
    print(f"reports.build: warning: {msg}", file=sys.stderr)


def build_report(results_paths: Iterable, out_dir, bench_json_paths: Iterable = ()) -> Path:
    """Build ``out_dir/index.html`` and the figure files; returns the index path.

    Every problem (unreadable record, overlaid runs that differ) is printed to stderr and shown on the
    page. Nothing is written (no folder made) when reading or rendering fails.
    """
    return _write(context(results_paths, bench_json_paths), out_dir)


def build_report_for(runs: list[Run], out_dir, the_answer: Answer | None = None) -> Path:
    """:func:`build_report` for runs already in memory (bench.run's), leading with ``the_answer``."""
    return _write(context_of(runs, [p for run in runs for p in run.problems]), out_dir, the_answer)


def _write(ctx: PageInputs, out_dir, the_answer: Answer | None = None) -> Path:
    for msg in [f"unreadable record left out: {p}" for p in ctx.problems] + ctx.warnings:
        _stderr(msg)
    page, files = render(ctx, _stderr, the_answer)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.svg"):  # no figure left from an earlier build beside this page
        if stale.name not in files:
            stale.unlink()
    for name, svg in files.items():
        (out_dir / name).write_text(svg, encoding="utf-8")
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", help="results.json files (or folders holding one)")
    parser.add_argument("--bench-json", nargs="+", action="extend", default=[], metavar="F",
                        help="more pytest-benchmark JSON files (those beside a results.json are found anyway)")
    parser.add_argument("--out", help="folder for index.html and the figures")
    parser.add_argument("--readme", type=Path, nargs="+", default=[],
                        help="markdown files (README.md RESULTS.md) to rewrite, or check, between their markers")
    parser.add_argument("--check", action="store_true", help="with --readme: only check, exit 1 on a difference")
    parser.add_argument("--index", type=Path, help="write one HTML page linking every run given")
    args = parser.parse_args(argv)
    if not args.out and not args.readme and not args.index:
        parser.error("give --out DIR, --readme README.md, --index FILE, or several")
    if args.check and not args.readme:
        parser.error("--check needs --readme")
    try:
        if args.readme:
            ctx = context(args.results, args.bench_json)
            failed = False
            for path in args.readme:
                if args.check:
                    diff = readme_block.check(path, ctx.runs, ctx.order) + capabilities.check_readme(path)
                    if diff:
                        print(f"{path.name} disagrees with the results; regenerate with `python -m reports.build "
                              f"{' '.join(args.results)} --readme {' '.join(map(str, args.readme))}`:", file=sys.stderr)
                        print("\n".join(diff), file=sys.stderr)
                        failed = True
                    else:
                        print(f"{path.name} agrees with the results")
                else:
                    changed = readme_block.update(path, ctx.runs, ctx.order)
                    changed = capabilities.update_readme(path) or changed
                    print(f"{path}: {'rewritten' if changed else 'already up to date'}")
            if failed:
                return 1
        if args.out:
            print(build_report(args.results, args.out, args.bench_json))
        if args.index:
            runs, _ = load_runs(args.results)
            if not runs:
                raise ValueError("no results files given")
            print(run_index.write(runs, args.index))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
