"""Beyond one call: feeding a model (pipeline), featurising a corpus on workers (corpus_scaling) and
the projection to a large corpus (labelled as a projection)."""

from __future__ import annotations

from functools import partial

from reports.figures import corpus_scaling, simple_bars
from reports.page import Block, Section, record_table


def section(ctx) -> Section:
    runs, order = ctx.runs, ctx.order
    return Section("corpus", "3. Pipelines and corpora", [
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
        Block("projection", "Projection to a large corpus (not a measurement)",
              "Extrapolated from the measured rates and scaling efficiency named in the basis column.",
              partial(simple_bars.projection, runs, order),
              [record_table(runs, "projection", "label:label; backend:backend; device:device; resource:resource; "
                                                "count:count:int; corpus_hours:corpus (h):int; "
                                                "projected_wall_h:projected wall (h); basis:basis")],
              "projection records"),
    ])
