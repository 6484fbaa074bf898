"""The user's audio for `python -m features.port --check`: found, sampled, loaded, skipped with reasons.

    files = audio_files(["clips/"])                       # sorted; ValueError (one line) for a missing path
    chosen = representative(files, limit=200, seed=0)     # seeded, stratified by length
    loaded = load_clips(chosen, sr=16000, too_short=...)  # Loaded(files, clips, skipped)

`representative` sorts the files by length (soundfile reads only the header), cuts them into `limit` equal
strata and draws one file from each with a seeded generator, so short and long clips are both checked
(the first files in sorted order are often one speaker or one length). A file that cannot be read or is too
short for the call is skipped with its reason and counted, never stops the check.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import numpy as np

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg")


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


def _frames(path: Path) -> int:
    """The file's length in frames from its header; -1 where the header cannot be read (sorted first)."""
    import soundfile as sf

    try:
        return int(sf.info(str(path)).frames)
    except Exception:   # noqa: BLE001 -- any unreadable header: the load step reports why
        return -1


def representative(files: list[Path], limit: int, *, seed: int = 0) -> list[Path]:
    """At most `limit` of `files`: all of them where there are no more, else one seeded draw from each of
    `limit` equal strata of the files sorted by length; returned in sorted path order."""
    if len(files) <= limit:
        return list(files)
    by_length = sorted(files, key=lambda p: (_frames(p), str(p)))
    rng = np.random.default_rng(seed)
    edges = np.linspace(0, len(by_length), limit + 1).astype(int)
    return sorted(by_length[int(rng.integers(lo, hi))] for lo, hi in zip(edges[:-1], edges[1:]))


@dataclass
class Loaded:
    """files and clips (float32, resampled) in the same order; skipped: (file, reason) for the others."""
    files: list = field(default_factory=list)
    clips: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def load_clips(files: list[Path], sr: int, *, too_short: Optional[Callable[[int], Optional[str]]] = None) -> Loaded:
    """Load each file at `sr`; an unreadable file, or one `too_short(n_samples)` gives a reason for, is skipped."""
    from features.frontend import AudioLoadError, load_audio

    out = Loaded()
    for path in files:
        try:
            clip = load_audio(path, sr)
        except AudioLoadError as err:
            out.skipped.append((path, str(err)))
            continue
        reason = too_short(clip.size) if too_short else None
        if reason:
            out.skipped.append((path, reason))
            continue
        out.files.append(path)
        out.clips.append(clip)
    return out
