"""Write a file so that readers see the old version or the new one, never half of it.

Temporary files are named `.{name}.partial-XXXXXXXX{suffix}` beside the target, so a folder's owner
can recognise (and `remove_stale_temporaries` can remove) the ones a killed process left behind.
"""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Iterator, Union

PARTIAL = ".partial-"
_PARTIAL_NAME = re.compile(r"^\..+\.partial-[a-z0-9_]{8}")


@contextlib.contextmanager
def atomic_path(path: Union[str, os.PathLike], suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside `path` to write to; on success it is renamed onto `path`.

    If the block raises (or the run is interrupted by an exception, e.g. the SystemExit a SIGTERM
    handler raises), the temporary file is removed and `path` keeps its old content. The file gets
    the usual permissions (0666 less the umask), not mkstemp's 0600.

    Args:
        path (str | PathLike): the file to (re)write; its folder is created if needed.
        suffix (str, ".tmp"): the temporary name's ending (np.save wants ".npy", for example).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{PARTIAL}", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(path: Union[str, os.PathLike], text: str, suffix: str = ".tmp") -> Path:
    """Write `text` (UTF-8) to `path` through `atomic_path`; returns the path. The one helper the
    project's JSON, CSV and metrics writers use (they serialise, this writes)."""
    with atomic_path(path, suffix=suffix) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def is_partial(name: str) -> bool:
    """Whether a file name is one of `atomic_path`'s temporaries."""
    return bool(_PARTIAL_NAME.match(name))


def remove_stale_temporaries(folder: Union[str, os.PathLike], *, older_than_s: float = 600.0,
                             recursive: bool = True) -> list:
    """Delete `atomic_path` temporaries under `folder` last modified more than `older_than_s` seconds
    ago (a process killed with SIGKILL, or a power cut, leaves them). Younger ones may belong to a
    writer still at work and are kept. Other files are never touched.

    Args:
        folder (str | PathLike): where to look; a missing folder is fine.
        older_than_s (float, 600.0): minimum age in seconds, keyword-only.
        recursive (bool, True): look in sub-folders too.

    Returns:
        list[Path]: the files removed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    cutoff = time.time() - older_than_s
    removed = []
    for p in (folder.rglob(".*") if recursive else folder.glob(".*")):
        try:
            if is_partial(p.name) and p.is_file() and p.stat().st_mtime < cutoff:
                p.unlink()
                removed.append(p)
        except OSError:          # gone already, or not ours to remove
            continue
    return removed
