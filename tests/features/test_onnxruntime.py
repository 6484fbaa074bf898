"""The onnxruntime backend: the port's ONNX graph in ONNX Runtime, as a registry backend."""
from __future__ import annotations

import numpy as np
import onnxruntime
import pytest
import torch

from features import MFCCConfig, create_extractor
from features.backends import get
from tests.floats import rel_error


def test_it_declares_what_the_installed_wheel_can_do():
    cls = get("onnxruntime")
    cuda = "CUDAExecutionProvider" in onnxruntime.get_available_providers()
    assert cls.devices == (("cpu", "cuda") if cuda else ("cpu",)) and cls.exported and cls.definition == "librosa"
    if not cuda:
        with pytest.raises(ValueError, match="^device='cuda': the onnxruntime backend runs on the CPU only$"):
            create_extractor("onnxruntime", MFCCConfig(), device="cuda")


def test_direct_call_is_the_session_and_matches_the_backend_and_librosa():
    cfg = MFCCConfig()
    x = (0.1 * np.random.default_rng(0).standard_normal((3, 16000))).astype(np.float32)
    ours = create_extractor("onnxruntime", cfg)(x).numpy()
    direct = get("onnxruntime").direct_call(cfg)(x)
    np.testing.assert_array_equal(ours, direct)
    assert rel_error(create_extractor("librosa", cfg)(x), torch.from_numpy(ours)) <= 1e-4


def test_session_threads_follow_torch_threads():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        ext = create_extractor("onnxruntime", MFCCConfig())
    finally:
        torch.set_num_threads(threads)
    assert ext.session.get_session_options().intra_op_num_threads == 1
