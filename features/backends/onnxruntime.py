"""The onnxruntime backend: librosa's MFCC as the ONNX graph `python -m features.port ... --emit onnx` writes,
run by ONNX Runtime (CPU; CUDA execution provider where onnxruntime-gpu is installed).

It is the deployment path of the suite: a model trained on librosa's features, served by a graph with no
Python audio library behind it. The graph is built from the config through the port's recipe
(features/port/to_onnx.py: framing and the real DFT as one Conv, the mel and DCT products as MatMuls, the
per-clip top_db floor as ReduceMax), once, at construction; the session is created then too (cold start).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import torch

from .base import Backend

def _devices() -> tuple:
    """("cpu", "cuda") where this onnxruntime has the CUDA execution provider (onnxruntime-gpu), else ("cpu",)."""
    try:
        import onnxruntime
    except ImportError:     # not installed: the registry says so (missing_library) before anything runs
        return ("cpu",)
    return ("cpu", "cuda") if "CUDAExecutionProvider" in onnxruntime.get_available_providers() else ("cpu",)


ORT_REQUIRES = {
    "dtype": (lambda v: v == "float32", "the ONNX graph is float32 (ONNX Runtime's Conv has no float64 kernel)"),
    "top_db_scope": (lambda v: v in ("clip", "off"), "the graph floors each clip on its own or not at all; "
                                                     "a floor across the batch depends on batch-mates"),
    "window": (lambda v: v != "povey", "povey is Kaldi's window, not scipy's; use a Kaldi backend"),
}


def recipe_for(cfg):
    """The port's Recipe computing `cfg` (librosa's keywords, then the dB step's ref, amin and floor)."""
    from features.port.recipe import from_librosa
    from features.port.snippet import librosa_keywords

    r = from_librosa("mfcc", librosa_keywords(cfg))
    return dataclasses.replace(r, ref=cfg.ref, amin=cfg.amin, top_db=None if cfg.top_db_scope == "off" else cfg.top_db)


class OnnxRuntimeMFCC(Backend):
    """MFCCs of librosa's definition from an ONNX graph run by ONNX Runtime.

    Args:
        cfg (MFCCConfig): every field of librosa's definition but float64, a floor across the batch and the
            povey window (ValueError naming the field).
        device (str | torch.device, "cpu"): "cpu", or "cuda" where onnxruntime has the CUDA execution
            provider (RuntimeError, one line, otherwise).

    Attributes:
        model (onnx.ModelProto): the graph; session (onnxruntime.InferenceSession): it, ready to run.

    Calling: (T,) or (B, T) NumPy array or tensor at `cfg.sample_rate` -> torch.Tensor float32 on the CPU
    (n_mfcc, n_frames) or (B, n_mfcc, n_frames).
    """

    name = "onnxruntime"
    devices = _devices()     # decided by the installed wheel: onnxruntime (CPU) or onnxruntime-gpu
    library = "onnxruntime"
    distribution = "onnxruntime"
    requires = ORT_REQUIRES
    exported = True
    batch_independent = True   # the graph keeps the dB floor per clip
    standalone = False         # the graph is written by this project's port (python -m features.port ... --emit onnx)
    exports = ("ONNX",)        # it is the exported graph; tests/features/test_emit.py checks it against librosa
    description = ("the port's ONNX graph (Conv as framing + real DFT, MatMul mel and DCT, per-clip floor) "
                   "in ONNX Runtime")

    def __init__(self, cfg, device="cpu"):
        from features.port.emit import onnx_session
        from features.port.to_onnx import onnx_model

        super().__init__(cfg, device)
        self.model = onnx_model(recipe_for(cfg), doc=f"librosa.feature.mfcc under MFCCConfig {cfg.hash()}")
        # as many threads as torch has here (bench.measurements.support.batches.torch_threads sets them per measured point)
        self.session = onnx_session(self.model.SerializeToString(), self.device.type, threads=torch.get_num_threads())

    def forward(self, waveform) -> torch.Tensor:
        """(T,) or (B, T) checked waveform -> its MFCCs (the front end's cut, pad and pre-emphasis first)."""
        x = self.waveform_array(waveform)
        single = x.ndim == 1
        out = self.session.run(None, {"waveform": x[None] if single else x})[0]
        return torch.from_numpy(out[0] if single else out)

    @classmethod
    def direct_call(cls, cfg, device="cpu"):
        """The session called with a float32 (B, T) array, as a serving process would call it."""
        session = cls(cfg, device=device).session
        return lambda x: session.run(None, {"waveform": np.asarray(x, dtype=np.float32)})[0]
