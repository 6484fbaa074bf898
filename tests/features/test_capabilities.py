"""The capability matrix (reports/capabilities.py) reads values each backend declares (features/backends/base.py);
the README's block is generated from it; an "exportable" claim is checked by exporting."""
from __future__ import annotations

import pytest

from features import backends
from reports import capabilities
from tests.reports.helpers import REPO


def test_one_row_per_backend_every_cell_a_value():
    rows = capabilities.rows()
    assert [r[0] for r in rows] == list(backends.names())
    for r in rows:
        assert len(r) == len(capabilities.HEADERS)
        assert all(c in ("yes", "no") for c in r[2:8]), r
    by = {r[0]: dict(zip(capabilities.HEADERS, r)) for r in rows}
    assert by["librosa"]["CUDA"] == "no" and by["librosa"]["identical to librosa"] == "yes"
    assert by["torchaudio"]["differentiable"] == "yes" and by["torchaudio"]["batch-independent"] == "no"
    assert by["kaldi"]["identical to librosa"] == "no"
    assert by["librosa_torch"]["installs without this project"] == "no"
    assert by["torchaudio"]["torch pin"].endswith("exactly") and by["librosa"]["torch pin"] == "no torch"


def test_declared_values_are_values():
    for name in backends.names():
        cls = backends.get(name)
        assert cls.torch_pin in ("exact", "any", "none"), name
        assert all(isinstance(f, str) for f in cls.exports) and isinstance(cls.differentiable, bool), name


def test_the_readme_block_is_the_generated_one():
    assert capabilities.check_readme(REPO / "README.md") == []
    assert capabilities.BEGIN in (REPO / "README.md").read_text(encoding="utf-8")


def test_torchscript_claims_hold():
    torch = pytest.importorskip("torch")
    ta = pytest.importorskip("torchaudio")
    claimed = [n for n in backends.names() if "TorchScript" in backends.get(n).exports]
    assert claimed == ["torchaudio"]          # a new claim needs its export checked here
    scripted = torch.jit.script(ta.transforms.MFCC(sample_rate=8000))
    assert scripted(torch.zeros(1, 800)).shape[-2] == 40


def test_differentiable_backends_pass_gradients():
    torch = pytest.importorskip("torch")
    from features import MFCCConfig, create_extractor

    for name in backends.names(installed=True):
        cls = backends.get(name)
        if not cls.differentiable:
            continue
        preset = "kaldi_defaults" if cls.definition == "kaldi" else "matched"
        ext = create_extractor(name, MFCCConfig.preset(preset))
        x = torch.randn(1, 4000, requires_grad=True)
        ext(x).sum().backward()
        assert x.grad is not None and torch.isfinite(x.grad).all(), name
