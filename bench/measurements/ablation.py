"""The ablation: from `matched`, one parameter at a time changed on the compared backend's side only
(grid.ABLATION), against the reference under `matched`, ranked by the error that difference alone causes.

The compared backend is the first chosen backend, other than the reference, of the reference's
definition that honours every ablated value (torchaudio in the default run).
"""
from __future__ import annotations

from features import create_extractor
from features.backends import REFERENCE, get
from reports.records import Ablation

from .support.mfcc_agreement import agreement_clips, compare
from ..grid import ABLATION, AGREEMENT_CLIPS

NAME = "ablation"
TABLES = ("ablation",)
NEEDS_DATA = True


def compared_backend(backends, cfg):
    """The backend whose side changes, or None where no chosen backend qualifies."""
    for b in backends:
        cls = get(b)
        if b != REFERENCE and cls.definition == get(REFERENCE).definition and cls.honours(cfg) and all(
                cls.honours(cfg.replace(**{p: v})) for p, v in ABLATION):
            return b
    return None


def run(ctx) -> dict:
    """{"ablation": [Ablation]}, ranked by rel_error (largest first)."""
    backend = compared_backend(ctx.backends, ctx.cfg)
    if backend is None:
        ctx.progress("ablation: no chosen backend besides the reference honours every ablated value; skipped")
        return {"ablation": []}
    device = ctx.devices[-1] if get(backend).devices.count(ctx.devices[-1]) else "cpu"
    x = agreement_clips(ctx.splits, ctx.cfg, AGREEMENT_CLIPS.pick(ctx.small))
    reference = create_extractor(REFERENCE, ctx.cfg)(x.waveforms).numpy()
    rows = []
    for parameter, value in ABLATION:
        ctx.progress(f"ablation: {backend} with {parameter}={value}")
        waveforms = x.waveforms
        if parameter == "resampler":
            waveforms = x.resampled_with(value, ctx.cfg)
            if waveforms is None:
                continue  # generated clips were never resampled: nothing to ablate
        out = create_extractor(backend, ctx.cfg.replace(**{parameter: value}), device=device)(waveforms)
        row = compare(reference, out.cpu().numpy())
        rows.append(dict(parameter=parameter, value=value, backend=backend, reference=REFERENCE, device=device,
                         max_abs_error=row["max_abs_error"], rel_error=row["rel_error"],
                         correlation=row["correlation"]))
    rows.sort(key=lambda r: -r["rel_error"])
    return {"ablation": [Ablation(**row, rank=rank) for rank, row in enumerate(rows, start=1)]}
