"""Read a call's keywords from text without evaluating code: `parse_call_args(text, values) -> dict`.

Accepted, all read with `ast` (nothing is executed):
- what goes between the parentheses: "sr=22050, n_mfcc=20";
- a call pasted as written: "librosa.feature.mfcc(y=y, sr=16000, n_mfcc=13)",
  "librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr), ref=np.max)" (the inner call's keywords
  join the outer one's), "torchaudio.transforms.MFCC(sample_rate=16000)(waveform)"; the function names and
  the input (y=, S=, a positional y / S / waveform) are ignored;
- literal values, the names np.max, np.inf and torch.<window>_window, and window arrays written as
  scipy.signal.get_window(...), scipy.signal.windows.<name>(...) or np.hanning(...)-style calls with literal
  arguments (the port then recognises the array where it equals a named window);
- a variable such as `sr=sr` where `values` gives it ({"sr": 16000}, from --value sr=16000); otherwise a
  one-line error asks for it by name.
"""
from __future__ import annotations

import ast
from typing import Optional

import numpy as np

INPUTS = ("y", "S", "waveform", "x", "audio", "signal", "wav")
_NP_WINDOWS = {"hanning": "hann", "hamming": "hamming", "blackman": "blackman", "bartlett": "bartlett"}


def _names() -> dict:
    import torch
    names = {"np.max": np.max, "numpy.max": np.max, "np.inf": np.inf, "math.inf": np.inf, "None": None,
             "True": True, "False": False}
    for fn in ("hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window", "ones"):
        names[f"torch.{fn}"] = getattr(torch, fn)
    return names


def _window_array(node: ast.Call, text: str) -> Optional[np.ndarray]:
    """The array a window-building call returns, computed from its literal arguments; None for other calls."""
    import scipy.signal

    func = ast.unparse(node.func)
    try:
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
    except ValueError:
        raise ValueError(f"{text!r}: a window call's arguments must be literals") from None
    last = func.rsplit(".", 1)[-1]
    if last == "get_window" and func.split(".")[0] in ("scipy", "signal", "librosa", "filters", "get_window"):
        return np.asarray(scipy.signal.get_window(*args, **kwargs), dtype=np.float64)
    if ".windows." in f".{func}" and hasattr(scipy.signal.windows, last):
        return np.asarray(getattr(scipy.signal.windows, last)(*args, **kwargs), dtype=np.float64)
    if func.split(".")[0] in ("np", "numpy") and last in _NP_WINDOWS:
        return np.asarray(getattr(np, last)(*args, **kwargs), dtype=np.float64)
    return None


def _value(node: ast.AST, names: dict, values: dict, key: str):
    if isinstance(node, ast.Dict):
        return {_value(k, names, values, key): _value(v, names, values, key) for k, v in zip(node.keys, node.values)}
    text = ast.unparse(node)
    if text in names:
        return names[text]
    if isinstance(node, ast.Call):
        array = _window_array(node, text)
        if array is not None:
            return array
    if isinstance(node, ast.Name):
        if node.id in values:
            return values[node.id]
        raise ValueError(f"{key}={text}: {text!r} is a variable; give its value with --value {text}=VALUE")
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ValueError(f"{key}={text}: {text!r} is not a literal (allowed names: {', '.join(sorted(names))}, "
                         "and scipy.signal.get_window(...) calls)") from None


def _keywords(call: ast.Call, text: str) -> list[ast.keyword]:
    """The call's keywords, those of calls passed positionally first (power_to_db(melspectrogram(...)))."""
    found: list[ast.keyword] = []
    for arg in call.args:
        if isinstance(arg, ast.Call):
            found += _keywords(arg, text)
        elif not (isinstance(arg, ast.Name) and arg.id in INPUTS):
            raise ValueError(f"ARGS {text!r}: give keywords only (name=value, ...); {ast.unparse(arg)!r} is positional")
    for k in call.keywords:
        if k.arg is None:
            raise ValueError(f"ARGS {text!r}: give keywords only (name=value, ...), not **{ast.unparse(k.value)}")
        if k.arg in INPUTS and isinstance(k.value, ast.Name):
            continue   # the input the call runs on (y=y): the port takes settings only
        found.append(k)
    return found


def parse_call_args(text: str, values: Optional[dict] = None) -> dict:
    """'sr=22050, n_mfcc=20' (or a pasted call) -> {'sr': 22050, 'n_mfcc': 20}; ValueError, one line."""
    try:
        pasted = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        pasted = None
    if isinstance(pasted, ast.Call):
        call = pasted
        while isinstance(call.func, ast.Call):    # MFCC(...)(waveform): the transform's own arguments
            call = call.func
    else:
        try:
            call = ast.parse(f"f({text})", mode="eval").body
        except SyntaxError as err:
            raise ValueError(f"ARGS {text!r}: not Python call arguments ({err.msg})") from None
        if call.args:
            raise ValueError(f"ARGS {text!r}: give keywords only (name=value, ...)")
    names, values = _names(), dict(values or {})
    return {k.arg: _value(k.value, names, values, k.arg) for k in _keywords(call, text)}


def parse_value(text: str) -> tuple[str, object]:
    """'sr=16000' -> ('sr', 16000): a --value option (a literal)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise ValueError(f"--value {text!r}: write NAME=VALUE, e.g. sr=16000")
    try:
        return name.strip(), ast.literal_eval(value.strip())
    except (ValueError, SyntaxError):
        raise ValueError(f"--value {text!r}: {value.strip()!r} is not a literal") from None
