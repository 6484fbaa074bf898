"""Numerical agreement as a matrix: every backend against the reference (features.backends.REFERENCE),
per preset both can honour, on every device it runs on; one example clip per backend.

Backends of another MFCC definition (Kaldi's) are not expected to match the reference: their row
against it is a distance ("definitions"), and they are compared with the first backend of their own
definition under their defaults preset, where agreement to float rounding is expected again.
"""
from __future__ import annotations

import os

import numpy as np

from features import MFCCConfig, create_extractor
from features.backends import REFERENCE, get
from reports.records import Agreement, AgreementPerCoeff

from .support.mfcc_agreement import agreement_clips, compare, naive_port
from ..grid import AGREEMENT_CLIPS

NAME = "agreement"
TABLES = ("agreement", "agreement_per_coeff")
NEEDS_DATA = True


def comparisons(reference: str, backend: str) -> list[tuple]:
    """(preset name, reference-side preset, backend-side preset, note) for one pair of backends."""
    ref, cls = get(reference), get(backend)
    if ref.definition != cls.definition:
        return [("definitions", "matched", cls.defaults_preset,
                 f"different MFCC definitions ({ref.definition} vs {cls.definition}): a distance, not an error")]
    rows = [("matched", "matched", "matched", "both backends configured identically")]
    for preset in dict.fromkeys(p for p in (ref.defaults_preset, cls.defaults_preset) if p):
        rows.append((preset, preset, preset, f"{preset} written out, in both backends"))
    if cls.defaults_preset and cls.defaults_preset != ref.defaults_preset and ref.defaults_preset:
        rows.append(("defaults_swap", ref.defaults_preset, cls.defaults_preset,
                     "each backend with its own library's defaults (shapes differ: the overlap is compared)"))
        rows.append(("naive_port", ref.defaults_preset, "naive_port",
                     f"{cls.defaults_preset} with {ref.defaults_preset}'s n_mfcc, n_fft, hop and n_mels copied over"))
    return rows


def side_config(preset: str, base: MFCCConfig, *, port_from: str = None, port_to: str = None) -> MFCCConfig:
    """The configuration one side of a comparison runs, at `base`'s rate and clip length."""
    if preset == "naive_port":
        return naive_port(side_config(port_from, base), port_to)
    return MFCCConfig.preset(preset, sample_rate=base.sample_rate, sample_size=base.sample_size)


def references_for(backends) -> dict:
    """backend -> the backends it is compared with: the reference, and for a backend of another
    definition also the first chosen backend of its own definition."""
    first_of = {}
    for b in backends:
        first_of.setdefault(get(b).definition, b)
    out = {}
    for b in backends:
        if b == REFERENCE:
            continue
        refs = [REFERENCE]
        own = first_of[get(b).definition]
        if get(b).definition != get(REFERENCE).definition and own != b:
            refs.append(own)
        out[b] = refs
    return out


def run(ctx) -> dict:
    """{"agreement": [Agreement], "agreement_per_coeff": [AgreementPerCoeff], "example_clip": dict}."""
    x = agreement_clips(ctx.splits, ctx.cfg, AGREEMENT_CLIPS.pick(ctx.small))
    out = {"agreement": [], "agreement_per_coeff": []}
    # the first clip's matched MFCCs, one key per backend beside "file" and "preset"
    example = dict(file=os.path.basename(x.files[0]) if x.files[0] else "generated", preset="matched")
    cache: dict = {}

    def features(backend, cfg, device):
        key = (backend, cfg.hash(), device)
        if key not in cache:
            cache[key] = create_extractor(backend, cfg, device=device)(x.waveforms).cpu().numpy()
        return cache[key]

    example[REFERENCE] = features(REFERENCE, ctx.cfg, "cpu")[0].tolist()
    for backend, device in ctx.pairs():
        for reference in references_for(ctx.backends).get(backend, []):
            rows = comparisons(REFERENCE, backend) if reference == REFERENCE else \
                [(get(backend).defaults_preset, get(backend).defaults_preset, get(backend).defaults_preset,
                  f"two implementations of the {get(backend).definition} definition")]
            for name, ref_preset, preset, note in rows:
                ref_cfg = side_config(ref_preset, ctx.cfg)
                cfg = side_config(preset, ctx.cfg, port_from=ref_preset, port_to=get(backend).defaults_preset)
                if not (get(reference).honours(ref_cfg) and get(backend).honours(cfg)):
                    continue
                ctx.progress(f"agreement: {backend} on {device} against {reference} ({name})")
                a, b = features(reference, ref_cfg, "cpu"), features(backend, cfg, device)
                row = Agreement(backend=backend, reference=reference, device=device, preset=name,
                                reference_preset=ref_preset, backend_preset=preset, note=note,
                                definition=get(backend).definition, n_clips=len(a), dtype=cfg.dtype, **compare(a, b))
                out["agreement"].append(row)
                if name == "matched" and device == "cpu":
                    example[backend] = b[0].tolist()
                if row.shapes_match:
                    per = np.abs(a.astype(np.float64) - b)
                    for c in range(per.shape[-2]):
                        out["agreement_per_coeff"].append(AgreementPerCoeff(
                            backend=backend, reference=reference, device=device, preset=name, coeff=c,
                            max_abs_error=float(per[..., c, :].max()), mean_abs_error=float(per[..., c, :].mean())))
    out["example_clip"] = example
    return out
