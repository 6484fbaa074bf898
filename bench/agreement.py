"""Numerical agreement between the backends: per preset, ablation, batch invariance, one example clip."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from features import MFCCConfig, create_extractor, fix_length, load_audio

from .grid import ABLATION, AGREEMENT_PAIRS, SHAPE_FIELDS


@dataclass
class Clips:
    """Real clips for agreement: waveforms (N, T) at the config's rate (resampled with soxr_hq where they
    came from files), the files they came from (None for generated clips)."""

    waveforms: np.ndarray
    files: Sequence[Optional[str]]

    def resampled_with(self, resampler: str, cfg: MFCCConfig) -> Optional[np.ndarray]:
        """The same clips loaded again with another resampler; None where they did not come from files."""
        if not all(f and os.path.isfile(f) for f in self.files):
            return None
        return np.stack([fix_length(load_audio(f, cfg.sample_rate, resampler=resampler), cfg.sample_size)
                         for f in self.files])


def naive_port(source: MFCCConfig, target_preset: str) -> MFCCConfig:
    """`target_preset` with the shape-setting fields (n_mfcc, n_fft, hop, n_mels, ...) copied from
    `source`: what a user porting code from one library to the other typically writes."""
    return MFCCConfig.preset(target_preset, **{f: getattr(source, f) for f in SHAPE_FIELDS})


def side_config(preset: str, base: MFCCConfig) -> MFCCConfig:
    """The configuration one side of an agreement pair runs, at `base`'s rate and clip length."""
    if preset == "naive_port":
        return naive_port(side_config("librosa_defaults", base), "torchaudio_defaults")
    return MFCCConfig.preset(preset, sample_rate=base.sample_rate, sample_size=base.sample_size)


def compare(reference: np.ndarray, other: np.ndarray) -> dict:
    """Errors of `other` against `reference` (…, n_mfcc, frames), over the overlapping coefficients
    and frames where shapes differ."""
    ref, oth = np.asarray(reference, dtype=np.float64), np.asarray(other, dtype=np.float64)
    k, t = min(ref.shape[-2], oth.shape[-2]), min(ref.shape[-1], oth.shape[-1])
    a, b = ref[..., :k, :t], oth[..., :k, :t]
    diff = np.abs(a - b)
    corr = float(np.corrcoef(a.ravel(), b.ravel())[0, 1]) if a.size > 1 and a.std() > 0 and b.std() > 0 else None
    return dict(max_abs_error=float(diff.max()), mean_abs_error=float(diff.mean()),
                rel_error=float(np.linalg.norm(a - b) / max(np.linalg.norm(a), 1e-30)), correlation=corr,
                shape_librosa=list(ref.shape[-2:]), shape_torchaudio=list(oth.shape[-2:]),
                shapes_match=ref.shape == oth.shape, compared_shape=[k, t])


def run_agreement(clips: Clips, base: MFCCConfig, *, device: str = "cpu", progress=None) -> dict:
    """Every agreement measurement: {"agreement", "agreement_per_coeff", "ablation", "batch_invariance",
    "example_clip"}. librosa is the reference in each comparison; torchaudio runs on `device`."""
    out: dict = {"agreement": [], "agreement_per_coeff": [], "ablation": [], "batch_invariance": []}
    x = clips.waveforms
    lib_matched = None
    for name, lib_preset, ta_preset, note in AGREEMENT_PAIRS:
        if progress:
            progress(f"agreement: {name}")
        lib_cfg, ta_cfg = side_config(lib_preset, base), side_config(ta_preset, base)
        lib = create_extractor("librosa", lib_cfg)(x).numpy()
        ta = create_extractor("torchaudio", ta_cfg, device=device)(x).cpu().numpy()
        if name == "matched":
            lib_matched, ta_matched = lib, ta
        row = dict(preset=name, librosa_preset=lib_preset, torchaudio_preset=ta_preset, note=note,
                   n_clips=len(x), device=device, dtype=lib_cfg.dtype, **compare(lib, ta))
        out["agreement"].append(row)
        if row["shapes_match"]:
            per = np.abs(lib.astype(np.float64) - ta)
            for c in range(per.shape[-2]):
                out["agreement_per_coeff"].append(dict(preset=name, coeff=c,
                                                       max_abs_error=float(per[..., c, :].max()),
                                                       mean_abs_error=float(per[..., c, :].mean())))
    matched = side_config("matched", base)
    for parameter, value in ABLATION:
        if progress:
            progress(f"ablation: {parameter}={value}")
        waveforms = x
        if parameter == "resampler":
            waveforms = clips.resampled_with(value, matched)
            if waveforms is None:
                continue  # generated clips were never resampled: nothing to ablate
        ta = create_extractor("torchaudio", matched.replace(**{parameter: value}), device=device)(waveforms)
        row = compare(lib_matched, ta.cpu().numpy())
        out["ablation"].append(dict(parameter=parameter, value=value, max_abs_error=row["max_abs_error"],
                                    rel_error=row["rel_error"], correlation=row["correlation"]))
    for rank, row in enumerate(sorted(out["ablation"], key=lambda r: -r["rel_error"]), start=1):
        row["rank"] = rank
    out["ablation"].sort(key=lambda r: r["rank"])
    out["batch_invariance"] = batch_invariance(x, matched, device=device)
    first = 0
    out["example_clip"] = dict(file=os.path.basename(clips.files[first]) if clips.files[first] else "generated",
                               preset="matched", librosa=lib_matched[first].tolist(),
                               torchaudio=ta_matched[first].tolist())
    return out


def batch_invariance(x: np.ndarray, cfg: MFCCConfig, *, device: str = "cpu", n_alone: int = 16) -> list[dict]:
    """For each backend and top_db scope: the first `n_alone` clips computed one at a time against the
    same clips inside the whole batch (with its louder and quieter clips)."""
    rows = []
    gains = np.geomspace(0.01, 10.0, len(x)).astype(np.float32)[:, None]  # spread loudness across the batch
    batch = x * gains
    for backend in ("librosa", "torchaudio"):
        dev = "cpu" if backend == "librosa" else device
        for scope in ("clip", "batch", "off"):
            ext = create_extractor(backend, cfg.replace(top_db_scope=scope), device=dev)
            inside = ext(batch).cpu().numpy()[:n_alone]
            alone = np.concatenate([ext(batch[i:i + 1]).cpu().numpy() for i in range(min(n_alone, len(x)))])
            diff = compare(alone, inside)
            rows.append(dict(backend=backend, device=dev, scope=scope, n_clips=len(alone), batch_size=len(x),
                             max_abs_error=diff["max_abs_error"], rel_error=diff["rel_error"]))
    return rows
