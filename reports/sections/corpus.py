"""Beyond one call: feeding a model (pipeline), featurising a corpus on workers (corpus_scaling) and
the projection to a large corpus: a small table that states its assumption and stops at
:data:`MAX_PROJECTED_WORKERS`."""

from __future__ import annotations

from functools import partial

from reports.data import frame, num
from reports.figures import corpus_scaling, simple_bars
from reports.sections import folded
from reports.page import Block, Section, Table, fmt, record_table
from reports.sections.glossary import define

MAX_PROJECTED_WORKERS = 16      # beyond this the measured 2-worker efficiency says nothing


def projection_table(runs: list[dict], order: list[str]) -> tuple[Table, str]:
    """(table, assumption): projected wall-clock hours per backend and device for the largest corpus, one
    column per worker count up to MAX_PROJECTED_WORKERS; the assumption names what was measured."""
    rows, counts, hours, measured = [], set(), set(), set()
    for run in runs:
        df = frame(run, "projection")
        if df.empty:
            continue
        df = df[df["count"].map(lambda c: (num(c) or 0) <= MAX_PROJECTED_WORKERS)]
        big = num(df["corpus_hours"].max()) if not df.empty else None
        if big is None:
            continue
        hours.add(big)
        df = df[df["corpus_hours"] == big]
        scaling = frame(run, "corpus_scaling")
        if not scaling.empty:
            ray = scaling[scaling["engine"] == "ray"]
            if not ray.empty:
                measured.add((int(ray["workers"].max()), int(ray["files"].max())))
        counts |= {(r, int(c)) for r, c in zip(df["resource"], df["count"])}
        for (backend, device), g in sorted(df.groupby(["backend", "device"], sort=False),
                                           key=lambda kv: order.index(kv[0][0]) if kv[0][0] in order else 99):
            cells = {(r["resource"], int(r["count"])): fmt(r["projected_wall_h"]) for r in g.to_dict("records")}
            rows.append(([run.label] if len(runs) > 1 else []) + [f"{backend} {device}", cells])
    cols = sorted(counts, key=lambda rc: (rc[0], rc[1]))
    names = [f"{c} {'GPU' if r == 'gpus' else 'CPU worker'}{'s' if c > 1 else ''}" for r, c in cols]
    table = Table((["run"] if len(runs) > 1 else []) + ["backend"] + names,
                  [r[:-1] + [r[-1].get(c, "—") for c in cols] for r in rows],
                  f"Projected wall-clock hours for {', '.join(f'{h:,.0f}' for h in sorted(hours))} hours of audio "
                  "(a projection, not a measurement)" if hours else "")
    where = "; ".join(f"{w} workers, {f:,} files" for w, f in sorted(measured)) or "the corpus run"
    assumption = ("Assumption: each backend's one-worker rate (measured with Ray) times the number of workers "
                  f"times the scaling efficiency measured at the most workers run ({where}), held unchanged up to "
                  f"{MAX_PROJECTED_WORKERS} workers; the table stops there, since nothing measured says how "
                  "scaling behaves beyond. " + define("projection"))
    return table, assumption


def section(ctx) -> Section:
    runs, order = ctx.runs, ctx.order
    table, assumption = projection_table(runs, order)
    return Section("corpus", "5. Pipelines and corpora", folded([
        Block("pipeline", "Feeding a model", "Samples per second reaching the model per way of computing features "
              "(DataLoader workers on the CPU, on the device inside the loop, or a feature cache), and the stage "
              "that limits each.", partial(simple_bars.pipeline, runs, order),
              [record_table(runs, "pipeline", "backend:backend; device:device; mode:mode; workers:workers:int; "
                                              "batch_size:batch:int; samples_per_s:samples/s:rtf; "
                                              "decode_s_per_sample:decode s/sample; "
                                              "features_s_per_sample:features s/sample; "
                                              "limiting_stage:limited by; n_samples:samples:int")],
              "pipeline records"),
        Block("corpus_scaling", "Featurising a corpus on workers", "Audio hours per wall hour against workers; "
              "efficiency = speedup over one worker / workers; overhead = Ray with one worker against a single "
              "process.", partial(corpus_scaling.draw, runs, order),
              [record_table(runs, "corpus_scaling", "backend:backend; device:device; engine:engine; "
                                                    "workers:workers:int; files:files:int; audio_hours:audio h; "
                                                    "wall_s:wall (s); audio_hours_per_hour:audio h per h:rtf; "
                                                    "speedup_vs_one_worker:speedup:x; efficiency:efficiency:pct; "
                                                    "overhead_vs_single_process:overhead vs 1 process:pct")],
              "corpus_scaling records"),
        Block("projection", "Projection to a large corpus (not a measurement)", assumption, None, [table],
              "projection records"),
    ]))
