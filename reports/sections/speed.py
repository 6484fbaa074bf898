"""Speed in detail: the speedup over the whole grid (heatmaps), realtime factor against batch and duration,
where the time goes (the sum of stages beside the bare FFT + mel time), the cheaper power step, the GPU
crossover, cold start, memory and decoding. The interface's own overhead is in the appendix."""

from __future__ import annotations

from functools import partial

from reports.figures import memory, simple_bars, speedup_heatmap, stages, throughput_lines
from reports.sections import folded
from reports.page import Block, Section, record_table, slug
from reports.sections.glossary import define
from reports.speed_rule import questions

THROUGHPUT = ("backend:backend; device:device; config:config; includes_transfer:H2D copy; thread_sweep:thread sweep; "
              "batch_size:batch:int; duration_s:clip (s); threads:threads:int; median_s:median (s); "
              "pass_medians_s:per-pass medians (s); realtime_factor:realtime factor:rtf; "
              "ceiling_fraction:time ÷ bare FFT + mel:per_x; repeats:repeats:int")
STAGES = ("backend:backend; device:device; batch_size:batch:int; duration_s:clip (s); stage:stage; "
          "median_s:stage median, separate stage run (s); share:share of the sum of stages:pct; "
          "sum_ratio:sum of stages ÷ whole call (stage run):x; within_10pct:within 10 %; note:note")


POWER_STEP = ("backend:backend; device:device; batch_size:batch:int; duration_s:clip (s); "
              "stage_stock_s:power step as is (s); stage_cheap_s:real² + imag² (s); stage_speedup:step speedup:x; "
              "whole_stock_s:stages chained as is, separate run (s); whole_cheap_s:stages chained, cheaper step (s); "
              "whole_speedup:chained speedup:x; rel_diff:output difference (relative)")
GRAPH_REPLAY = ("backend:backend; device:device; batch_size:batch:int; duration_s:clip (s); "
                "call_s:the call, input check included (s); forward_s:forward, no input check (s); "
                "graph_s:forward replayed as a CUDA graph (s); max_rel_diff:graph vs call (relative); "
                "status:status; reason:reason")
CROSSOVER = ("backend:backend; device:device; includes_transfer:H2D copy; competitor:against; "
             "competitor_device:on; duration_s:clip (s); crossover_batch:crossover batch:int; "
             "note:note")


def thinned_text(runs: list[dict]) -> str:
    """Which backends each run timed on fewer grid points than the full grid, as a sentence ("" if none)."""
    parts = [f"{run.label}: {'; '.join(run['thinned'])}" for run in runs if run.get("thinned")]
    return (" Timed on fewer points (so the full run fits its time budget): " + " | ".join(parts) + ".") if parts \
        else ""


def heatmap_blocks(ctx) -> list[Block]:
    """One speedup heatmap per run and device-pair question: the whole grid, where the verdict reads one point."""
    blocks = []
    for i, run in enumerate(ctx.runs):
        for q, members in questions(run, ctx.order).items():
            name = f"speedup_{slug(q)}" + (f"_{i + 1}" if ctx.several() else "")
            blocks.append(Block(name, f"Speedup over the whole grid: {q}" + (f" — {run.label}" if ctx.several()
                                                                            else ""),
                                "The verdict above reads one point per workload; here every batch size × clip length "
                                "both sides were timed at. Cells the passes do not separate are grey and read "
                                "\"even\"; colour runs from red (slower than the reference) to blue (faster).",
                                partial(speedup_heatmap.draw, run, q, members), missing="common points"))
    return blocks


def section(ctx) -> Section:
    runs, order = ctx.runs, ctx.order
    blocks = heatmap_blocks(ctx) + [
        Block("throughput_batch", "Realtime factor against batch size",
              define("realtime factor") + " Marker: o CPU, s accelerator incl. the H2D copy, x kernels only. Ticks "
              "sit at the measured batch sizes. Thread-sweep rows are in the table only (column \"thread sweep\"). "
              "The table's last columns: " + define("bare FFT + mel time") + thinned_text(runs),
              partial(throughput_lines.draw, runs, order, along="batch_size", at=1.0),
              [record_table(runs, "throughput", THROUGHPUT, ["thread_sweep", "backend", "device", "batch_size",
                                                             "duration_s"])], "throughput records"),
        Block("throughput_duration", "Realtime factor against clip duration",
              "The legend gives the fitted cost exponent (cost ∝ duration^exponent): below 1, a fixed cost per "
              "call is being amortised; above 1, longer clips cost more than their length.",
              partial(throughput_lines.draw, runs, order, along="duration_s", at=64),
              missing="throughput at two or more clip durations"),
    ]
    for i, run in enumerate(runs):
        suffix = f"_{i + 1}" if len(runs) > 1 else ""
        blocks.append(Block(f"stages{suffix}", "Where the time goes" + (f" — {run.label}" if suffix else ""),
                            define("sum of stages") + " Stacked: the stages (stft, power, mel, db, dct, lifter, "
                            "H2D copy, other) where a stages table was recorded; the black tick and the number in "
                            "brackets: the whole call's throughput-grid median; a grey bar: a backend with no stages "
                            "declared (its throughput-grid median). Hatched: the bare FFT + mel time.",
                            partial(stages.draw, run, order),
                            [record_table([run], "stages", STAGES)] if run.get("stages") else [],
                            "stages, throughput or bare FFT + mel records"))
    blocks += [
        Block("power_step", "The cheaper power step",
              "Each backend whose power stage takes a complex spectrum, with that stage as it is and swapped for "
              "real² + imag² (the same values to rounding): the step alone and the stages chained (a separate "
              "run, not the throughput grid's whole call), timed in alternating pairs. "
              "scripts/upstream_power_step.py is the short reproduction for the library's maintainers.", None,
              [record_table(runs, "power_step", POWER_STEP)], "power_step records"),
        Block("crossover", "From which batch the GPU wins",
              "The smallest batch (along 1, 2, 4, ...) at which the backend on the accelerator, the host→device "
              "copy included, takes less time per call than the library named on the same machine's CPU, per clip "
              "length; larger batches were not timed once it won. A dash: not within the batches timed (see note).",
              None, [record_table(runs, "crossover", CROSSOVER, ["duration_s", "competitor", "backend"])],
              "crossover records (a run with a GPU: bench.gpu.session)"),
        Block("graph_replay", "Where a GPU call's time goes",
              "Each CUDA backend at four points, three ways, interleaved pass by pass: the call as a user makes it "
              "(the input check waits for the device: it tests the batch for NaN), the same forward without that "
              "check, and the forward captured once as a CUDA graph and replayed (one launch for every kernel). "
              "The device synchronised around every call; medians over the passes. Call minus forward is the "
              "check; forward minus graph is launch overhead; graph is about what the GPU itself takes. The last "
              "columns check the replay against the call on a fresh batch.", None,
              [record_table(runs, "graph_replay", GRAPH_REPLAY, ["backend", "batch_size", "duration_s"])],
              "graph_replay records (a run with a GPU: bench.gpu.session)"),
        Block("cold_start", "Cold start", "Import, CUDA context (GPU rows), first call (JIT, cuFFT plans, kernel "
              "caches) and a steady call, all timed in a separate cold-start run (its steady call is not the "
              "throughput grid's median).",
              partial(simple_bars.cold_start, runs, order),
              [record_table(runs, "cold_start", "backend:backend; device:device; import_s:import (s); "
                                                "cuda_context_s:CUDA context (s); first_call_s:first call (s); "
                                                "steady_call_s:steady call, cold-start run (s)")],
              "cold_start records"),
        Block("memory", "Peak memory", "Peak of one call above the process's baseline (host RSS on the CPU, the "
              "allocator's peak on a GPU).", partial(memory.draw, runs, order),
              [record_table(runs, "memory", "backend:backend; device:device; kind:kind; batch_size:batch:int; "
                                            "duration_s:clip (s); peak_bytes:peak:mib; "
                                            "above_baseline_bytes:above baseline:mib")], "memory records"),
        Block("io", "Decode and resample", "Reading the dataset's files and resampling them.",
              partial(simple_bars.io, runs, order),
              [record_table(runs, "io", "stage:stage; method:method; files:files:int; seconds:wall (s); "
                                        "realtime_factor:realtime factor:rtf")], "io records"),
    ]
    return Section("speed", "4. Speed in detail", folded(blocks))
