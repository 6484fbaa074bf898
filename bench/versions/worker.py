"""What runs inside each isolated environment: MFCCs of the given waveforms, written as NumPy files.

    python -m bench.versions.worker features --waveforms W.npy --out DIR
    python -m bench.versions.worker time --waveforms W.npy --out DIR --repeats 5

Run with the repository root on PYTHONPATH and only numpy, librosa, torch and torchaudio installed. The
project's `features` package refuses a torch/torchaudio pair it does not know at import; this worker
records that refusal (info.json, "pair_refusal") and then imports it anyway (MFCC_BENCH_ANY_TORCH=1),
since measuring an unlisted pair is what the matrix is for. A library that does not import (torchaudio
built for another torch ABI) is recorded with its one-line error and left out; the rest still runs.

`features`: for each library (librosa, torchaudio), preset ("matched" and the library's defaults) and
path ("backend": the project's extractor; "direct": the library called directly, as a user writes it),
the features of every clip called one at a time ("single") and as one (B, T) batch ("batch"):
DIR/<library>-<preset>-<path>-<mode>.npy, float32 (B, n_mfcc, n_frames), and DIR/info.json.
`time`: seconds per call of each library's extractor (matched) on the whole (B, T) batch, after one
warm-up call, `repeats` times: DIR/timing.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

LIBRARIES = ("librosa", "torchaudio")
PRESETS = ("matched", "defaults")
PATHS = ("backend", "direct")
MODES = ("single", "batch")


def file_name(library: str, preset: str, path: str, mode: str) -> str:
    return f"{library}-{preset}-{path}-{mode}.npy"


def versions() -> dict:
    """Installed releases of what the matrix varies (None where absent), and the Python."""
    out = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "librosa", "torch", "torchaudio", "numba"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def import_features() -> tuple:
    """(features module, the pair check's refusal or None, {library: import error} for those that fail)."""
    os.environ.pop("MFCC_BENCH_ANY_TORCH", None)
    os.environ["MFCC_BENCH_ANY_TORCH"] = "1"     # the check below is asked explicitly, with it off
    import features
    from features.stack import check_torch_pair

    del os.environ["MFCC_BENCH_ANY_TORCH"]
    try:
        check_torch_pair()
        refusal = None
    except ImportError as err:
        refusal = str(err)
    os.environ["MFCC_BENCH_ANY_TORCH"] = "1"
    broken = {}
    for library in LIBRARIES:
        try:
            __import__(library)
            if library == "torchaudio":
                import torchaudio.functional  # noqa: F401 (loads the compiled library)
        except Exception as err:  # an ABI mismatch shows as OSError or ImportError: keep its line
            broken[library] = one_line(err)
    return features, refusal, broken


def config(features, library: str, preset: str):
    from features.backends import get

    name = "matched" if preset == "matched" else get(library).defaults_preset
    return features.MFCCConfig.preset(name)


def as_array(x):
    import numpy as np
    import torch

    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return np.ascontiguousarray(x, dtype=np.float32)


def computations(features, library: str, preset: str):
    """{path: function of a (T,) or (B, T) float32 array -> float32 array}."""
    import torch
    from features.backends import get

    cfg = config(features, library, preset)
    extractor = features.create_extractor(library, cfg)
    direct = get(library).direct_call(cfg)
    to_input = (lambda x: torch.from_numpy(x)) if library == "torchaudio" else (lambda x: x)
    return {"backend": lambda x: as_array(extractor(x)), "direct": lambda x: as_array(direct(to_input(x)))}


def one_line(err: BaseException) -> str:
    """The error's first line, with its root cause's (an undefined symbol behind torchaudio's "Could not load
    this library") where it has one; folders dropped from paths."""
    root = err
    while root.__cause__ is not None:
        root = root.__cause__

    def first(e):
        lines = str(e).strip().splitlines()
        return re.sub(r"/\S*/", "", lines[0]) if lines else ""

    text = f"{type(err).__name__}: {first(err)}"
    return text if root is err else f"{text} ({type(root).__name__}: {first(root)})"


def write_features(waveforms, out: Path, features, broken: dict) -> tuple:
    """(files written, {file name: the one-line error of a computation that failed}); a failure leaves the
    other computations running."""
    import numpy as np

    written, failed = [], {}
    for library in LIBRARIES:
        if library in broken:
            continue
        for preset in PRESETS:
            for path, fn in computations(features, library, preset).items():
                for mode in MODES:
                    name = file_name(library, preset, path, mode)
                    try:
                        feats = np.stack([fn(w) for w in waveforms]) if mode == "single" else fn(waveforms)
                    except Exception as err:   # a library call that broke in this release: keep its line
                        failed[name] = one_line(err)
                        continue
                    np.save(out / name, feats)
                    written.append(name)
    return written, failed


def write_timing(waveforms, out: Path, features, broken: dict, repeats: int) -> dict:
    import torch

    seconds = {}
    for library in LIBRARIES:
        if library in broken:
            continue
        extractor = features.create_extractor(library, config(features, library, "matched"))
        try:
            extractor(waveforms)                      # warm-up: first-call allocations and caches
        except Exception:                             # features records why; nothing to time
            continue
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            extractor(waveforms)
            runs.append(time.perf_counter() - start)
        seconds[library] = runs
    return {"seconds": seconds, "clips": int(waveforms.shape[0]), "samples": int(waveforms.shape[1]),
            "torch_threads": torch.get_num_threads()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.versions.worker", description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=("features", "time"))
    parser.add_argument("--waveforms", type=Path, required=True, help="float32 (B, T) .npy at 16 kHz")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    import numpy as np

    waveforms = np.load(args.waveforms).astype(np.float32, copy=False)
    args.out.mkdir(parents=True, exist_ok=True)
    features, refusal, broken = import_features()
    info = {"versions": versions(), "pair_refusal": refusal, "broken": broken, "executable": sys.executable}
    if args.task == "features":
        info["written"], info["failed"] = write_features(waveforms, args.out, features, broken)
        (args.out / "info.json").write_text(json.dumps(info, indent=1))
    else:
        info.update(write_timing(waveforms, args.out, features, broken, args.repeats))
        (args.out / "timing.json").write_text(json.dumps(info, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
