"""A GPU run's default label names the GPU and the host CPU its CPU rows ran on (bench.run.gpu_label)."""
from __future__ import annotations

import os

from bench import run as bench_run


def test_the_label_names_the_gpu_and_the_host_cpu_without_trademarks(monkeypatch):
    monkeypatch.setattr("bench.results.cpu_model", lambda: "Intel(R) Xeon(R) Processor @ 2.10GHz")
    assert bench_run.gpu_label("NVIDIA H200") == f"NVIDIA H200 GPU, host CPU Intel Xeon, {os.cpu_count()} cores"
