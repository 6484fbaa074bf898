"""The questions a run cannot answer yet, as plain sentences (the page's head and the README show them)."""

from __future__ import annotations

from reports.data import is_gpu, records, throughput_points


def unanswered(run: dict, order: list[str]) -> list[str]:
    """Plain sentences naming each question the run cannot answer yet."""
    out = []
    chosen = run.get("measurements")
    if chosen and "throughput" not in chosen:       # a run asked for other measurements only (e.g. a split)
        out.append(f"This run measured {', '.join(chosen)} only: its speed questions are left to the other runs.")
        if not records(run, "accuracy") and "accuracy" in chosen:
            out.append("No accuracy records: which features train the better classifier is not answered.")
        if run.get("complete") is False:
            out.append("This run is marked incomplete: some chosen measurements did not finish.")
        return out
    df = throughput_points(run)
    if df.empty:
        out.append("No throughput records: the speed questions are not answered.")
    elif not df["device"].map(is_gpu).any():
        out.append("No GPU in this run: its speed verdicts are CPU vs CPU; the CPU-vs-GPU question needs a GPU run "
                   "(`make bench-gpu`, docs/gpu.md).")
    measured = set(df["backend"]) if not df.empty else set()
    for b in order:
        if b not in measured:
            out.append(f"{b} has no throughput records in this run: its speed is not compared.")
    info = run.get("backend_info") or {}
    unmeasured = []
    for b, meta in info.items():
        devs = meta.get("devices") if isinstance(meta, dict) else None
        for d in devs or []:
            if is_gpu(d) and b in measured and not ((df["backend"] == b) & (df["device"] == d)).any():
                unmeasured.append((d, b))
    for d in dict.fromkeys(d for d, _ in unmeasured):
        out.append(f"Able to run on {d}, not measured there in this run: {', '.join(b for dd, b in unmeasured if dd == d)}.")
    if not records(run, "accuracy"):
        out.append("No accuracy records: which features train the better classifier is not answered.")
    if not records(run, "corpus_scaling") and not records(run, "pipeline"):
        out.append("No corpus or pipeline run: \"a whole corpus\" is read from the largest batch measured.")
    if run.get("complete") is False:
        out.append("This run is marked incomplete: some chosen measurements did not finish.")
    return out
