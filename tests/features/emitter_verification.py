"""The emitters' verification record: 200 seeded settings per direction and feature kind, each emitted as the
torch file and as the ONNX file, run in their own runtimes (torch; ONNX Runtime on the CPU) and compared with
the source library on the port's two seeded synthetic clips.

    python -m tests.features.emitter_verification --sets 200 --out reports/results/port-emitters/verification.json

Verdict per setting: "within" (torch file <= 1e-5 in float64 and <= 1e-4 in float32, ONNX file <= 1e-4:
float rounding); "explained" (a float32 figure above 1e-4, but each artefact computed in float64, the torch file
with float64 buffers and the ONNX graph built in float64 and run by onnx.reference, matches the source within
1e-5: what the float32 run misses by is float32 rounding in the quietest bins the dB step keeps); "refused"
(the port's one-line refusal); "unexplained" (a bug: the test fails).
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch

from features import port
from features.port import emit
from features.port.reference import synthetic_clips
from tests.features import port_params

DIRECTIONS = {
    "librosa_mfcc": ("librosa", "mfcc", port_params.librosa_mfcc, port.librosa_to_torchaudio),
    "librosa_logmel": ("librosa", "logmel", port_params.librosa_logmel, port.librosa_logmel_to_torchaudio),
    "torchaudio_mfcc": ("torchaudio", "mfcc", port_params.torchaudio_mfcc, port.torchaudio_to_librosa),
    "torchaudio_logmel": ("torchaudio", "logmel", port_params.torchaudio_logmel, port.torchaudio_logmel_to_librosa),
}


def verify(direction: str, seed: int, folder: Path) -> dict:
    """One setting: its errors and verdict (see the module docstring)."""
    library, kind, make_params, make_port = DIRECTIONS[direction]
    kwargs = make_params(seed)
    row = dict(direction=direction, seed=seed)
    try:
        p = make_port(**kwargs)
    except ValueError as err:
        return dict(row, verdict="refused", reason=str(err))
    r = p.recipe
    clips = list(synthetic_clips(r.sr, max(int(0.25 * r.sr), r.n_fft + 4 * r.hop_length)))
    errors = {}
    for target in emit.TARGETS:
        art = emit.emit(library, kind, kwargs, target, folder / f"{direction}_{seed}{emit.SUFFIXES[target]}")
        for dtype in (("float64", "float32") if target == "torch" else ("float32",)):
            errors[f"{target}_{dtype}"] = max(emit.check(art, clips, dtype=dtype))
    tol = port.TOLERANCE
    row.update(errors)
    if all(e <= tol[key.split("_")[1]] for key, e in errors.items()):
        return dict(row, verdict="within")
    # above the float32 tolerance: each artefact must compute the right thing in float64 (the torch file with
    # float64 buffers; the ONNX graph built in float64, run by onnx.reference), so its float32 gap is rounding
    art = emit.Artefact("onnx", folder / "unused.onnx", library, kind, dict(kwargs), r)
    row["onnx_graph_float64"] = max(emit.graph_float64_errors(art, clips))
    if row["torch_float64"] <= tol["float64"] and row["onnx_graph_float64"] <= tol["float64"]:
        return dict(row, verdict="explained", why="float32 rounding in the quietest bins: each artefact computed in "
                                                  "float64 matches the source within the float64 tolerance")
    return dict(row, verdict="unexplained")


def summarise(rows: list) -> dict:
    """direction -> {verdict: count, and the worst error of each artefact and dtype}."""
    out: dict = {}
    for row in rows:
        s = out.setdefault(row["direction"], {})
        s[row["verdict"]] = s.get(row["verdict"], 0) + 1
        for key in ("torch_float64", "torch_float32", "onnx_float32"):
            if key in row:
                s[f"worst_{key}"] = max(s.get(f"worst_{key}", 0.0), row[key])
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.features.emitter_verification", description=__doc__.split("\n")[0])
    p.add_argument("--sets", type=int, default=200)
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for direction in DIRECTIONS:
            for seed in range(a.sets):
                rows.append(verify(direction, seed, Path(tmp)))
            print(f"{direction}: {summarise(rows)[direction]}", file=sys.stderr, flush=True)
    import onnxruntime

    record = dict(command=f"python -m tests.features.emitter_verification --sets {a.sets} --out {a.out}",
                  sets_per_direction=a.sets, wall_s=round(time.perf_counter() - start, 1),
                  machine=platform.processor() or platform.machine(), torch=torch.__version__,
                  onnxruntime=onnxruntime.__version__, tolerance=port.TOLERANCE,
                  summary=summarise(rows), rows=rows)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(record["summary"], indent=1))
    return 0 if not any(r["verdict"] == "unexplained" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
