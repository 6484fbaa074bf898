"""`python -m features.port`: print the port of a librosa or torchaudio call, its notes and its measured error;
or write it as one torch file or an ONNX file (--emit) and check that artefact in its own runtime.

    python -m features.port librosa "sr=22050, n_mfcc=20, hop_length=256"
    python -m features.port torchaudio "sample_rate=16000, n_mfcc=40, melkwargs={'n_fft': 400}" --check clips/
    python -m features.port librosa "sr=16000, ref=np.max" --logmel
    python -m features.port librosa "librosa.feature.mfcc(y=y, sr=sr, n_mfcc=13)" --value sr=16000
    python -m features.port librosa "sr=16000, n_mfcc=13" --emit onnx --out mfcc.onnx --check clips/

ARGS is what goes between the parentheses of the call, or the call pasted as written (features/port/
call_text.py: literals, np.max, torch.<window>_window, scipy.signal.get_window(...); a variable's value comes
from --value NAME=VALUE). --check takes audio files or folders (WAV, FLAC, OGG; resampled to the call's rate);
--limit draws a seeded sample stratified by length from them; files that cannot be read or are too short for
the call are skipped with their reason and counted. Without --check the error is measured on seeded
synthetic clips. Each dtype gets a verdict against the tolerance; a file above it is listed as ABOVE.
Exit status: 0 within tolerance, 1 when a file (or clip) is above it, 2 for an error (one line).
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable, Optional

from .call_text import parse_call_args, parse_value
from .check_files import audio_files, load_clips, representative

LIBRARIES = ("librosa", "torchaudio")


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
    p.add_argument("library", choices=LIBRARIES, help="the library the call is written for")
    p.add_argument("args", help="the call's keywords, e.g. \"sr=22050, n_mfcc=20\", or the call as written")
    p.add_argument("--logmel", action="store_true",
                   help="the call is a log-mel one (librosa melspectrogram + power_to_db keywords; torchaudio "
                        "MelSpectrogram + AmplitudeToDB arguments) instead of MFCC")
    p.add_argument("--value", action="append", default=[], metavar="NAME=VALUE",
                   help="the value of a variable the call uses (sr=sr needs --value sr=16000); repeatable")
    p.add_argument("--emit", choices=("torch", "onnx"), default=None,
                   help="write the call as one torch file (imports torch only) or an ONNX file, to --out")
    p.add_argument("--out", default=None, help="the file --emit writes (.py for torch, .onnx for onnx)")
    p.add_argument("--check", nargs="+", metavar="FILE_OR_DIR", help="audio to measure the error on")
    p.add_argument("--limit", type=_positive, default=200,
                   help="at most this many files from --check, a seeded sample stratified by length (default 200)")
    p.add_argument("--seed", type=int, default=0, help="the seed of the --limit sample (default 0)")
    a = p.parse_args(argv)
    if (a.emit is None) != (a.out is None):
        p.error("--emit and --out go together")
    return a


def _verdicts(errors: dict, names: list, tolerance: dict) -> int:
    """Print each dtype's worst error and verdict, and every clip above the tolerance; 1 if any is."""
    status = 0
    for dtype, per_clip in errors.items():
        worst = max(per_clip)
        above = [(e, n) for e, n in zip(per_clip, names) if e > tolerance[dtype]]
        verdict = (f"within the {tolerance[dtype]:g} tolerance on every clip" if not above else
                   f"ABOVE the {tolerance[dtype]:g} tolerance on {len(above)} of {len(per_clip)}")
        print(f"# {dtype}: max relative error {worst:.1e}: {verdict}")
        for e, n in sorted(above, reverse=True)[:20]:
            print(f"#   ABOVE {e:.1e} {n}")
        if len(above) > 20:
            print(f"#   ... and {len(above) - 20} more")
        status |= bool(above)
    return status


def main(argv: Optional[list[str]] = None) -> int:
    from features import port
    from features.port import emit

    a = _parse(argv)
    kind = "logmel" if a.logmel else "mfcc"
    makers: dict[tuple[str, str], Callable[..., port.TorchaudioPort | port.LibrosaPort]] = {
        ("librosa", "mfcc"): port.librosa_to_torchaudio, ("librosa", "logmel"): port.librosa_logmel_to_torchaudio,
        ("torchaudio", "mfcc"): port.torchaudio_to_librosa, ("torchaudio", "logmel"): port.torchaudio_logmel_to_librosa}
    try:
        kwargs = parse_call_args(a.args, dict(parse_value(v) for v in a.value))
        p = makers[(a.library, kind)](**kwargs)
        art = emit.emit(a.library, kind, kwargs, a.emit, a.out, args_text=a.args) if a.emit else None
        files = representative(audio_files(a.check), a.limit, seed=a.seed) if a.check else []
    except (ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    loaded = load_clips(files, int(round(p.recipe.sr)), too_short=lambda n: emit.too_short(p.recipe, n))
    target = "torchaudio" if a.library == "librosa" else "librosa"
    if art is None:
        print(f"# {a.library} -> {target} ({'log-mel' if a.logmel else 'MFCC'})\n")
        print(p.code)
    else:
        print(f"# wrote {art.path}: {a.library} {'log-mel' if a.logmel else 'MFCC'} as "
              f"{'one torch file (imports torch only)' if art.target == 'torch' else 'an ONNX file (opset 17)'}")
    for path, reason in loaded.skipped:
        print(f"# skipped {path}: {reason}")
    if files and not loaded.clips:
        print(f"error: --check: none of the {len(files)} file(s) could be checked (reasons above)", file=sys.stderr)
        return 2
    where = (f"{len(loaded.clips)} file(s) from {' '.join(a.check)}"
             + (f" ({len(loaded.skipped)} skipped)" if loaded.skipped else "") if loaded.clips else None)
    names = [str(f) for f in loaded.files] if loaded.clips else ["synthetic clip 0", "synthetic clip 1"]
    if art is None:
        if loaded.clips:
            port.measure(p, loaded.clips, where)
        print("# notes")
        for note in p.notes:
            print(f"# - {note}")
        clips = loaded.clips or None
        errors = {dt: p.errors(clips, dtype=dt) if clips else p.errors(_synthetic(p), dtype=dt)
                  for dt in port.TOLERANCE}
        print(f"\n# measured on {where or 'the seeded synthetic clips'}: max relative error "
              f"{max(errors['float64']):.1e} (float64), {max(errors['float32']):.1e} (float32)")
        return _verdicts(errors, names, port.TOLERANCE)
    clips = loaded.clips or list(_synthetic(p))
    dtypes = ("float64", "float32") if art.target == "torch" else ("float32",)
    errors = {dt: emit.check(art, clips, dtype=dt) for dt in dtypes}
    print(f"# {art.target} artefact run in {'torch' if art.target == 'torch' else 'ONNX Runtime (CPU)'} against "
          f"{a.library} itself on {where or 'the seeded synthetic clips'}")
    status = _verdicts(errors, names, port.TOLERANCE)
    if status and art.target == "onnx":
        worst = sorted(range(len(clips)), key=lambda i: -errors["float32"][i])[:3]
        exact = max(emit.graph_float64_errors(art, [clips[i] for i in worst]))
        why = ("the rest is float32 rounding of the DFT-as-product in the quietest bins"
               if exact <= port.TOLERANCE["float64"] else "see the port's own notes (the same command without --emit)")
        print(f"# - the same graph built in float64 (run by onnx.reference) misses by {exact:.1e} on the "
              f"{len(worst)} worst clip(s): {why}")
    return status


def _synthetic(p):
    from .reference import synthetic_clips

    r = p.recipe
    return synthetic_clips(r.sr, max(int(0.25 * r.sr), r.n_fft + 4 * r.hop_length))
