"""Emit one self-contained torch file for a Recipe: `torch_file_code(recipe, doc=...) -> str`.

The file imports torch and the standard library only (no torchaudio, no librosa, nothing of this project), so
it can be copied into a serving codebase. It defines one `torch.nn.Module` built with no arguments (the
settings are baked in; an optional `dtype` picks float32 or float64 buffers) whose `forward` takes a (T,) or
(B, T) float waveform and returns (n_out, frames) or (B, n_out, frames), n_out = n_mfcc or n_mels, the top_db
floor taken per clip. It is what the port's recipe computes, written with torch.stft and three precomputed
buffers (window, mel filterbank, DCT with the lifter folded in), the same buffers the ONNX emitter
(to_onnx.py) bakes into its graph.
"""
from __future__ import annotations

import math

from .recipe import PAD_MODES, WINDOWS, Recipe
from .to_torch import _dct_code, _fbank_code

_HEAD = "import math\n\nimport torch\n"


def class_name(r: Recipe) -> str:
    """The module class the file defines: "PortedMFCC" or "PortedLogMel"."""
    return "PortedMFCC" if r.kind == "mfcc" else "PortedLogMel"


def min_samples(r: Recipe) -> int:
    """The shortest clip the recipe computes features for, as librosa and torch.stft take it: with
    center=False a whole frame; reflect padding needs more samples than it mirrors (torch.stft), symmetric and
    circular padding at least as many; zero and edge padding take any clip (librosa pads a short clip)."""
    h = r.n_fft // 2
    if not r.center:
        return max(1, r.n_fft - 2 * r.pre_pad)
    need = {"reflect": h + 1, "symmetric": h, "wrap": h}.get(r.pad_mode, 1)
    return max(1, need - 2 * r.pre_pad)


def magnitude_scale(r: Recipe) -> float:
    """The factor on |STFT| that torchaudio's `normalized` applies (1.0 where none)."""
    if r.spec_scale == "window":
        import torch

        window = getattr(torch, WINDOWS[r.window])(r.win_length, dtype=torch.float64)
        return 1.0 / math.sqrt(float((window ** 2).sum()))
    return r.n_fft ** -0.5 if r.spec_scale == "frame_length" else 1.0


def _forward_lines(r: Recipe) -> list[str]:
    lines = ["    def forward(self, waveform):",
             '        """(T,) or (B, T) float waveform -> (n_out, frames) or (B, n_out, frames) in the buffers\' dtype."""',
             "        x = waveform.to(self.fb.dtype)",
             "        single = x.ndim == 1",
             "        x = x[None] if single else x"]
    if r.pre_pad:
        lines.append(f"        x = torch.nn.functional.pad(x, ({r.pre_pad}, {r.pre_pad}))   # torchaudio's pad")
    center, pad_mode = r.center, PAD_MODES[r.pad_mode]
    if r.center and pad_mode is None:
        h = r.n_fft // 2
        lines += [f"        # np.pad mode 'symmetric' (mirror including the edge sample), {h} samples a side",
                  f"        x = torch.cat([x[..., :{h}].flip(-1), x, x[..., -{h}:].flip(-1)], dim=-1)"]
        center, pad_mode = False, "constant"
    lines += [f"        spec = torch.stft(x, {r.n_fft}, hop_length={r.hop_length}, win_length={r.win_length}, "
              f"window=self.window, center={center!r},",
              f"                          pad_mode={pad_mode!r}, normalized=False, onesided=True, "
              "return_complex=True).abs()"]
    scale = magnitude_scale(r)
    if scale != 1.0:
        lines.append(f"        spec = spec * {scale!r}   # torchaudio's normalized={r.spec_scale!r}")
    if r.power != 1.0:
        lines.append(f"        spec = spec.pow({r.power!r})")
    lines.append("        mel = torch.matmul(self.fb, spec)   # (B, n_mels, frames)")
    if r.log == "ln":
        lines.append("        feats = torch.log(mel + 1e-6)")
    else:
        lines.append(f"        feats = {r.db_mult!r} * torch.log10(torch.clamp(mel, min={r.amin!r}))")
        if r.ref == "max":
            lines.append("        feats = feats - feats.amax(dim=(-2, -1), keepdim=True)   # ref=np.max, per clip")
        elif r.ref != 1.0:
            lines.append(f"        feats = feats - {r.db_mult * math.log10(max(r.amin, r.ref))!r}   # ref={r.ref!r}")
        if r.top_db is not None:
            lines.append(f"        feats = torch.maximum(feats, feats.amax(dim=(-2, -1), keepdim=True) - {r.top_db!r})"
                         "   # top_db per clip")
    if r.kind == "mfcc":
        lines.append("        feats = torch.matmul(self.dct, feats)   # (B, n_mfcc, frames)")
    lines += ["        return feats[0] if single else feats", ""]
    return lines


def torch_file_code(r: Recipe, *, doc: str) -> str:
    """The file's text: a docstring (`doc`), `mel_filterbank()`, `dct_matrix()` (MFCC), and the module class
    (`class_name(r)`), whose buffers are window (win_length,), fb (n_mels, n_freqs) and dct (n_mfcc, n_mels)."""
    cls = class_name(r)
    window = WINDOWS[r.window]
    window_call = (f"torch.ones({r.win_length}, dtype=torch.float64)" if window == "ones"
                   else f"torch.{window}({r.win_length}, dtype=torch.float64)")
    lines = [f'"""{doc}"""', _HEAD, ""] + _fbank_code(r) + _dct_code(r, torch_only=True)
    lines += [f"class {cls}(torch.nn.Module):",
              f'    """{doc.splitlines()[0]}',
              "",
              "    Args:",
              "        dtype (torch.dtype, torch.float32): the buffers' dtype, which the waveform is cast to.",
              "",
              "    Buffers: window (win_length,), fb (n_mels, n_freqs)" + (", dct (n_mfcc, n_mels)" if r.kind == "mfcc"
                                                                        else "") + ', computed in float64."""',
              "",
              "    def __init__(self, dtype=torch.float32):",
              "        super().__init__()",
              f"        self.register_buffer(\"window\", {window_call}.to(dtype))",
              "        self.register_buffer(\"fb\", mel_filterbank().T.contiguous().to(dtype))"]
    if r.kind == "mfcc":
        lines.append("        self.register_buffer(\"dct\", dct_matrix().T.contiguous().to(dtype))")
    lines.append("")
    lines += _forward_lines(r)
    return "\n".join(lines)
