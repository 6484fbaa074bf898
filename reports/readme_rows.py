"""README rows for the figures a user sizes hardware and picks a library with: throughput per backend,
its time against the bare FFT + mel time (a yardstick, not a bound), where the time goes (the sum of stages
beside the throughput grid's whole call), the cheaper power step, the corpus job and its projection,
the training input pipeline. Every value comes from the run's records; nothing here is typed by hand."""

from __future__ import annotations

import pandas as pd

from reports.data import frame, throughput_points
from reports.page import fmt
from reports.sections.corpus import MAX_PROJECTED_WORKERS

USUAL = (64, 1.0)       # batch x seconds of the headline rows (the grid's usual point)


def _at(df: pd.DataFrame, batch: int, duration: float) -> pd.DataFrame:
    if df.empty:
        return df
    return df[(df["batch_size"] == batch) & (df["duration_s"] == duration)]


def _default_threads(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty:
        return df
    keep = ~df["thread_sweep"].fillna(False).astype(bool) if "thread_sweep" in df else True
    if "includes_transfer" in df:
        keep = keep & ~df["includes_transfer"].fillna(False).astype(bool)
    return df[keep]


def throughput_rows(run: dict, order: list[str]) -> list[tuple[str, str]]:
    """Realtime factor of every backend and device at batch 1 and 64 x 1 s, with its time over the bare FFT + mel
    time at that point."""
    df = _default_threads(frame(run, "throughput"))
    rows = []
    for batch, duration in ((1, 1.0), USUAL):
        at = _at(df, batch, duration)
        if at.empty:
            continue
        at = at.assign(_pos=[order.index(b) if b in order else len(order) for b in at["backend"]]).sort_values("_pos")
        cells = []
        for r in at.to_dict("records"):
            bare = r.get("ceiling_fraction")            # bare FFT + mel time / this call's time
            share = f", {fmt(bare, 'per_x')} the bare FFT + mel time" if bare is not None and pd.notna(bare) else ""
            config = "" if r.get("config") in (None, "matched") else f" ({r['config']})"
            cells.append(f"{r['backend']} {r['device']} {fmt(r['realtime_factor'], 'rtf')}× "
                         f"[{fmt(r.get('realtime_factor_q1'), 'rtf')}–{fmt(r.get('realtime_factor_q3'), 'rtf')}]"
                         f"{share}{config}")
        rows.append((f"realtime factor, batch {batch} × {duration:g} s (IQR)", "; ".join(cells)))
    return rows


def stage_rows(run: dict) -> list[tuple[str, str]]:
    """Per backend and device at the usual point: each stage's milliseconds (a separate stage run), their sum,
    and the whole call's time from the throughput grid (the one number given per point)."""
    df = _at(frame(run, "stages"), *USUAL)
    grid = _at(throughput_points(run), *USUAL)
    rows = []
    for (backend, device), g in (df.groupby(["backend", "device"], sort=False) if not df.empty else []):
        parts = ", ".join(f"{r['stage']} {fmt(r['median_s'] * 1e3)}" for r in g.to_dict("records"))
        whole = grid[(grid["backend"] == backend) & (grid["device"] == device)] if not grid.empty else grid
        whole_text = (f"; whole call {fmt(whole.sort_values('transfer').iloc[-1]['median_s'] * 1e3)} (throughput grid)"
                      if not whole.empty else "")
        rows.append((f"where the time goes, {backend} {device}, batch {USUAL[0]} × {USUAL[1]:g} s (ms)",
                     f"stages timed one by one (separate stage run): {parts}; sum of stages "
                     f"{fmt(float(g.iloc[0]['stages_sum_s']) * 1e3)}{whole_text}"))
    return rows


def power_step_rows(run: dict) -> list[tuple[str, str]]:
    """The cheaper power step per backend and point: the step alone and the whole call, both ways."""
    rows = []
    for r in frame(run, "power_step").to_dict("records"):
        rows.append((f"cheaper power step (real² + imag²), {r['backend']} {r['device']}, batch {r['batch_size']} × "
                     f"{r['duration_s']:g} s",
                     f"step {fmt(r['stage_stock_s'] * 1e3)} → {fmt(r['stage_cheap_s'] * 1e3)} ms "
                     f"({fmt(r['stage_speedup'], 'x')}); stages chained (separate run) {fmt(r['whole_stock_s'] * 1e3)} → "
                     f"{fmt(r['whole_cheap_s'] * 1e3)} ms ({fmt(r['whole_speedup'], 'x')}); outputs differ by "
                     f"{fmt(r['rel_diff'])} relative"))
    return rows


def corpus_rows(run: dict) -> list[tuple[str, str]]:
    """The corpus job per backend: rate per worker, 2-worker scaling, Ray's overhead; then the projection."""
    df = frame(run, "corpus_scaling")
    rows = []
    for (backend, device), g in (df.groupby(["backend", "device"], sort=False) if not df.empty else []):
        ray = g[g["engine"] == "ray"].sort_values("workers")
        single = g[g["engine"] == "single_process"]
        cells = [f"{'one process' if r['engine'] == 'single_process' else str(int(r['workers'])) + ' Ray worker(s)'} "
                 f"{fmt(r['audio_hours_per_hour'], 'rtf')} h/h" for r in pd.concat([single, ray]).to_dict("records")]
        top = ray.iloc[-1] if not ray.empty else None
        if top is not None and top.get("speedup_vs_one_worker") is not None and pd.notna(top["speedup_vs_one_worker"]):
            cells.append(f"{int(top['workers'])} workers {fmt(top['speedup_vs_one_worker'], 'x')} one worker")
        over = ray["overhead_vs_single_process"].dropna() if "overhead_vs_single_process" in ray else []
        if len(over):
            cells.append(f"Ray at one worker {float(over.iloc[0]) * 100:+.0f} % against one process")
        rows.append((f"corpus job, {backend} {device} (hours of audio per wall-clock hour)", "; ".join(cells)))
    proj = frame(run, "projection")
    if not proj.empty:
        big = proj[(proj["corpus_hours"] == proj["corpus_hours"].max()) & (proj["count"] <= MAX_PROJECTED_WORKERS)]
        for (backend, device), g in big.groupby(["backend", "device"], sort=False):
            cells = [f"{int(r['count'])} {'GPU(s)' if r['resource'] == 'gpus' else 'CPU worker(s)'} "
                     f"{fmt(r['projected_wall_h'])} h" for r in g.to_dict("records")]
            rows.append((f"projection (extrapolated, not measured; measured efficiency assumed to hold up to "
                         f"{MAX_PROJECTED_WORKERS} workers): {int(g.iloc[0]['corpus_hours']):,} h of audio, "
                         f"{backend} {device}", "; ".join(cells)))
    return rows


def pipeline_rows(run: dict) -> list[tuple[str, str]]:
    """The training input pipeline: samples per second and the limiting stage, per mode and backend."""
    df = frame(run, "pipeline")
    if df.empty:
        return []
    cells = [f"{r['backend']} {r['device']} {r['mode'].replace('_', ' ')}"
             f"{'' if r['mode'] == 'cache' else ', ' + str(int(r['workers'])) + ' worker(s)'}: "
             f"{fmt(r['samples_per_s'], 'rtf')}/s ({r['limiting_stage']})" for r in df.to_dict("records")]
    return [("training input pipeline, decode included (samples/s, limiting stage)", "; ".join(cells))]


def measurement_rows(run: dict, order: list[str]) -> list[tuple[str, str]]:
    """Every row above, in reading order."""
    return (throughput_rows(run, order) + stage_rows(run) + power_step_rows(run) + pipeline_rows(run)
            + corpus_rows(run))
