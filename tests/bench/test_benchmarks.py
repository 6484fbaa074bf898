"""Extraction benchmarks for `pytest --benchmark-only` (plain test runs execute each once as a check).

Each group holds equal work (one batch size and clip duration) so the backends and devices in it
compare directly; parameters go into extra_info; GPU work gets warm-up rounds and synchronises.
"""
import pytest
import torch

from bench.measurements.support.batches import make_batch
from features import MFCCConfig, backend_names, create_extractor
from features.backends import get

# every installed backend that computes the matched config, on every device it declares (CUDA marked gpu)
CASES = [pytest.param(b, d, marks=[pytest.mark.gpu] if d == "cuda" else [])
         for b in backend_names(installed=True) if get(b).honours(MFCCConfig()) for d in get(b).devices]


@pytest.mark.parametrize("duration_s", [1.0, 4.0])
@pytest.mark.parametrize("batch_size", [1, 64, 256])
@pytest.mark.parametrize("backend, device", CASES)
def test_extraction(benchmark, backend, device, batch_size, duration_s):
    cfg = MFCCConfig(sample_size=int(duration_s * 16000))
    ext = create_extractor(backend, cfg, device=device)
    host = make_batch(batch_size, duration_s, cfg.sample_rate)
    data = torch.from_numpy(host).to(device) if device == "cuda" else host

    def run():
        with torch.inference_mode():
            out = ext(data)
        if device == "cuda":
            torch.cuda.synchronize()
        return out

    benchmark.group = f"mfcc batch={batch_size} duration={duration_s}s"
    benchmark.extra_info.update(backend=backend, device=device, batch_size=batch_size, duration_s=duration_s,
                                audio_s=batch_size * duration_s, config=cfg.hash(),
                                torch_threads=torch.get_num_threads())
    warmup = 10 if device == "cuda" else 1
    out = benchmark.pedantic(run, rounds=5 if batch_size * duration_s > 200 else 20, warmup_rounds=warmup,
                             iterations=1)
    assert out.shape == (batch_size, cfg.n_mfcc, cfg.n_frames())
    assert torch.isfinite(out).all()
