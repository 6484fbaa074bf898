"""Speed in detail: realtime factor against batch and duration, where the time goes (stages and
ceiling), cold start, memory, decoding, and the interface's own overhead."""

from __future__ import annotations

from functools import partial

from reports.figures import memory, simple_bars, stages, throughput_lines
from reports.page import Block, Section, record_table

THROUGHPUT = ("backend:backend; device:device; config:config; includes_transfer:H2D copy; thread_sweep:thread sweep; "
              "batch_size:batch:int; duration_s:clip (s); threads:threads:int; median_s:median (s); "
              "pass_medians_s:per-pass medians (s); realtime_factor:realtime factor:rtf; "
              "ceiling_fraction:of ceiling:pct; repeats:repeats:int")
STAGES = ("backend:backend; device:device; batch_size:batch:int; duration_s:clip (s); stage:stage; "
          "median_s:median (s); share:share:pct; sum_ratio:stages/whole; within_10pct:within 10 %; note:note")


POWER_STEP = ("backend:backend; device:device; batch_size:batch:int; duration_s:clip (s); "
              "stage_stock_s:power step as is (s); stage_cheap_s:real² + imag² (s); stage_speedup:step speedup:x; "
              "whole_stock_s:whole call as is (s); whole_cheap_s:whole call, cheaper step (s); "
              "whole_speedup:whole speedup:x; rel_diff:output difference (relative)")
CROSSOVER = ("backend:backend; device:device; includes_transfer:H2D copy; competitor:against; "
             "competitor_device:on; duration_s:clip (s); crossover_batch:crossover batch:int; "
             "note:note")


def thinned_text(runs: list[dict]) -> str:
    """Which backends each run timed on fewer grid points than the full grid, as a sentence ("" if none)."""
    parts = [f"{run.label}: {'; '.join(run['thinned'])}" for run in runs if run.get("thinned")]
    return (" Timed on fewer points (so the full run fits its time budget): " + " | ".join(parts) + ".") if parts \
        else ""


def section(ctx) -> Section:
    runs, order = ctx.runs, ctx.order
    blocks = [
        Block("throughput_batch", "Realtime factor against batch size",
              "Marker: o CPU, s accelerator incl. the H2D copy, x kernels only. Ticks sit at the measured batch "
              "sizes. Thread-sweep rows are in the table only (column \"thread sweep\")." + thinned_text(runs),
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
                            "Each backend's call split into stages (stft, power, mel, db, dct, lifter, H2D copy, "
                            "other) where a stages table was recorded, else the whole call; the hatched bar is the "
                            "device's ceiling at the same point.",
                            partial(stages.draw, run, order),
                            [record_table([run], "stages", STAGES)] if run.get("stages") else [],
                            "stages, throughput or ceiling records"))
    blocks += [
        Block("power_step", "The cheaper power step",
              "Each backend whose power stage takes a complex spectrum, with that stage as it is and swapped for "
              "real² + imag² (the same values to rounding): the step alone and the whole call (its stages "
              "chained), timed in alternating pairs. bench/upstream_power_step.py is the short reproduction "
              "for the library's maintainers.", None,
              [record_table(runs, "power_step", POWER_STEP)], "power_step records"),
        Block("crossover", "From which batch the GPU wins",
              "The smallest batch (along 1, 2, 4, ...) at which the backend on the accelerator, the host→device "
              "copy included, takes less time per call than the library named on the same machine's CPU, per clip "
              "length; larger batches were not timed once it won. A dash: not within the batches timed (see note).",
              None, [record_table(runs, "crossover", CROSSOVER, ["duration_s", "competitor", "backend"])],
              "crossover records (a run with a GPU: bench.gpu_session)"),
        Block("cold_start", "Cold start", "Import, CUDA context (GPU rows), first call (JIT, cuFFT plans, kernel "
              "caches) and a steady call.",
              partial(simple_bars.cold_start, runs, order),
              [record_table(runs, "cold_start", "backend:backend; device:device; import_s:import (s); "
                                                "cuda_context_s:CUDA context (s); first_call_s:first call (s); "
                                                "steady_call_s:steady call (s)")],
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
        Block("overhead", "This project's interface against calling each library directly",
              "Overhead = interface time / direct time − 1, over alternating pairs.", None,
              [record_table(runs, "overhead", "backend:backend; device:device; batch_size:batch:int; "
                                              "duration_s:clip (s); overhead:overhead:pct; overhead_q1:q1:pct; "
                                              "overhead_q3:q3:pct; pairs:pairs:int")], "overhead records"),
    ]
    return Section("speed", "2. Speed in detail", blocks)
