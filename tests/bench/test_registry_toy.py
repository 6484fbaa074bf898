"""Adding a backend is one module plus one registry line: a toy backend registered at run time is
measured by the quick harness like any other, with no edit anywhere else."""
import json

import pytest
import torch

from bench import run
from features import MFCCConfig, create_extractor
from features.backends import Backend, register, unregister


class ToyMFCC(Backend):
    """The torchaudio backend's numbers under another name, from its own module-level code."""

    name = "toy"
    devices = ("cpu",)
    library = "torch"
    distribution = "torch"
    description = "a test double"

    def __init__(self, cfg, device="cpu"):
        super().__init__(cfg, device)
        self.inner = create_extractor("torchaudio", cfg, device=device)

    def forward(self, waveform):
        return self.inner(waveform)

    @classmethod
    def direct_call(cls, cfg, device="cpu"):
        inner = create_extractor("torchaudio", cfg, device=device)
        return inner.forward


@pytest.fixture
def toy():
    register(ToyMFCC)
    yield "toy"
    unregister("toy")


@pytest.mark.slow
def test_quick_harness_measures_a_registered_backend(toy, tmp_path):
    out = tmp_path / "b"
    # cold_start runs in a child process, where a backend registered at run time does not exist
    only = "throughput,overhead,agreement,batch_invariance,accuracy"
    assert run.main(["--profile", "standard", "--backend", f"librosa,{toy}", "--only", only, "--epochs", "1", "--out", str(out),
                     "--no-report"]) == 0
    r = json.loads((out / "results.json").read_text())
    assert r["backends"] == ["librosa", "toy"] and r["backend_info"]["toy"]["library"] == "torch"
    assert {x["backend"] for x in r["throughput"]} == {"librosa", "toy"}
    assert any(x["backend"] == "toy" for x in r["overhead"])
    (matched,) = [x for x in r["agreement"] if x["backend"] == "toy" and x["preset"] == "matched"]
    assert matched["rel_error"] < 1e-5
    assert {(x["train_backend"], x["test_backend"]) for x in r["accuracy"]} >= {("toy", "librosa"), ("librosa", "toy")}
    assert "toy: batch" in " ".join(r["thinned"])           # a peer is timed on the thinner grid, and says so


def test_registry_refuses_what_it_cannot_hold(toy):
    with pytest.raises(ValueError, match="already a built-in"):
        register(type("X", (ToyMFCC,), {"name": "librosa"}))
    with pytest.raises(TypeError):
        register(object)
    with pytest.raises(ValueError, match="backend='nope'"):
        create_extractor("nope", MFCCConfig())
    assert create_extractor(toy, MFCCConfig())(torch.zeros(2, 16000)).shape == (2, 13, 101)
