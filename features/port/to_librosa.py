"""Emit self-contained librosa + NumPy code for a Recipe: `librosa_code(recipe) -> (code, notes)`.

The code defines `features(y)`: y (T,) float array -> np.ndarray (n_mfcc, n_frames) or (n_mels, n_frames).
It is one `librosa.feature.melspectrogram` call plus, where torchaudio does something librosa has no
keyword for, one plain NumPy line: the `pad` zeros, the `normalized` scale, log(mel + 1e-6). torchaudio's
filterbank grid (0 .. sample_rate // 2) is reproduced exactly by handing the filterbank sr = 2 * (sr // 2):
in librosa the sample rate reaches only `filters.mel`, whose grid is fft_frequencies(sr, n_fft).
"""
from __future__ import annotations

from .recipe import Recipe


def _num(x: float) -> str:
    return repr(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def librosa_code(r: Recipe, *, doc: str) -> tuple[str, list[str]]:
    """(code, notes): code defines `features(y)`; notes name each step librosa has no keyword for."""
    notes = []
    filter_sr = 2 * r.grid_top
    lines = ["import numpy as np", "import librosa", "", "",
             "def features(y):", f'    """{doc}"""', "    y = np.asarray(y)"]
    if filter_sr != r.sr:
        notes.append(f"sample rate {r.sr:g}: torchaudio lays its filterbank's FFT-bin grid from 0 to sample_rate // 2"
                     f" = {r.grid_top:g} Hz, not {r.sr / 2:g}; the librosa call gets sr={_num(filter_sr)} so its "
                     "grid matches (sr only reaches filters.mel; exact)")
    if r.pre_pad:
        notes.append(f"pad={r.pre_pad}: librosa has no pre-padding; the function pads zeros with np.pad (exact)")
        lines.append(f"    y = np.pad(y, {r.pre_pad})   # torchaudio's pad: zeros on each side before the STFT")
    center, pad_mode = r.center, r.pad_mode
    if r.center and r.pad_mode == "wrap":
        notes.append("pad_mode='circular': librosa.stft refuses np.pad's 'wrap'; the function pads n_fft // 2 "
                     "samples a side with np.pad(mode='wrap') and calls it with center=False (exact)")
        lines.append(f"    y = np.pad(y, {r.n_fft // 2}, mode='wrap')   # torchaudio's centring, circular")
        center, pad_mode = False, "constant"
    mel_kw = (f"sr={_num(filter_sr)}, n_fft={r.n_fft}, hop_length={r.hop_length}, win_length={r.win_length}, "
              f"window={r.window!r}, center={center!r}, pad_mode={pad_mode!r}, power={r.power!r},\n"
              f"        n_mels={r.n_mels}, fmin={r.fmin!r}, fmax={r.fmax!r}, htk={r.htk!r}, norm={r.mel_norm!r}")
    lines.append(f"    S = librosa.feature.melspectrogram(\n        y=y, {mel_kw})")
    if r.spec_scale == "window":
        notes.append("normalized=True: librosa has no such keyword; the function divides the magnitude by the "
                     "window's L2 norm, as torchaudio does (exact: the mel step is linear)")
        lines.append(f"    w = librosa.filters.get_window({r.window!r}, {r.win_length}, fftbins=True)")
        lines.append(f"    S = S * float(np.sum(w ** 2)) ** ({-r.power / 2!r})   # normalized=True: |X| / ||window||")
    elif r.spec_scale == "frame_length":
        notes.append("normalized='frame_length': the function scales the magnitude by n_fft ** -0.5 (exact)")
        lines.append(f"    S = S * {r.n_fft ** (-r.power / 2)!r}   # normalized='frame_length': |X| / sqrt(n_fft)")
    if r.log == "ln":
        notes.append("log_mels=True: torchaudio takes the natural log of mel + 1e-6 (no dB, no top_db); "
                     "the function does the same with np.log (exact)")
        lines.append("    feats = np.log(S + 1e-6)")
    else:
        ref = "np.max" if r.ref == "max" else repr(r.ref)
        if r.db_mult == 10:
            lines.append(f"    feats = librosa.power_to_db(S, ref={ref}, amin={r.amin!r}, top_db={r.top_db!r})")
        else:
            lines.append(f"    feats = librosa.amplitude_to_db(S, ref={ref}, amin={r.amin!r}, top_db={r.top_db!r})")
    if r.kind == "mfcc":
        lines.append(f"    return librosa.feature.mfcc(S=feats, n_mfcc={r.n_mfcc}, dct_type={r.dct_type}, "
                     f"norm={r.dct_norm!r}, lifter={r.lifter!r})")
    else:
        lines.append("    return feats")
    return "\n".join(lines) + "\n", notes
