"""`python -m bench.gpu.env`: the machine a GPU session ran on, as one JSON object on stdout.

Records nvidia-smi (its summary and one CSV query), the driver, torch's CUDA and cuDNN versions, the
GPU torch sees, the CPU, and the version and location of every library the project uses, and checks
each carried wheel's requirements against what is installed (`unmet`), and ONNX Runtime's providers. Run by bench/gpu/session.py
in a subprocess after the wheels are installed, so it sees what the steps will see. Nothing here fails:
what cannot be read is recorded as such.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from importlib import metadata

LIBRARIES = ("torch", "torchaudio", "numpy", "scipy", "librosa", "soundfile", "soxr", "audioread", "pooch",
             "nnAudio", "kaldi-native-fbank", "numba", "llvmlite", "scikit-learn", "pandas", "matplotlib",
             "pytest", "pytest-benchmark", "lazy-loader", "msgpack", "cffi", "platformdirs", "decorator", "onnx",
             "onnxruntime", "onnxruntime-gpu")
QUERY = "name,driver_version,memory.total,clocks.max.sm,clocks.max.mem,power.limit,pcie.link.gen.max"


def command(argv: list, timeout: float = 15) -> str:
    """A command's stdout (stripped), or a one-line note saying why there is none."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        return f"{argv[0]}: not found"
    except subprocess.TimeoutExpired:
        return f"{argv[0]}: no answer within {timeout:.0f} s"
    if done.returncode != 0:
        return f"{argv[0]}: exit {done.returncode}: {done.stderr.strip()[:300]}"
    return done.stdout.strip()


def library(name: str) -> dict:
    """{version, path} of an installed distribution, or {version: None} when absent."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return dict(version=None)
    return dict(version=dist.version, path=str(dist.locate_file("")))


def unmet(site: str | None) -> list[str]:
    """Each requirement of a distribution installed under `site` (the carried wheels) that the
    installed packages do not meet, as one line; extras and other platforms' requirements left out."""
    if not site or not os.path.isdir(site):
        return []
    from packaging.requirements import Requirement
    from packaging.version import Version

    lines = []
    for dist in metadata.distributions(path=[site]):
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            try:
                have = metadata.version(req.name)
            except metadata.PackageNotFoundError:
                lines.append(f"{dist.metadata['Name']} needs {req}: not installed")
                continue
            if not req.specifier.contains(Version(have), prereleases=True):
                lines.append(f"{dist.metadata['Name']} needs {req}: {have} installed")
    return lines


def describe(site: str | None = None) -> dict:
    """The machine and its libraries (see the module docstring)."""
    out = dict(python=sys.version.split()[0], executable=sys.executable, platform=platform.platform(),
               cpu_count=os.cpu_count(), nvidia_smi=command(["nvidia-smi"]),
               nvidia_smi_query=command(["nvidia-smi", f"--query-gpu={QUERY}", "--format=csv"]),
               libraries={name: library(name) for name in LIBRARIES}, unmet_requirements=unmet(site))
    try:
        import torch

        out.update(torch_cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version(),
                   cuda_available=torch.cuda.is_available(), torch_threads=torch.get_num_threads())
        if torch.cuda.is_available():
            props = torch.cuda.get_device_properties(0)
            out.update(gpu_name=props.name, gpu_memory_bytes=props.total_memory,
                       gpu_multiprocessors=props.multi_processor_count,
                       gpu_capability=f"{props.major}.{props.minor}")
    except Exception as err:  # noqa: BLE001 (a broken torch is itself the finding)
        out["torch_error"] = f"{type(err).__name__}: {err}"
    try:                # whether ONNX Runtime's CUDA provider exists here (the onnxruntime backend's CUDA path)
        import onnxruntime

        out["onnxruntime_providers"] = onnxruntime.get_available_providers()
    except Exception as err:  # noqa: BLE001
        out["onnxruntime_providers"] = f"not importable: {type(err).__name__}: {err}"
    return out


if __name__ == "__main__":
    print(json.dumps(describe(sys.argv[1] if len(sys.argv) > 1 else None)))
