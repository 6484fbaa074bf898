"""Agreement: every backend against the reference per preset (a matrix), the ablation, the error per
coefficient, batch invariance and one real clip."""

from __future__ import annotations

from functools import partial

from reports.data import reference
from reports.figures import agreement_matrix, example_clip, per_coeff, simple_bars
from reports.sections import folded
from reports.page import Block, Section, Table, record_table

AGREEMENT = ("backend:backend; reference:reference; preset:preset; definition:definition; device:device; "
             "max_abs_error:max abs error; mean_abs_error:mean abs error; rel_error:relative error; "
             "correlation:correlation; shapes_match:shapes match; note:note")


def folded_table(t: Table) -> Table:
    """``t`` shown closed under "the same as a table (N rows)"."""
    t.collapsed = f"the same as a table ({len(t.rows)} rows)"
    return t


def section(ctx) -> Section:
    runs, order = ctx.runs, ctx.order
    refs = ", ".join(dict.fromkeys(reference(r) for r in runs))
    blocks = []
    for i, run in enumerate(runs):
        suffix = f"_{i + 1}" if len(runs) > 1 else ""
        blocks.append(Block(f"agreement_matrix{suffix}", "Agreement matrix" + (f" — {run.label}" if suffix else ""),
                            f"Relative error of each backend's MFCCs against the reference ({refs}) under each "
                            "preset. Cells marked ≠ def. are backends of another MFCC definition (e.g. Kaldi's): a "
                            "distance between definitions, not an error; such backends are also compared with "
                            "each other (rows \"x vs y\" naming that reference).",
                            partial(agreement_matrix.draw, run, order),
                            [folded_table(record_table([run], "agreement", AGREEMENT,
                                                       ["reference", "backend", "preset"]))],
                            "agreement records"))
    blocks += [
        Block("ablation", "Ablation", "Starting from matched, one parameter changed at a time on the second "
              "backend's side only (the reference keeps matched); ranked by relative error.",
              partial(simple_bars.ablation, runs, order),
              [record_table(runs, "ablation", "rank:rank:int; parameter:parameter; value:value; "
                                              "max_abs_error:max abs error; rel_error:relative error", ["rank"])],
              "ablation records"),
        Block("agreement_per_coeff", "Error per MFCC coefficient", "One line per backend and preset.",
              partial(per_coeff.draw, runs, order), missing="agreement_per_coeff records"),
        Block("batch_invariance", "Batch invariance", "One clip extracted alone and inside a batch; scope = what "
              "the dB floor is taken over (top_db_scope). Exact zeros are drawn at the axis floor.",
              partial(simple_bars.batch_invariance, runs, order),
              [record_table(runs, "batch_invariance", "backend:backend; device:device; scope:scope; "
                                                      "max_abs_error:max abs error; rel_error:relative error")],
              "batch_invariance records"),
        Block("example_clip", "One real clip", "Each backend's MFCCs of the same clip.",
              partial(example_clip.draw, runs[0], order) if runs else None, missing="example_clip"),
    ]
    return Section("agreement", "2. Agreement", folded(blocks, keep=("agreement_matrix",)))
