"""Agreement with the reference as verdicts: per backend, whether its numbers are librosa's to rounding, or
different, and what to do about it.

    from reports.agreement_verdict import agreement_lines
    for line in agreement_lines(run):      # list[AgreementLine], the run's backend order
        line.backend, line.preset, line.rel_error, line.verdict    # Agree: IDENTICAL, TRANSLATE or DEFINITION

The rule (:data:`RULE`): identical to rounding where the relative error (||out - ref|| / ||ref||) is at most
:data:`ROUNDING`; otherwise different, and either a matter of settings (features.port translates one
library's call into the other's) or of definition (the backend computes another MFCC definition, Kaldi's or
audioFlux's; no setting makes it librosa's).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Optional

from reports.data import definition, num, records, reference
from reports.series import is_gpu

#: the relative error up to which two MFCCs are the same numbers computed in another order: float32
#: reorderings measured here reach 3e-6 (torchaudio_kaldi against kaldi); a changed setting moves MFCCs by
#: 1e-2 and more (tests/floats.py)
ROUNDING = 1e-4
RULE = (f"identical to rounding where the relative error is at most {ROUNDING:g} (float32 reorderings reach "
        "3e-6; a changed setting moves MFCCs by 1e-2 and more)")
#: the presets an agreement line is read from, first found wins: the same settings, else the definition row
SAME_SETTINGS = ("matched", "definitions")
#: the presets that swap each library's defaults (the naive port): their distance is what features.port removes
SWAPPED_DEFAULTS = ("defaults_swap", "naive_port")


class Agree(StrEnum):
    """What an agreement record says, in the words every agreement line ends with."""

    IDENTICAL = "identical to rounding"
    TRANSLATE = "different: translate with features.port"
    DEFINITION = "different: another MFCC definition (no setting makes it librosa's)"


@dataclass(frozen=True)
class AgreementLine:
    """One backend against the reference under one preset.

    Attributes: backend (str), reference (str), preset (str), device (str), rel_error (float),
    max_abs_error (float | None), definition (str | None: the backend's MFCC definition), verdict (Agree).
    """

    backend: str
    reference: str
    preset: str
    device: str
    rel_error: float
    max_abs_error: Optional[float]
    definition: Optional[str]
    verdict: Agree


def agree(rel_error: float, own_definition: bool) -> Agree:
    """:data:`RULE` applied: IDENTICAL up to ROUNDING, else DEFINITION where the backend computes another
    definition than the reference's, else TRANSLATE."""
    if rel_error <= ROUNDING:
        return Agree.IDENTICAL
    return Agree.DEFINITION if own_definition else Agree.TRANSLATE


def agreement_lines(run: dict, presets: tuple[str, ...] = SAME_SETTINGS) -> list[AgreementLine]:
    """Per backend (the order the run records them), its agreement with the run's reference on the CPU under
    the first of `presets` it was measured at. Records against another reference, or without a number, are
    left out."""
    ref = reference(run)
    ref_def = definition(run, ref)
    found: dict[str, AgreementLine] = {}
    recs = [r for r in records(run, "agreement") if r.reference == ref and not is_gpu(r.device)
            and num(r.rel_error) is not None and r.preset in presets]
    for r in sorted(recs, key=lambda r: presets.index(r.preset)):
        if r.backend in found:
            continue
        mine = r.definition or definition(run, r.backend)
        found[r.backend] = AgreementLine(r.backend, ref, r.preset, str(r.device or "cpu"), float(r.rel_error),
                                         num(r.max_abs_error), mine,
                                         agree(float(r.rel_error), mine is not None and mine != ref_def))
    order = list(dict.fromkeys(r.backend for r in records(run, "agreement")))
    return sorted(found.values(), key=lambda line: order.index(line.backend))
