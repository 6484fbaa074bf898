"""Emit self-contained torchaudio code for a Recipe: `torch_code(recipe) -> (code, notes)`.

The code defines a torch.nn.Module class and ends with `module = <Class>()`; exec'ing it is how the port
builds its own module, so the printed code and the module cannot disagree. Two shapes:

- "transforms": torchaudio.transforms.MFCC (or MelSpectrogram + AmplitudeToDB) wrapped so that a (B, T)
  batch goes in as (B, 1, T): torchaudio's top_db floor is then taken per clip, not across the batch;
- "functional": torchaudio.functional.spectrogram (and melscale_fbanks / create_dct where they can) plus
  buffers the port computes in the code itself (librosa's FFT grid at an odd sample rate, a p-norm
  filterbank, DCT types I, III, IV, the lifter, ref=np.max), used when the transforms cannot express the call.
"""
from __future__ import annotations

import math

from .recipe import PAD_MODES, WINDOWS, Recipe

_HEAD = "import math\n\nimport torch\nimport torchaudio\nimport torchaudio.functional as F\n"


def transforms_can_express(r: Recipe) -> list[str]:
    """The reasons torchaudio.transforms cannot express `r` (empty: they can)."""
    why = []
    if PAD_MODES[r.pad_mode] is None and r.center:
        why.append(f"pad_mode={r.pad_mode!r}: torch.stft has no such mode; the port pads by hand")
    if r.log == "db" and (r.ref != 1.0 or r.amin != 1e-10):
        why.append(f"ref={r.ref!r}, amin={r.amin:g}: AmplitudeToDB fixes ref=1 and amin=1e-10; the port "
                   "computes the dB step itself")
    if r.kind == "mfcc" and r.log == "db" and (r.top_db != 80.0 or r.db_mult != 10):
        why.append(f"top_db={r.top_db!r}: transforms.MFCC fixes a power dB step with top_db=80")
    if r.kind == "mfcc" and r.dct_type != 2:
        why.append(f"dct_type={r.dct_type}: torchaudio has only DCT-II (create_dct); the port builds the "
                   f"DCT-{'I' * r.dct_type if r.dct_type < 4 else 'IV'} matrix as a buffer (exact, no "
                   "approximation)")
    if r.kind == "mfcc" and r.lifter > 0:
        why.append(f"lifter={r.lifter:g}: torchaudio has no lifter; the port folds librosa's "
                   "1 + lifter/2 * sin(pi * k / lifter) into the DCT matrix")
    return why


def _window_call(r: Recipe, dtype: str = "") -> str:
    fn = WINDOWS[r.window]
    if fn == "ones":
        return f"torch.ones({r.win_length}{dtype})"
    return f"torch.{fn}({r.win_length}{dtype})"


def _spec_kwargs(r: Recipe, *, by_hand_pad: bool = False) -> list[tuple[str, str]]:
    """(name, Python literal) pairs shared by F.spectrogram and transforms.MelSpectrogram."""
    normalized = {"none": False, "window": True, "frame_length": "frame_length"}[r.spec_scale]
    return [("n_fft", repr(r.n_fft)), ("win_length", repr(r.win_length)), ("hop_length", repr(r.hop_length)),
            ("pad", repr(r.pre_pad)), ("power", repr(r.power)), ("normalized", repr(normalized)),
            ("center", repr(r.center and not by_hand_pad)),
            ("pad_mode", repr("constant" if by_hand_pad else PAD_MODES[r.pad_mode]))]


def _join(pairs: list[tuple[str, str]], *, as_dict: bool = False) -> str:
    if as_dict:
        return "{" + ", ".join(f"{k!r}: {v}" for k, v in pairs) + "}"
    return ", ".join(f"{k}={v}" for k, v in pairs)


def _mel_kwargs(r: Recipe, *, dtype: bool = True) -> list[tuple[str, str]]:
    # a p-norm filterbank is loaded by the module; the transform's own is built with norm=None and replaced
    return _spec_kwargs(r) + [("f_min", repr(r.fmin)), ("f_max", repr(r.fmax)), ("n_mels", repr(r.n_mels)),
                              ("window_fn", "torch." + WINDOWS[r.window])] + \
        ([("wkwargs", "{'dtype': dtype}")] if dtype else []) + \
        [("norm", repr(r.mel_norm if r.mel_norm in (None, "slaney") else None)),
         ("mel_scale", repr("htk" if r.htk else "slaney"))]


def _mfcc_head(r: Recipe) -> str:
    return (f"sample_rate={round(r.sr)}, n_mfcc={r.n_mfcc}, dct_type=2, norm={r.dct_norm!r}, "
            f"log_mels={r.log == 'ln'!r}")


def transforms_snippet(r: Recipe, *, width: int = 100) -> str | None:
    """The bare `torchaudio.transforms.MFCC(...)` call for an MFCC recipe the transforms express exactly, with
    the line that applies it per clip; None where they cannot (a p-norm filterbank, another DCT, a lifter...).
    The transform keeps torchaudio's own float32 filterbank (the module the port builds loads librosa's
    float64 one instead; the difference is in the port's notes)."""
    if r.kind != "mfcc" or transforms_can_express(r) or r.mel_norm not in (None, "slaney") \
            or r.sr != int(r.sr) or r.grid_top != int(r.sr) // 2:
        return None
    lines, line = [], "    melkwargs=dict("
    for k, v in _mel_kwargs(r, dtype=False):
        part = f"{k}={v}, "
        if len(line) + len(part) > width:
            lines.append(line.rstrip())
            line = "        "
        line += part
    lines.append(line.rstrip(", ") + "))")
    return "\n".join(["import torch", "import torchaudio", "",
                      "mfcc = torchaudio.transforms.MFCC(", f"    {_mfcc_head(r)},", *lines,
                      "feats = mfcc(batch.unsqueeze(-2)).squeeze(-3)   # (B, T) -> (B, n_mfcc, frames); "
                      "(B, 1, T) floors each clip on its own"])


def _transforms_code(r: Recipe, cls: str, doc: str) -> str:
    mel = _mel_kwargs(r)
    if r.kind == "mfcc":
        melkwargs = _join(mel, as_dict=True)
        build = (f"torchaudio.transforms.MFCC(\n            {_mfcc_head(r)},\n"
                 f"            melkwargs={melkwargs})")
    else:
        stype = "power" if r.db_mult == 10 else "magnitude"
        build = (f"torch.nn.Sequential(\n            torchaudio.transforms.MelSpectrogram(sample_rate={round(r.sr)}, {_join(mel)}),\n"
                 f"            torchaudio.transforms.AmplitudeToDB({stype!r}, top_db={r.top_db!r}))")
    fb = "self.transform.MelSpectrogram.mel_scale.fb" if r.kind == "mfcc" else "self.transform[0].mel_scale.fb"
    fbank = "\n".join(_fbank_code(r))
    return f'''{_HEAD}

{fbank}
class {cls}(torch.nn.Module):
    """{doc}"""

    def __init__(self, dtype=torch.float32):
        super().__init__()
        self.transform = {build}.to(dtype)
        # librosa's filterbank, computed in float64 as librosa does (melscale_fbanks works in float32)
        {fb}.copy_(mel_filterbank())

    def forward(self, waveform):
        # (..., T) -> (..., 1, T): torchaudio's top_db floor spans dim -3, so each clip keeps its own floor
        return self.transform(waveform.unsqueeze(-2)).squeeze(-3)


module = {cls}()
'''


def fbank_notes(r: Recipe) -> list[str]:
    """Where torchaudio's own filterbank (melscale_fbanks) would differ from librosa's, and by how much."""
    import torch
    import torchaudio.functional as F

    notes = []
    if r.sr != int(r.sr) or r.grid_top != int(r.sr) // 2:
        notes.append(f"sample rate {r.sr:g}: torchaudio's melscale_fbanks lays its FFT-bin grid from 0 to "
                     f"sample_rate // 2 = {int(r.sr) // 2} Hz, librosa's to sr / 2 = {r.sr / 2:g} Hz; the port "
                     "computes the filterbank on librosa's grid itself (exact)")
    if r.mel_norm not in (None, "slaney"):
        notes.append(f"mel norm={r.mel_norm:g}: torchaudio's filterbank has only None and 'slaney'; the port "
                     "normalises each filter to unit p-norm itself, as librosa does (exact)")
    if not notes:
        with torch.no_grad():
            theirs = F.melscale_fbanks(r.n_freqs, r.fmin, r.fmax, r.n_mels, int(r.sr), r.mel_norm,
                                       "htk" if r.htk else "slaney").double()
        ns: dict = {}
        exec(compile(_HEAD + "\n".join(_fbank_code(r)), "<fbank>", "exec"), ns)
        ours = ns["mel_filterbank"]()
        peak = ours.amax(dim=0)
        live = peak > 0
        err = float(((theirs - ours).abs().amax(dim=0)[live] / peak[live]).max()) if bool(live.any()) else 0.0
        notes.append(f"filterbank: torchaudio's melscale_fbanks computes in float32 (off by up to {err:.1e} of a "
                     "filter's peak here); the port computes librosa's filterbank in float64 and loads it instead")
    return notes


def _fbank_code(r: Recipe) -> list[str]:
    mel_norm = r.mel_norm
    lines = [
        "def mel_filterbank():",
        f'    """librosa.filters.mel(sr={r.sr:g}, n_fft={r.n_fft}, n_mels={r.n_mels}, fmin={r.fmin!r}, '
        f'fmax={r.fmax!r}, htk={r.htk}, norm={mel_norm!r}) as (n_freqs, n_mels), float64."""',
        "    def hz_to_mel(f):",
    ]
    if r.htk:
        lines += ["        return 2595.0 * torch.log10(1.0 + f / 700.0)", "",
                  "    def mel_to_hz(m):", "        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)", ""]
    else:
        lines += ["        f_sp, logstep = 200.0 / 3, math.log(6.4) / 27.0   # Slaney: linear to 1 kHz, log above",
                  "        return torch.where(f >= 1000.0, 15.0 + torch.log(f / 1000.0) / logstep, f / f_sp)",
                  "", "    def mel_to_hz(m):",
                  "        f_sp, logstep = 200.0 / 3, math.log(6.4) / 27.0",
                  "        return torch.where(m >= 15.0, 1000.0 * torch.exp(logstep * (m - 15.0)), f_sp * m)", ""]
    lines += [
        "    f64 = torch.float64",
        f"    freqs = torch.linspace(0.0, {r.grid_top!r}, {r.n_freqs}, dtype=f64)   # librosa's fft_frequencies",
        f"    mels = torch.linspace(float(hz_to_mel(torch.tensor({r.fmin!r}, dtype=f64))), "
        f"float(hz_to_mel(torch.tensor({r.fmax!r}, dtype=f64))), {r.n_mels + 2}, dtype=f64)",
        "    f_pts = mel_to_hz(mels)",
        "    fdiff = f_pts[1:] - f_pts[:-1]",
        "    ramps = f_pts[:, None] - freqs[None, :]",
        "    fb = torch.clamp(torch.minimum(-ramps[:-2] / fdiff[:-1, None], ramps[2:] / fdiff[1:, None]), min=0.0)",
    ]
    if mel_norm == "slaney":
        lines.append("    fb = fb * (2.0 / (f_pts[2:] - f_pts[:-2]))[:, None]")
    elif mel_norm is not None:
        order = "math.inf" if mel_norm == math.inf else repr(mel_norm)
        lines += [f"    length = torch.linalg.vector_norm(fb, ord={order}, dim=1, keepdim=True)",
                  "    fb = fb / torch.where(length < torch.finfo(torch.float32).tiny, 1.0, length)  # empty filters stay 0"]
    lines += ["    return fb.T", "", ""]
    return lines


def _dct_code(r: Recipe, *, torch_only: bool = False) -> list[str]:
    """The `dct_matrix()` function's lines; `torch_only` writes DCT-II by its formula instead of torchaudio's
    create_dct (the same matrix: cos(pi / n_mels * (n + 0.5) * k), ortho or times 2)."""
    if r.kind != "mfcc":
        return []
    lines = ["def dct_matrix():",
             f'    """scipy.fftpack.dct(type={r.dct_type}, norm={r.dct_norm!r}) on {r.n_mels} mel bands, first '
             f'{r.n_mfcc} outputs{", liftered" if r.lifter else ""}: (n_mels, n_mfcc), float64."""']
    if r.dct_type == 2 and not torch_only:
        lines.append(f"    dct = F.create_dct({r.n_mfcc}, {r.n_mels}, {r.dct_norm!r}).double()")
    elif r.dct_type == 2:
        lines += [f"    n = torch.arange({r.n_mels}, dtype=torch.float64)[:, None]      # input index",
                  f"    k = torch.arange({r.n_mfcc}, dtype=torch.float64)[None, :]   # output index",
                  f"    dct = torch.cos(math.pi / {r.n_mels} * (n + 0.5) * k)"]
        lines += (["    dct[:, 0] *= 1.0 / math.sqrt(2.0)", f"    dct *= math.sqrt(2.0 / {r.n_mels})"]
                  if r.dct_norm == "ortho" else ["    dct *= 2.0"])
    else:
        n = r.n_mels
        lines += [f"    n = torch.arange({n}, dtype=torch.float64)[:, None]      # input index",
                  f"    k = torch.arange({r.n_mfcc}, dtype=torch.float64)[None, :]   # output index"]
        if r.dct_type == 1:
            lines += [f"    dct = 2.0 * torch.cos(math.pi * k * n / {n - 1})",
                      "    dct[0] /= 2.0\n    dct[-1] /= 2.0"]
            if r.dct_norm == "ortho":
                lines += ["    dct[0] *= math.sqrt(2.0)\n    dct[-1] *= math.sqrt(2.0)",
                          "    dct[:, 0] /= math.sqrt(2.0)",
                          f"    if {r.n_mfcc} == {n}:\n        dct[:, -1] /= math.sqrt(2.0)",
                          f"    dct *= math.sqrt(1.0 / (2.0 * {n - 1}))"]
        elif r.dct_type == 3:
            lines += [f"    dct = 2.0 * torch.cos(math.pi * (2.0 * k + 1.0) * n / {2 * n})", "    dct[0] = 1.0"]
            if r.dct_norm == "ortho":
                lines += [f"    dct[0] /= math.sqrt({n})", f"    dct[1:] *= math.sqrt(2.0 / {n}) / 2.0"]
        else:
            lines.append(f"    dct = 2.0 * torch.cos(math.pi * (2.0 * k + 1.0) * (2.0 * n + 1.0) / {4 * n})")
            if r.dct_norm == "ortho":
                lines.append(f"    dct *= math.sqrt(2.0 / {n}) / 2.0")
    if r.lifter > 0:
        lines += [f"    k1 = torch.arange(1, {r.n_mfcc + 1}, dtype=torch.float64)",
                  f"    dct = dct * (1.0 + {r.lifter / 2!r} * torch.sin(math.pi * k1 / {r.lifter!r}))[None, :]  # librosa's lifter"]
    lines += ["    return dct", "", ""]
    return lines


def _functional_code(r: Recipe, cls: str, doc: str) -> str:
    lines = [_HEAD, ""] + _fbank_code(r) + _dct_code(r)
    fb = "mel_filterbank()"
    lines += [f"class {cls}(torch.nn.Module):", f'    """{doc}"""', "",
              "    def __init__(self, dtype=torch.float32):", "        super().__init__()",
              f"        self.register_buffer(\"window\", {_window_call(r, ', dtype=torch.float64')}.to(dtype))",
              f"        self.register_buffer(\"fb\", {fb}.to(dtype))        # (n_freqs, n_mels)"]
    if r.kind == "mfcc":
        lines.append("        self.register_buffer(\"dct\", dct_matrix().to(dtype))    # (n_mels, n_mfcc)")
    lines += ["", "    def forward(self, waveform):", "        x = waveform"]
    by_hand = PAD_MODES[r.pad_mode] is None and r.center
    if by_hand:
        h = r.n_fft // 2
        lines += [f"        # np.pad mode {r.pad_mode!r} (mirror including the edge sample), {h} samples a side",
                  f"        x = torch.cat([x[..., :{h}].flip(-1), x, x[..., -{h}:].flip(-1)], dim=-1)"]
    spec = _join(_spec_kwargs(r, by_hand_pad=by_hand))
    lines += [f"        spec = F.spectrogram(x, window=self.window, {spec})",
              "        mel = torch.matmul(spec.transpose(-1, -2), self.fb).transpose(-1, -2)   # (..., n_mels, frames)"]
    if r.log == "ln":
        lines.append("        feats = torch.log(mel + 1e-6)")
    else:
        lines.append(f"        feats = {r.db_mult!r} * torch.log10(torch.clamp(mel, min={r.amin!r}))")
        if r.ref == "max":
            lines.append(f"        feats = feats - {r.db_mult!r} * torch.log10(torch.clamp("
                         f"mel.amax(dim=(-2, -1), keepdim=True), min={r.amin!r}))   # ref=np.max, per clip")
        elif r.ref != 1.0:
            offset = r.db_mult * math.log10(max(r.amin, r.ref))
            lines.append(f"        feats = feats - {offset!r}   # ref={r.ref!r}")
        if r.top_db is not None:
            lines.append(f"        feats = torch.maximum(feats, feats.amax(dim=(-2, -1), keepdim=True) - {r.top_db!r})"
                         "   # top_db per clip")
    if r.kind == "mfcc":
        lines.append("        feats = torch.matmul(feats.transpose(-1, -2), self.dct).transpose(-1, -2)")
    lines += ["        return feats", "", "", f"module = {cls}()", ""]
    return "\n".join(lines)


def torch_code(r: Recipe, *, doc: str) -> tuple[str, list[str]]:
    """(code, notes): code defines the module class and `module`; notes say where the transforms fall short."""
    cls = "PortedMFCC" if r.kind == "mfcc" else "PortedLogMel"
    why = transforms_can_express(r)
    if not why:
        return _transforms_code(r, cls, doc), fbank_notes(r)
    return _functional_code(r, cls, doc), fbank_notes(r) + why
