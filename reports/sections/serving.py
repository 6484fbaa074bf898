"""Serving one clip: single-clip latency percentiles (the latency table) and what serving a trained model
through an exported artefact changes (the accuracy rows served by a backend whose backend_info says
`exported`: the port's ONNX graph in ONNX Runtime)."""

from __future__ import annotations

from reports.data import frame, num
from reports.page import Block, Section, Table, fmt

def exported(run) -> list[str]:
    """The run's backends that serve an exported artefact (backend_info's `exported`), in run order."""
    info = run.get("backend_info") or {}
    return [b for b in run.get("backends") or [] if (info.get(b) or {}).get("exported")]


def _ms(seconds) -> str:
    x = num(seconds)
    return fmt(None if x is None else 1e3 * x)


def latency_table(runs, order: list[str]) -> Table:
    """p50 / p90 / p99 / max per backend and device, in ms, and the spread of the rounds' medians."""
    rows = []
    for run in runs:
        df = frame(run, "latency")
        for rec in sorted(df.to_dict("records"), key=lambda r: order.index(r["backend"]) if r["backend"] in order else 99):
            rounds = [x for x in (rec.get("round_p50s_s") or []) if num(x) is not None]
            spread = f"{_ms(min(rounds))}–{_ms(max(rounds))}" if rounds else fmt(None)
            rows.append(([run.label] if len(runs) > 1 else []) + [
                f"{rec['backend']} {rec['device']}", fmt(rec.get("calls"), "int"), _ms(rec.get("p50_s")),
                _ms(rec.get("p90_s")), _ms(rec.get("p99_s")), _ms(rec.get("max_s")), spread])
    return Table((["run"] if len(runs) > 1 else []) + ["backend", "calls", "p50 (ms)", "p90 (ms)", "p99 (ms)",
                                                       "max (ms)", "rounds' p50 (ms)"], rows,
                 "One 1-second clip per call, every call timed")


def deployment_rows(runs) -> list[dict]:
    """Per run, config, trainer and seed: accuracy served by the trainer's own features (own) and by the
    deployed backend (served), and the change in pp."""
    out = []
    for run in runs:
        df = frame(run, "accuracy")
        if df.empty:
            continue
        df = df[df["preset"] != "ported"]
        for (preset, trainer, seed), g in df.groupby(["preset", "train_backend", "seed"], sort=True, dropna=False):
            own = g[g["test_backend"] == trainer]["test_accuracy"]
            for server in exported(run):
                served = g[g["test_backend"] == server]["test_accuracy"]
                if trainer == server or own.empty or served.empty:
                    continue
                out.append(dict(run=run.label, preset=str(preset), trainer=str(trainer), seed=seed, server=server,
                                own=float(own.iloc[0]), served=float(served.iloc[0]),
                                change_pp=100 * (float(served.iloc[0]) - float(own.iloc[0]))))
    return out


def deployment_table(runs, rows: list[dict]) -> Table:
    several = len(runs) > 1
    return Table((["run"] if several else []) + ["config", "trained on", "seed", "served by its own features",
                                                 "served by", "accuracy there", "change"],
                 [([r["run"]] if several else []) + [r["preset"], r["trainer"], fmt(r["seed"], "int"),
                                                     fmt(r["own"], "pct"), r["server"], fmt(r["served"], "pct"),
                                                     fmt(r["change_pp"], "pp")] for r in rows],
                 "A model trained on one backend's features, served by an exported artefact (the port's ONNX graph)")


def section(ctx) -> Section:
    runs, order = ctx.runs, ctx.order
    latency = latency_table(runs, order)
    rows = deployment_rows(runs)
    deployed = deployment_table(runs, rows)
    worst = max((abs(r["change_pp"]) for r in rows), default=None)
    return Section("serving", "Serving one clip", [
        Block("latency", "Single-clip latency", "A server is judged by its tail: each backend called on one 1-second "
              "clip at least 1,000 times (200 in the quick profiles), in rounds of 100 calls that cycle through the "
              "backends so a shared machine's drift hits each alike; p50 and p99 over every timed call, and the "
              "range of the rounds' medians.", None, [latency] if latency.rows else [],
              "latency records (a run with the latency measurement)"),
        Block("deployment", "Trained on one library, served by an exported graph",
              "The accuracy of each trained model served by its own features and by each backend that runs an "
              "artefact of python -m features.port ... --emit (backend_info: exported). "
              + (f"Largest change: {fmt(worst, 'pp')} (absolute) over {len(rows)} served models." if worst is not None else ""), None,
              [deployed] if deployed.rows else [], "accuracy records served by an exported backend"),
    ])
