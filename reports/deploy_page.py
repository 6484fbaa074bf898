"""docs/deploy.md's measured block, generated from a committed run and the emitters' verification record:

    python -m reports.deploy_page RESULTS_JSON [RESULTS_JSON ...] --verification VERIFICATION_JSON \
        --write docs/deploy.md [--check]

Speed (throughput, latency) comes from the runs that hold it, accuracy and the exported backend's agreement,
batch invariance and cold start from those that hold them, each run named with its folder.

The block sits between `<!-- deploy:begin -->` and `<!-- deploy:end -->`; `--check` exits 1 where the file
no longer says what the records say (tests/reports/test_deploy_page.py runs it on the committed files).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from reports import run_results
from reports.data import frame
from reports.page import fmt
from reports.sections.serving import exported

BEGIN = "<!-- deploy:begin -->"
END = "<!-- deploy:end -->"
POINTS = ((1, 1.0), (64, 1.0), (64, 10.0))


class _Run(dict):
    """A results dict with the `label` attribute reports.data.frame expects."""
    label = ""


def _ms(x) -> str:
    return fmt(None if x is None else 1e3 * x)


def verification_lines(record: dict) -> list[str]:
    lines = [f"Emitters, {record['sets_per_direction']} seeded settings per direction and feature kind "
             f"(`{record['command']}`, {fmt(record['wall_s'] / 60)} min; the torch file in float64 and float32, the "
             "ONNX file in float32 in ONNX Runtime; relative error max|artefact - source| / max|source|):", "",
             "| direction | within rounding | explained | refused | unexplained | worst torch f64 | worst torch f32 "
             "| worst ONNX f32 |", "|---|---|---|---|---|---|---|---|"]
    for direction, s in record["summary"].items():
        lines.append(f"| {direction} | {s.get('within', 0)} | {s.get('explained', 0)} | {s.get('refused', 0)} | "
                     f"{s.get('unexplained', 0)} | {s.get('worst_torch_float64', 0):.1e} | "
                     f"{s.get('worst_torch_float32', 0):.1e} | {s.get('worst_onnx_float32', 0):.1e} |")
    whys: dict = {}
    for row in record["rows"]:
        if row["verdict"] == "explained":
            why = row.get("why", "reason not recorded")
            whys[why] = whys.get(why, 0) + 1
    lines += [""] + [f"- explained, {n}: {why}" for why, n in sorted(whys.items())]
    return lines


def speed_lines(run: dict) -> list[str]:
    tp = frame(run, "throughput")
    tp = tp[(tp["device"] == "cpu") & (tp["thread_sweep"] != True) & (tp["includes_transfer"] != True)]  # noqa: E712
    lat = frame(run, "latency")
    heads = [f"clips/s at {b} x {d:g} s" for b, d in POINTS]
    lines = ["| backend (CPU) | " + " | ".join(heads) + " | one clip p50 (ms) | one clip p99 (ms) |",
             "|---|" + "---|" * (len(heads) + 2)]
    for backend in run.get("backends") or []:
        cells = []
        for batch, duration in POINTS:
            row = tp[(tp["backend"] == backend) & (tp["batch_size"] == batch) & (tp["duration_s"] == duration)]
            if row.empty:
                cells.append(fmt(None))
                continue
            r = row.iloc[0]
            per_pass = [batch / m for m in (r["pass_medians_s"] or [])]
            spread = f" [{fmt(min(per_pass))}–{fmt(max(per_pass))}]" if per_pass else ""
            cells.append(f"{fmt(r['clips_per_s'], 'rtf')}{spread}")
        lr = lat[lat["backend"] == backend]
        p50, p99 = (lr.iloc[0]["p50_s"], lr.iloc[0]["p99_s"]) if not lr.empty else (None, None)
        lines.append(f"| {backend} | " + " | ".join(cells) + f" | {_ms(p50)} | {_ms(p99)} |")
    calls = sorted({int(c) for c in lat["calls"]}) if not lat.empty else []
    passes = int(tp["passes"].max()) if not tp.empty else 0
    lines += ["", f"Throughput: median over {passes} interleaved passes, with the range of the per-pass medians in brackets. Latency: "
              f"{', '.join(fmt(c, 'int') for c in calls) or '—'} timed calls of one 1-second clip per backend, in rounds of 100 "
              "cycling through the backends."]
    return lines


def accuracy_lines(run: dict) -> list[str]:
    acc = frame(run, "accuracy")
    acc = acc[acc["preset"] == "matched"]
    deployed = exported(run)
    lines = ["| trained on | served by | accuracy per seed | change per seed |", "|---|---|---|---|"]
    worst = 0.0
    for trainer in run.get("backends") or []:
        mine = acc[acc["train_backend"] == trainer]
        own = {int(r["seed"]): r["test_accuracy"] for r in mine[mine["test_backend"] == trainer].to_dict("records")}
        for server in [trainer] + [b for b in deployed if b != trainer]:
            rows = mine[mine["test_backend"] == server].sort_values("seed")
            if rows.empty:
                continue
            accs = [f"{100 * a:.1f} %" for a in rows["test_accuracy"]]
            deltas = [100 * (a - own[int(s)]) for s, a in zip(rows["seed"], rows["test_accuracy"]) if int(s) in own]
            if server != trainer:
                worst = max([worst] + [abs(d) for d in deltas])
            lines.append(f"| {trainer} | {server} | {', '.join(accs)} | "
                         f"{', '.join(f'{d:+.1f} pp' for d in deltas) if server != trainer else '—'} |")
    lines += ["", f"Largest change from serving through {', '.join(deployed) or 'an exported backend'}: {worst:.1f} pp."]
    return lines


def exported_lines(run: dict) -> list[str]:
    """The exported backend's agreement, batch invariance and cold start, where the run measured them."""
    lines = []
    for backend in exported(run):
        agreement = frame(run, "agreement")
        agreement = agreement[(agreement["backend"] == backend) & (agreement["preset"] == "matched")]
        invariance = frame(run, "batch_invariance")
        invariance = invariance[invariance["backend"] == backend]
        cold = frame(run, "cold_start")
        cold = cold[cold["backend"] == backend]
        parts = ([f"agreement with the reference under `matched`, relative error {agreement.iloc[0]['rel_error']:.1e}"]
                 if not agreement.empty else [])
        parts += ([f"a clip alone against inside a batch, max |difference| {np.max(invariance['max_abs_error']):.1e}"]
                  if not invariance.empty else [])
        parts += ([f"cold start, import {fmt(cold.iloc[0]['import_s'])} s and first call (graph built, session "
                   f"created) {fmt(cold.iloc[0]['first_call_s'])} s"] if not cold.empty else [])
        if parts:
            lines.append(f"{backend}: " + "; ".join(parts) + ".")
    return lines


def _head(run: dict, path: Path, root: Path) -> str:
    env = run.get("environment") or {}
    info = run.get("dataset_info") or {}
    seeds = len(set(frame(run, "accuracy")["seed"].dropna()))
    where = path.resolve().relative_to(root).as_posix() if path.resolve().is_relative_to(root) else path.name
    return (f"- [{where}](../{where}): {run.get('label')}, {env.get('cpu_model', 'CPU not recorded')}, "
            f"profile {run.get('profile')}, {', '.join(run.get('measurements') or [])}"
            + (f" ({seeds} seeds)" if seeds else "") + f", {info.get('name')}" + (f" {info['split']} split" if info.get('split') else " data") + ", "
            f"{fmt(info.get('n_train'), 'int')} train / {fmt(info.get('n_test'), 'int')} test clips, "
            + (f"{fmt(run['wall_s'] / 60)} min" if run.get("wall_s") else "wall time not recorded")
            + ("" if run.get("complete") else
                                                            ", **stopped before its end** (what it finished is kept)"))


def block(results: list, verification: Path, doc_dir: Path) -> str:
    root = doc_dir.resolve().parent
    runs = []
    for path in results:
        run, _ = run_results.read(Path(path))
        runs.append(_Run(run))
    record = json.loads(Path(verification).read_text(encoding="utf-8"))
    lines = [BEGIN, "<!-- generated by `python -m reports.deploy_page RESULTS... --verification RECORD --write "
                    "docs/deploy.md`; edit the records or the generator, not this block -->", "", "From:", ""]
    lines += [_head(run, Path(path), root) for run, path in zip(runs, results)]
    verification_where = Path(verification).resolve()
    rel = verification_where.relative_to(root).as_posix() if verification_where.is_relative_to(root) else verification_where.name
    lines += [f"- [{rel}](../{rel})", ""]
    for run in runs:
        if not frame(run, "throughput").empty:
            lines += speed_lines(run) + [""]
    for run in runs:
        if not frame(run, "accuracy").empty:
            lines += accuracy_lines(run) + [""]
    for run in runs:
        lines += exported_lines(run)
    lines += [""] + verification_lines(record) + ["", END]
    return "\n".join(lines)


def rewrite(doc: Path, text_block: str) -> str:
    text = doc.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ValueError(f"{doc}: no '{BEGIN}' ... '{END}' markers")
    return text[:text.index(BEGIN)] + text_block + text[text.index(END) + len(END):]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m reports.deploy_page", description=__doc__.split("\n")[0])
    p.add_argument("results", nargs="+")
    p.add_argument("--verification", required=True, help="the emitters' record (tests/features/emitter_verification.py)")
    p.add_argument("--write", required=True, help="the markdown file holding the markers (docs/deploy.md)")
    p.add_argument("--check", action="store_true", help="exit 1 if the file differs from the records")
    a = p.parse_args(argv)
    doc = Path(a.write)
    new = rewrite(doc, block([Path(r) for r in a.results], Path(a.verification), doc.parent))
    if a.check:
        if new != doc.read_text(encoding="utf-8"):
            print(f"{doc}: its deploy block differs from the records; rerun without --check", file=sys.stderr)
            return 1
        return 0
    doc.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
