"""Write a file so that readers see the old version or the new one, never half of it."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator, Union


@contextlib.contextmanager
def atomic_path(path: Union[str, os.PathLike], suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside `path` to write to; on success it is renamed onto `path`.

    If the block raises (or the run is interrupted), the temporary file is removed and `path` keeps
    its old content. The file gets the usual permissions (0666 less the umask), not mkstemp's 0600.

    Args:
        path (str | PathLike): the file to (re)write; its folder is created if needed.
        suffix (str, ".tmp"): the temporary name's ending (np.save wants ".npy", for example).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
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
