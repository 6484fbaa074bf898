"""Emit one self-contained torch file for a Recipe: `torch_file_code(recipe, doc=...) -> str`.

The file imports torch and the standard library only (no torchaudio, no librosa, nothing of this project), so
it can be copied into a serving codebase. It defines one `torch.nn.Module` built with no arguments (the
settings are baked in; an optional `dtype` picks float32 or float64 buffers) whose `forward` takes a (T,) or
(B, T) float waveform and returns (n_out, frames) or (B, n_out, frames), n_out = n_mfcc or n_mels, the top_db
floor taken per clip. It is what the port's recipe computes, written with torch.stft and three precomputed
buffers (window, mel filterbank, DCT with the lifter folded in), the same buffers the ONNX emitter
(to_onnx.py) bakes into its graph.

The buffers follow the source library's own arithmetic (`source`): for a librosa call they are computed in
float64 as librosa computes them; for a torchaudio call, in float32 with torchaudio's formulas (its
window function, melscale_fbanks, create_dct), so the file returns torchaudio's numbers, rounding included
(measured: 1e-16 relative in float64 where float64 buffers left gaps up to 1e-3 in the quietest bins).
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


SOURCES = ("librosa", "torchaudio")


def _torchaudio_fbank_code(r: Recipe) -> list[str]:
    """`mel_filterbank()` as torchaudio.functional.melscale_fbanks computes it: float32 grid and triangles,
    the mel edges from Python floats (returned as float64 holding those float32 values)."""
    if r.htk:
        to_mel = "2595.0 * math.log10(1.0 + f / 700.0)"
        to_hz = ["    f_pts = 700.0 * (10.0 ** (m_pts / 2595.0) - 1.0)"]
    else:
        # torchaudio's constants as it writes them: f_sp = 200 / 3, min_log_mel = 1000 / f_sp, logstep
        to_mel = ("f / (200.0 / 3) if f < 1000.0 else 1000.0 / (200.0 / 3) + math.log(f / 1000.0) / "
                  "(math.log(6.4) / 27.0)")
        to_hz = ["    f_pts = 0.0 + (200.0 / 3) * m_pts",
                 "    above = m_pts >= 1000.0 / (200.0 / 3)",
                 "    f_pts[above] = 1000.0 * torch.exp(math.log(6.4) / 27.0 * (m_pts[above] - 1000.0 / (200.0 / 3)))"]
    lines = ["def mel_filterbank():",
             f'    """torchaudio.functional.melscale_fbanks({r.n_freqs}, {r.fmin!r}, {r.fmax!r}, {r.n_mels}, '
             f'{int(r.grid_top) * 2}, norm={r.mel_norm!r}, mel_scale={"htk" if r.htk else "slaney"!r}), computed '
             'as torchaudio computes it (float32): (n_freqs, n_mels)."""',
             "    def hz_to_mel(f):",
             f"        return {to_mel}",
             "",
             f"    all_freqs = torch.linspace(0, {int(r.grid_top)}, {r.n_freqs}, dtype=torch.float32)",
             f"    m_pts = torch.linspace(hz_to_mel({r.fmin!r}), hz_to_mel({r.fmax!r}), {r.n_mels + 2}, "
             "dtype=torch.float32)"] + to_hz + [
             "    f_diff = f_pts[1:] - f_pts[:-1]",
             "    slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1)",
             "    down = (-1.0 * slopes[:, :-2]) / f_diff[:-1]",
             "    up = slopes[:, 2:] / f_diff[1:]",
             "    fb = torch.max(torch.zeros(1), torch.min(down, up))"]
    if r.mel_norm == "slaney":
        lines.append(f"    fb = fb * (2.0 / (f_pts[2:{r.n_mels + 2}] - f_pts[:{r.n_mels}])).unsqueeze(0)")
    return lines + ["    return fb.double()", "", ""]


def _torchaudio_dct_code(r: Recipe) -> list[str]:
    """`dct_matrix()` as torchaudio.functional.create_dct computes it (float32): (n_mels, n_mfcc)."""
    if r.kind != "mfcc":
        return []
    lines = ["def dct_matrix():",
             f'    """torchaudio.functional.create_dct({r.n_mfcc}, {r.n_mels}, {r.dct_norm!r}), computed as torchaudio '
             'computes it (float32): (n_mels, n_mfcc)."""',
             f"    n = torch.arange({float(r.n_mels)!r}, dtype=torch.float32)",
             f"    k = torch.arange({float(r.n_mfcc)!r}, dtype=torch.float32).unsqueeze(1)",
             f"    dct = torch.cos(math.pi / {float(r.n_mels)!r} * (n + 0.5) * k)"]
    lines += (["    dct[0] *= 1.0 / math.sqrt(2.0)", f"    dct *= math.sqrt(2.0 / {float(r.n_mels)!r})"]
              if r.dct_norm == "ortho" else ["    dct *= 2.0"])
    return lines + ["    return dct.t().double()", "", ""]


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
    lines.append("        mel = torch.matmul(spec.transpose(-1, -2), self.fb).transpose(-1, -2)   # (B, n_mels, frames)")
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
        lines.append("        feats = torch.matmul(feats.transpose(-1, -2), self.dct).transpose(-1, -2)   # (B, n_mfcc, frames)")
    lines += ["        return feats[0] if single else feats", ""]
    return lines


def torch_file_code(r: Recipe, *, doc: str, source: str = "librosa") -> str:
    """The file's text: a docstring (`doc`), `mel_filterbank()`, `dct_matrix()` (MFCC), and the module class
    (`class_name(r)`), whose buffers are window (win_length,), fb (n_freqs, n_mels) and dct (n_mels, n_mfcc),
    computed as library `source` ("librosa" or "torchaudio") computes them."""
    if source not in SOURCES:
        raise ValueError(f"source={source!r}: must be one of {SOURCES}")
    cls = class_name(r)
    window = WINDOWS[r.window]
    precision = "torch.float64" if source == "librosa" else "torch.float32"
    window_call = (f"torch.ones({r.win_length}, dtype={precision})" if window == "ones"
                   else f"torch.{window}({r.win_length}, dtype={precision})")
    buffers = (_fbank_code(r) + _dct_code(r, torch_only=True) if source == "librosa"
               else _torchaudio_fbank_code(r) + _torchaudio_dct_code(r))
    lines = [f'"""{doc}"""', _HEAD, ""] + buffers
    lines += [f"class {cls}(torch.nn.Module):",
              f'    """{doc.splitlines()[0]}',
              "",
              "    Args:",
              "        dtype (torch.dtype, torch.float32): the buffers' dtype, which the waveform is cast to.",
              "",
              "    Buffers: window (win_length,), fb (n_freqs, n_mels)" + (", dct (n_mels, n_mfcc)" if r.kind == "mfcc"
                                                                        else "") + f', computed as {source} does."""',
              "",
              "    def __init__(self, dtype=torch.float32):",
              "        super().__init__()",
              f"        self.register_buffer(\"window\", {window_call}.to(dtype))",
              "        self.register_buffer(\"fb\", mel_filterbank().to(dtype))"]
    if r.kind == "mfcc":
        lines.append("        self.register_buffer(\"dct\", dct_matrix().to(dtype))")
    lines.append("")
    lines += _forward_lines(r)
    return "\n".join(lines)
