"""The two harnesses side by side: pytest-benchmark JSON against bench.run's throughput records at
the same points, with every difference one can see in the files named (threads, rounds, config,
machine, session)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from reports.data import Run, num, records, throughput_points
from reports.schema import current_backend


def read_benchmark_file(path: Path, run_label: str | None = None) -> list[dict]:
    """The entries of one pytest-benchmark JSON, each with ``_source``, ``_run``, ``_machine``,
    ``_commit`` and ``_datetime`` added and its ``extra_info`` backend under its current name;
    ``[]`` when the file is not pytest-benchmark JSON."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return []
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        return []
    extra = {"_source": Path(path).name, "_run": run_label, "_machine": data.get("machine_info") or {},
             "_commit": data.get("commit_info") or {}, "_datetime": data.get("datetime")}
    return [{**b, **extra, **_renamed_backend(b)} for b in data["benchmarks"] if isinstance(b, dict)]


def _renamed_backend(benchmark: dict) -> dict:
    """{"extra_info": ...} with its backend as results.json spells it now (reports.schema.current_backend:
    a file written before a backend was renamed names it by its old name); {} where it names none."""
    info = benchmark.get("extra_info")
    if not isinstance(info, dict) or "backend" not in info:
        return {}
    return {"extra_info": dict(info, backend=current_backend(info["backend"]))}


def beside(run: Run) -> list[dict]:
    """pytest-benchmark entries from JSON files in the run's folder (results.json excluded)."""
    folder = run.dir
    if not folder:
        return []
    out = []
    for path in sorted(Path(folder).glob("*.json")):
        if path.name != "results.json":
            out += read_benchmark_file(path, run.label)
    return out


def matched_config_hash(run: dict) -> str | None:
    """The matched config's hash as the run's accuracy records give it (train_config), if any."""
    for r in records(run, "accuracy"):
        if r.preset == "matched" and r.train_config:
            return str(r.train_config)
    return None


def _when(text) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None


def differences(run: dict, rec: dict, bench: dict) -> list[str]:
    """What the two files show to differ for one point (empty when nothing visible differs)."""
    info = bench.get("extra_info") or {}
    stats = bench.get("stats") or {}
    env = run.get("environment") or {}
    out = []
    if num(info.get("torch_threads")) is not None and num(rec.get("threads")) is not None \
            and info["torch_threads"] != rec["threads"]:
        out.append(f"threads {info['torch_threads']} against {rec['threads']:g}")
    out.append(f"rounds {stats.get('rounds', '?')} (one warm-up) against {rec.get('repeats', '?')} repeats × "
               f"{rec.get('passes', '?')} passes")
    ref_hash = matched_config_hash(run)
    if info.get("config") and ref_hash and info["config"] != ref_hash:
        out.append(f"config hash {info['config']}, not the matched {ref_hash} of the run's accuracy records (sample_size "
                   "follows the clip length; the run does not record its hash at this point)")
    cpu = (bench.get("_machine").get("cpu") or {}).get("brand_raw") if isinstance(bench.get("_machine"), dict) else None
    if cpu and env.get("cpu_model") and cpu != env["cpu_model"]:
        out.append(f"CPU {cpu} against {env['cpu_model']}")
    commit = (bench.get("_commit") or {}).get("id")
    if commit and env.get("git_commit") and commit != env["git_commit"]:
        out.append(f"commit {commit[:8]} against {str(env['git_commit'])[:8]}")
    a, b = _when(bench.get("_datetime")), _when(env.get("date"))
    if a and b:
        try:
            gap = abs((a - b).total_seconds()) / 60
            out.append(f"written {gap:.0f} min apart" + (" (another session)" if gap > 60 else " (same session)"))
        except TypeError:
            pass
    out.append("input signals are not recorded in either file")
    return out


def compare(run: dict, benchmarks: list[dict]) -> list[dict]:
    """One row per pytest-benchmark entry at a point bench.run measured: both medians, both spreads,
    the ratio and whether the difference exceeds the passes' spread (with what differs)."""
    df = throughput_points(run)
    if df.empty:
        return []
    rows = []
    for b in benchmarks:
        info = b.get("extra_info") or {}
        stats = b.get("stats") or {}
        med = num(stats.get("median"))
        if med is None or not info.get("backend"):
            continue
        hit = df[(df["backend"] == info["backend"]) & (df["device"] == info.get("device", "cpu"))
                 & (df["batch_size"] == num(info.get("batch_size"))) & (df["duration_s"] == num(info.get("duration_s")))
                 & (~df["transfer"])]
        if hit.empty:
            continue
        rec = hit.iloc[0].to_dict()
        spread = rec["hi_s"] - rec["lo_s"]
        larger = abs(med - rec["median_s"]) > spread
        rows.append({"series": rec["series"].name, "batch_size": rec["batch_size"], "duration_s": rec["duration_s"],
                     "run_median_s": rec["median_s"], "run_lo_s": rec["lo_s"], "run_hi_s": rec["hi_s"],
                     "bench_median_s": med, "bench_min_s": num(stats.get("min")), "bench_max_s": num(stats.get("max")),
                     "ratio": med / rec["median_s"], "larger_than_spread": larger,
                     "differences": differences(run, rec, b) if larger else [], "source": b.get("_source")})
    return rows
