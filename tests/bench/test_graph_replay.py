"""graph_replay: the call, the forward and the captured CUDA graph of each CUDA backend (bench/measurements/graph_replay.py)."""
from __future__ import annotations

import pytest
import torch

from bench.measurements import Options, graph_replay
from reports.records import GraphReplay
from reports.run_results import RunResults


def test_without_a_cuda_accelerator_it_measures_nothing_and_says_so(make_ctx):
    said = []
    for accelerator in (None, "cpu"):           # a CPU run, and the GPU session's rehearsal
        ctx = make_ctx(("torchaudio",), options=Options(accelerator=accelerator), progress=said.append)
        assert graph_replay.run(ctx) == {"graph_replay": []}
    assert said and all("CUDA graphs need a CUDA GPU" in s for s in said)


def test_rel_diff_is_the_norm_of_the_difference_over_the_norm():
    b = torch.tensor([3.0, 4.0])
    assert graph_replay.rel_diff(b, b) == 0.0
    assert graph_replay.rel_diff(torch.tensor([3.0, 5.0]), b) == pytest.approx(1 / 5)
    assert graph_replay.rel_diff(torch.zeros(2), torch.zeros(2)) == 0.0


def test_a_refused_record_round_trips_through_results_json(tmp_path):
    rec = GraphReplay(backend="nnaudio", device="cuda", batch_size=1, duration_s=1.0, status="refused",
                      reason="cannot be captured as a CUDA graph: operation not permitted when stream is capturing")
    res = RunResults(backends=["nnaudio"], reference="librosa", label="t")
    res.update_tables({"graph_replay": [rec]})
    (tmp_path / "results.json").write_text(res.files(csv=False)["results.json"])
    back, problems = RunResults.load(tmp_path / "results.json")
    assert problems == [] and back.tables["graph_replay"] == [rec]


@pytest.mark.gpu
@pytest.mark.parametrize("backend", ["torchaudio", "librosa_torch"])
def test_the_replayed_graph_computes_what_the_call_does(make_ctx, backend):
    ctx = make_ctx((backend,), options=Options(accelerator="cuda"))
    with torch.inference_mode():
        rec = graph_replay.measure_point(ctx, backend, 4, 1.0)
    assert rec.status == "measured", rec.reason
    assert rec.max_rel_diff is not None and rec.max_rel_diff < 1e-5      # float32 rounding, same kernels
    assert rec.audio_s == 4.0 and len(rec.graph_pass_medians_s) == ctx.grid.passes
    assert 0 < rec.graph_s and 0 < rec.forward_s and 0 < rec.call_s
