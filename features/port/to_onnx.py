"""Build an ONNX graph for a Recipe: `onnx_model(recipe, doc=...) -> onnx.ModelProto`.

Input `waveform` float32 (batch, time), both dynamic; one output `features` (batch, n_out, frames). The
graph is the recipe's computation written with ONNX's oldest, most widely implemented operators (opset 17):

    Unsqueeze -> Pad (centring) -> Conv (framing, window and real DFT in one: a (2 * n_freqs, 1, n_fft)
    kernel of window * cos and window * sin rows, stride hop_length) -> Mul (squares) -> Reshape + ReduceSum
    (re^2 + im^2) -> [Pow] -> MatMul (mel filterbank) -> Log / Max / ReduceMax (dB, ref, per-clip top_db
    floor) -> [MatMul (DCT with the lifter folded in)]

Why a DFT as a convolution and not ONNX's STFT or DFT operators: Conv and MatMul run in every ONNX runtime
and on every execution provider (CPU, CUDA, TensorRT, CoreML, NNAPI, WebGPU), are fused and tuned there, and
need no complex numbers; the STFT operator (opset 17) is missing from several of them. The cost is an
O(n_fft^2) product per frame instead of an FFT, which at the window sizes of speech features (n_fft 400-2048)
is one GEMM per batch. The constants are the buffers of the emitted torch file (to_torch_file.py: computed
as the source library computes them, librosa's in float64, torchaudio's in float32), so the two artefacts
compute the same thing from the same numbers.
"""
from __future__ import annotations

import math

import numpy as np

from .recipe import Recipe
from .to_torch_file import class_name, magnitude_scale, torch_file_code

OPSET = 17
_NP_PAD = {"constant": "constant", "reflect": "reflect", "edge": "edge"}   # ONNX Pad modes at opset 17


def buffers(r: Recipe, source: str = "librosa") -> dict:
    """The torch file's buffers (as `source` computes them) in float64 as NumPy: window (win_length,),
    fb (n_freqs, n_mels), dct (n_mels, n_mfcc)."""
    import torch

    namespace: dict = {}
    exec(compile(torch_file_code(r, doc="buffers", source=source), "<port:torch-file>", "exec"), namespace)
    module = namespace[class_name(r)](torch.float64)
    return {name: buf.numpy() for name, buf in module.named_buffers()}


def dft_kernel(r: Recipe, window: np.ndarray) -> np.ndarray:
    """(2 * n_freqs, 1, n_fft) float64: window * cos rows then window * sin rows, the window centred in the
    frame as librosa and torch.stft centre it, times torchaudio's `normalized` scale."""
    n = np.arange(r.n_fft)
    k = np.arange(r.n_freqs)[:, None]
    framed = np.zeros(r.n_fft)
    left = (r.n_fft - r.win_length) // 2
    framed[left:left + r.win_length] = window
    angle = 2.0 * np.pi * ((k * n) % r.n_fft) / r.n_fft      # reduced mod n_fft: exact angles for large k*n
    rows = np.concatenate([np.cos(angle), np.sin(angle)]) * framed * magnitude_scale(r)
    return rows[:, None, :]


def onnx_model(r: Recipe, *, doc: str = "", dtype: str = "float32", source: str = "librosa"):
    """The recipe as an onnx.ModelProto (checked with onnx.checker). `dtype="float64"` builds the same graph in
    double precision, for checking the graph's arithmetic with onnx.reference (ONNX Runtime's CPU Conv is
    float32 only): what that graph misses by is the recipe, what the float32 graph misses by beyond it is
    float32 rounding. `source`: whose arithmetic the constants follow (to_torch_file.torch_file_code)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    b = buffers(r, source)
    nodes, inits = [], []

    def _scalar(x: float):
        return np.asarray(x, dtype=dtype)

    def const(name: str, value) -> str:
        array = np.asarray(value)
        array = array.astype(np.int64 if array.dtype.kind in "iu" else dtype)
        inits.append(numpy_helper.from_array(array, name))
        return name

    def node(op: str, inputs: list, name: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    x = node("Unsqueeze", ["waveform", const("axis1", [1])], "framed_input")       # (B, 1, T)
    if r.pre_pad:
        x = node("Pad", [x, const("pre_pad", [0, 0, r.pre_pad, 0, 0, r.pre_pad])], "pre_padded", mode="constant")
    if r.center:
        h = r.n_fft // 2
        if r.pad_mode in _NP_PAD:
            x = node("Pad", [x, const("centre_pad", [0, 0, h, 0, 0, h])], "centred", mode=_NP_PAD[r.pad_mode])
        else:   # symmetric: mirror including the edge sample; wrap: the other end's samples
            axis, big = const("time_axis", [-1]), 2 ** 62
            if r.pad_mode == "symmetric":
                left = node("Slice", [x, const("l_start", [h - 1]), const("l_end", [-big]), axis,
                                      const("back", [-1])], "left_mirror")
                right = node("Slice", [x, const("r_start", [-1]), const("r_end", [-h - 1]), axis,
                                       const("back2", [-1])], "right_mirror")
            else:
                left = node("Slice", [x, const("l_start", [-h]), const("l_end", [big]), axis], "left_wrap")
                right = node("Slice", [x, const("r_start", [0]), const("r_end", [h]), axis], "right_wrap")
            x = node("Concat", [left, x, right], "centred", axis=-1)
    spec = node("Conv", [x, const("dft", dft_kernel(r, b["window"]))], "re_im",
                strides=[r.hop_length], kernel_shape=[r.n_fft])                   # (B, 2F, frames)
    squares = node("Mul", [spec, spec], "squares")
    pairs = node("Reshape", [squares, const("re_im_shape", [0, 2, r.n_freqs, -1])], "pairs")
    power = node("ReduceSum", [pairs, const("axis_re_im", [1])], "power", keepdims=0)   # |X|^2 (B, F, frames)
    if r.power == 1.0:
        power = node("Sqrt", [power], "magnitude")
    elif r.power != 2.0:
        power = node("Pow", [power, const("half_power", _scalar(r.power / 2))], "spectrum")
    mel = node("MatMul", [const("mel_fb", b["fb"].T), power], "mel")                       # (B, n_mels, frames)
    if r.log == "ln":
        feats = node("Log", [node("Add", [mel, const("ln_offset", _scalar(1e-6))], "mel_offset")], "log_mel")
    else:
        clamped = node("Max", [mel, const("amin", _scalar(r.amin))], "clamped")
        feats = node("Mul", [node("Log", [clamped], "ln_mel"), const("db_per_neper", _scalar(r.db_mult / math.log(10)))],
                     "db")
        if r.ref == "max":
            peak = node("ReduceMax", [feats], "peak_db", axes=[1, 2], keepdims=1)
            feats = node("Sub", [feats, peak], "db_ref")
        elif r.ref != 1.0:
            feats = node("Sub", [feats, const("ref_db", _scalar(r.db_mult * math.log10(max(r.amin, r.ref))))],
                         "db_ref")
        if r.top_db is not None:
            peak = node("ReduceMax", [feats], "clip_peak", axes=[1, 2], keepdims=1)
            floor = node("Sub", [peak, const("top_db", _scalar(r.top_db))], "floor")
            feats = node("Max", [feats, floor], "floored")
    if r.kind == "mfcc":
        feats = node("MatMul", [const("dct", b["dct"].T), feats], "mfcc")
    nodes.append(helper.make_node("Identity", [feats], ["features"], name="features"))
    n_out = r.n_mfcc if r.kind == "mfcc" else r.n_mels
    elem = TensorProto.FLOAT if dtype == "float32" else TensorProto.DOUBLE
    graph = helper.make_graph(
        nodes, class_name(r), [helper.make_tensor_value_info("waveform", elem, ["batch", "time"])],
        [helper.make_tensor_value_info("features", elem, ["batch", n_out, "frames"])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="features.port",
                              doc_string=doc)
    model.ir_version = 8      # readable by every ONNX Runtime since 1.10
    onnx.checker.check_model(model)
    return model
