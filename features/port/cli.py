"""`python -m features.port`: print the port of a librosa or torchaudio call, its notes and its measured error.

    python -m features.port librosa "sr=22050, n_mfcc=20, hop_length=256"
    python -m features.port torchaudio "sample_rate=16000, n_mfcc=40, melkwargs={'n_fft': 400}" --check clips/
    python -m features.port librosa "sr=16000, ref=np.max" --logmel

ARGS is what goes between the parentheses of the call: literals only, plus the names np.max and
torch.<window>_window. --check takes audio files or folders (WAV, FLAC, OGG; resampled to the call's
rate); without it the error is measured on the port's seeded synthetic clips. Errors are one line, exit 2.
"""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path
from typing import Callable, Optional

import numpy as np

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg")


def _names() -> dict:
    import torch
    names = {"np.max": np.max, "numpy.max": np.max, "np.inf": np.inf, "math.inf": np.inf}
    for fn in ("hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window", "ones"):
        names[f"torch.{fn}"] = getattr(torch, fn)
    return names


def _value(node: ast.AST, names: dict):
    if isinstance(node, ast.Dict):
        return {_value(k, names): _value(v, names) for k, v in zip(node.keys, node.values)}
    text = ast.unparse(node)
    if text in names:
        return names[text]
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ValueError(f"{text!r} is not a literal (allowed names: {', '.join(sorted(names))})") from None


def parse_call_args(text: str) -> dict:
    """'sr=22050, n_mfcc=20' -> {'sr': 22050, 'n_mfcc': 20}; keywords only, literal values."""
    try:
        call = ast.parse(f"f({text})", mode="eval").body
    except SyntaxError as err:
        raise ValueError(f"ARGS {text!r}: not Python call arguments ({err.msg})") from None
    if call.args or any(k.arg is None for k in call.keywords):
        raise ValueError(f"ARGS {text!r}: give keywords only (name=value, ...)")
    names = _names()
    return {k.arg: _value(k.value, names) for k in call.keywords}


def audio_files(paths: list[str]) -> list[Path]:
    """Files as given, and audio files (WAV, FLAC, OGG) found under the folders given, sorted."""
    found: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise ValueError(f"--check {text}: no such file or folder")
    if not found:
        raise ValueError(f"--check {' '.join(paths)}: no audio files ({', '.join(AUDIO_SUFFIXES)})")
    return found


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be >= 1")
    return value


def _parse(argv: Optional[list[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m features.port", description=__doc__.split("\n")[0])
    p.add_argument("library", choices=("librosa", "torchaudio"), help="the library the call is written for")
    p.add_argument("args", help="the call's keywords, e.g. \"sr=22050, n_mfcc=20\"")
    p.add_argument("--logmel", action="store_true",
                   help="the call is a log-mel one (librosa melspectrogram + power_to_db keywords; torchaudio "
                        "MelSpectrogram + AmplitudeToDB arguments) instead of MFCC")
    p.add_argument("--check", nargs="+", metavar="FILE_OR_DIR", help="audio to measure the error on")
    p.add_argument("--limit", type=_positive, default=200, help="at most this many files from --check (default 200)")
    return p.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    from features import port
    from features.frontend import AudioLoadError, load_audio

    a = _parse(argv)
    makers: dict[tuple[str, bool], Callable[..., port.TorchaudioPort | port.LibrosaPort]] = {
        ("librosa", False): port.librosa_to_torchaudio, ("librosa", True): port.librosa_logmel_to_torchaudio,
        ("torchaudio", False): port.torchaudio_to_librosa, ("torchaudio", True): port.torchaudio_logmel_to_librosa}
    try:
        kwargs = parse_call_args(a.args)
        p = makers[(a.library, a.logmel)](**kwargs)
        files = audio_files(a.check)[: a.limit] if a.check else []
        clips = [load_audio(f, int(round(p.recipe.sr))) for f in files]
    except (ValueError, AudioLoadError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"# {a.library} -> {'torchaudio' if a.library == 'librosa' else 'librosa'}"
          f" ({'log-mel' if a.logmel else 'MFCC'})\n")
    print(p.code)
    print("# notes")
    for note in p.notes:
        print(f"# - {note}")
    if clips:
        too_short = [str(f) for f, c in zip(files, clips) if c.size < p.recipe.n_fft]
        if too_short:
            print(f"error: {too_short[0]}: shorter than n_fft={p.recipe.n_fft} samples", file=sys.stderr)
            return 2
        where = f"{len(clips)} file(s) from {' '.join(a.check)}"
        errors = {dt: p.check(clips, dtype=dt) for dt in port.TOLERANCE}
    else:
        where = "the seeded synthetic clips"
        errors = p.residual
    print(f"\n# measured on {where}: max relative error {errors['float64']:.1e} (float64), "
          f"{errors['float32']:.1e} (float32)")
    return 0
